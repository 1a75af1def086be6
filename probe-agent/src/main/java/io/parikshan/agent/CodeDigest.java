package io.parikshan.agent;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A digest of a class's methods and their instructions with symbolic operands, so it does not depend
 * on constant-pool order (which a JVM may change when it reconstitutes a retransformed class).
 * Equal digests before load and after unload mean the original code is back.
 */
final class CodeDigest {

    private CodeDigest() {
    }

    static String of(byte[] classBytes) {
        StringBuilder text = new StringBuilder();
        new ClassReader(classBytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                text.append("\nmethod ").append(access).append(' ').append(name).append(descriptor).append(':');
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitInsn(int opcode) {
                        text.append(' ').append(opcode);
                    }

                    @Override
                    public void visitIntInsn(int opcode, int operand) {
                        text.append(' ').append(opcode).append('/').append(operand);
                    }

                    @Override
                    public void visitVarInsn(int opcode, int var) {
                        text.append(' ').append(opcode).append('/').append(var);
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        text.append(' ').append(opcode).append('/').append(type);
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String n, String d) {
                        text.append(' ').append(opcode).append('/').append(owner).append('.').append(n).append(d);
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String n, String d, boolean itf) {
                        text.append(' ').append(opcode).append('/').append(owner).append('.').append(n).append(d);
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String n, String d, Handle bsm, Object... args) {
                        text.append(" indy/").append(n).append(d).append('/').append(bsm);
                    }

                    @Override
                    public void visitJumpInsn(int opcode, Label label) {
                        text.append(' ').append(opcode).append("/jump");
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        text.append(" ldc/").append(value);
                    }

                    @Override
                    public void visitIincInsn(int var, int increment) {
                        text.append(" iinc/").append(var).append('/').append(increment);
                    }

                    @Override
                    public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
                        text.append(" try/").append(type);
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
