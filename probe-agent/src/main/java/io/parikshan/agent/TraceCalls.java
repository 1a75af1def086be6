package io.parikshan.agent;

import io.parikshan.agent.boot.DiagDispatcher;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.field.FieldList;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.pool.TypePool;

import java.util.function.Function;

/**
 * For trace: wraps each method call inside a traced method's body with
 * {@code DiagDispatcher.callBefore(n)} and {@code callAfter(n)}, where {@code n} numbers the call site
 * (registered with its owner and name). Only static calls of an int are added: no branch, no new
 * local, no frame change, so a retransformation without class format changes takes it and a reset
 * removes it.
 */
final class TraceCalls extends AsmVisitorWrapper.AbstractBase {

    private static final String DISPATCHER = Type.getInternalName(DiagDispatcher.class);

    private final net.bytebuddy.matcher.ElementMatcher<? super MethodDescription> traced;
    private final Function<String, Integer> register;

    /** @param register gives the number of a call site described as {@code Owner.name(params)} */
    TraceCalls(net.bytebuddy.matcher.ElementMatcher<? super MethodDescription> traced, Function<String, Integer> register) {
        this.traced = traced;
        this.register = register;
    }

    @Override
    public int mergeWriter(int flags) {
        return flags | net.bytebuddy.jar.asm.ClassWriter.COMPUTE_MAXS;
    }

    @Override
    public ClassVisitor wrap(TypeDescription instrumentedType, ClassVisitor classVisitor,
                             Implementation.Context implementationContext, TypePool typePool,
                             FieldList<FieldDescription.InDefinedShape> fields, MethodList<?> methods,
                             int writerFlags, int readerFlags) {
        return new ClassVisitor(Opcodes.ASM9, classVisitor) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                boolean selected = methods.stream().anyMatch(m -> m.getInternalName().equals(name)
                        && m.getDescriptor().equals(descriptor) && traced.matches(m));
                return selected ? new CallTimer(mv) : mv;
            }
        };
    }

    private final class CallTimer extends MethodVisitor {

        CallTimer(MethodVisitor mv) {
            super(Opcodes.ASM9, mv);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            if (owner.equals(DISPATCHER) || owner.startsWith("io/parikshan/agent/")) {
                super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
                return;
            }
            int site = register.apply(describe(owner, name, descriptor));
            push(site);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCHER, "callBefore", "(I)V", false);
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
            push(site);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCHER, "callAfter", "(I)V", false);
        }

        private void push(int n) {
            if (n <= 5) {
                super.visitInsn(Opcodes.ICONST_0 + n);
            } else if (n <= Short.MAX_VALUE) {
                super.visitIntInsn(Opcodes.SIPUSH, n);
            } else {
                super.visitLdcInsn(n);
            }
        }
    }

    static String describe(String owner, String name, String descriptor) {
        String cls = owner.substring(owner.lastIndexOf('/') + 1);
        StringBuilder b = new StringBuilder(cls).append('.').append(name).append('(');
        Type[] args = Type.getArgumentTypes(descriptor);
        for (int i = 0; i < args.length; i++) {
            String a = args[i].getClassName();
            b.append(i == 0 ? "" : ",").append(a.substring(a.lastIndexOf('.') + 1));
        }
        return b.append(')').toString();
    }
}
