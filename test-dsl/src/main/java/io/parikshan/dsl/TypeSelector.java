package io.parikshan.dsl;

import java.util.List;
import java.util.Objects;

/**
 * Which classes a probe looks into. A class is selected when it matches ANY of the name
 * patterns, packages or annotations (fully qualified annotation type names).
 */
public record TypeSelector(List<NamePattern> names, List<String> packages, List<String> annotations) {

    public static final TypeSelector NONE = new TypeSelector(List.of(), List.of(), List.of());

    public TypeSelector {
        names = List.copyOf(Objects.requireNonNull(names, "names"));
        packages = List.copyOf(Objects.requireNonNull(packages, "packages"));
        annotations = List.copyOf(Objects.requireNonNull(annotations, "annotations"));
        for (String p : packages) {
            if (p.isBlank() || p.endsWith(".") || p.contains("*")) {
                throw new IllegalArgumentException("package '" + p + "' is not a package name: write it like com.example.web");
            }
        }
    }

    public boolean isEmpty() {
        return names.isEmpty() && packages.isEmpty() && annotations.isEmpty();
    }

    /** Whether a class name is selected by name or package (annotations need the class itself). */
    public boolean selectsByName(String className) {
        for (NamePattern n : names) {
            if (n.matches(className)) {
                return true;
            }
        }
        for (String p : packages) {
            if (className.startsWith(p + ".")) {
                return true;
            }
        }
        return false;
    }

    TypeSelector withName(NamePattern n) {
        return new TypeSelector(append(names, n), packages, annotations);
    }

    TypeSelector withPackage(String p) {
        return new TypeSelector(names, append(packages, p), annotations);
    }

    TypeSelector withAnnotation(String a) {
        return new TypeSelector(names, packages, append(annotations, a));
    }

    static <T> List<T> append(List<T> list, T item) {
        var copy = new java.util.ArrayList<T>(list);
        copy.add(Objects.requireNonNull(item));
        return copy;
    }
}
