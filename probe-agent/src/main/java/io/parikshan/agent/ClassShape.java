package io.parikshan.agent;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a JVM's class redefinition must keep as it is (JVMS and {@code Instrumentation.redefineClasses}):
 * the superclass, the interfaces, the fields and the methods with their modifiers. Method bodies
 * may change; anything here may not. Read from class file bytes.
 */
record ClassShape(String name, String superName, Set<String> interfaces, Set<String> fields, Set<String> methods) {

    /** Modifiers that are part of the shape; ACC_SYNTHETIC and the like are not compared. */
    private static final int MODIFIERS = Opcodes.ACC_PUBLIC | Opcodes.ACC_PRIVATE | Opcodes.ACC_PROTECTED
            | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE;

    static ClassShape of(byte[] classFile) {
        Set<String> interfaces = new TreeSet<>();
        Set<String> fields = new TreeSet<>();
        Set<String> methods = new TreeSet<>();
        String[] names = new String[2];
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] ifaces) {
                names[0] = name.replace('/', '.');
                names[1] = superName;
                if (ifaces != null) {
                    interfaces.addAll(List.of(ifaces));
                }
            }

            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                fields.add(modifiers(access) + Type.getType(descriptor).getClassName() + " " + name);
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                Type t = Type.getMethodType(descriptor);
                methods.add(modifiers(access) + t.getReturnType().getClassName() + " " + name + "("
                        + java.util.Arrays.stream(t.getArgumentTypes()).map(Type::getClassName)
                        .collect(java.util.stream.Collectors.joining(", ")) + ")");
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return new ClassShape(names[0], names[1], interfaces, fields, methods);
    }

    private static String modifiers(int access) {
        String m = java.lang.reflect.Modifier.toString(access & MODIFIERS);
        return m.isEmpty() ? "" : m + " ";
    }

    /** How {@code patched} changes this shape, one phrase each ("adds field private int hits"); empty when only bodies change. */
    List<String> changesIn(ClassShape patched) {
        List<String> out = new ArrayList<>();
        if (!java.util.Objects.equals(superName, patched.superName)) {
            out.add("changes the superclass from " + superName + " to " + patched.superName);
        }
        diff("interface", interfaces, patched.interfaces, out);
        diff("field", fields, patched.fields, out);
        diff("method", methods, patched.methods, out);
        return out;
    }

    private static void diff(String what, Set<String> before, Set<String> after, List<String> out) {
        for (String s : after) {
            if (!before.contains(s)) {
                out.add("adds " + what + " " + s);
            }
        }
        for (String s : before) {
            if (!after.contains(s)) {
                out.add("removes " + what + " " + s);
            }
        }
    }
}
