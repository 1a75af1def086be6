package io.parikshan.dsl;

import java.util.List;
import java.util.Objects;

/**
 * Which methods of the selected classes are probe points. Empty means every method (constructors,
 * abstract and native methods are never probed). Otherwise a method is selected when it matches ANY
 * name pattern or carries ANY of the annotations (fully qualified names).
 */
public record MethodSelector(List<NamePattern> names, List<String> annotations) {

    public static final MethodSelector ALL = new MethodSelector(List.of(), List.of());

    public MethodSelector {
        names = List.copyOf(Objects.requireNonNull(names, "names"));
        annotations = List.copyOf(Objects.requireNonNull(annotations, "annotations"));
    }

    public boolean selectsAll() {
        return names.isEmpty() && annotations.isEmpty();
    }

    MethodSelector withName(NamePattern n) {
        return new MethodSelector(TypeSelector.append(names, n), annotations);
    }

    MethodSelector withAnnotation(String a) {
        return new MethodSelector(names, TypeSelector.append(annotations, a));
    }
}
