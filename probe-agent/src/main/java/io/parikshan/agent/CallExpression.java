package io.parikshan.agent;

import ognl.MemberAccess;
import ognl.Node;
import ognl.enhance.ExpressionAccessor;
import ognl.Ognl;
import ognl.OgnlContext;
import ognl.OgnlException;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Member;
import java.lang.reflect.Modifier;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An OGNL expression over a {@link WatchedCall}, parsed once when the diagnosis starts (a syntax error
 * refuses the diagnosis before any class is touched). It may read private fields and call private
 * methods of the application's objects ({@code target.values}), as a debugger would: it runs in a
 * clone, never in production. Each evaluating thread keeps its own context.
 *
 * <p>Interpreted, an expression costs a few hundred nanoseconds a call. Given a compiler thread, the
 * first call also hands its values to OGNL's compiler (bytecode through javassist, typed after that
 * call), off the calling thread; later calls use the compiled accessor, a few nanoseconds. An
 * expression OGNL cannot compile, or whose compiled form fails on a later call (other types), stays
 * interpreted for good.
 */
final class CallExpression {

    private static final MemberAccess READ_ANYTHING = new MemberAccess() {
        @Override
        public Object setup(OgnlContext context, Object target, Member member, String propertyName) {
            if (member instanceof AccessibleObject a && !Modifier.isPublic(member.getModifiers())) {
                a.setAccessible(true);
            }
            return null;
        }

        @Override
        public void restore(OgnlContext context, Object target, Member member, String propertyName, Object state) {
        }

        @Override
        public boolean isAccessible(OgnlContext context, Object target, Member member, String propertyName) {
            return true;
        }
    };

    private final String text;
    private final Object tree;
    private final ThreadLocal<OgnlContext> contexts;
    private final Executor compiler;
    private final AtomicBoolean compileTried = new AtomicBoolean();
    private volatile ExpressionAccessor compiled;
    private volatile String compileOutcome = "interpreted";

    private CallExpression(String text, Object tree, Executor compiler) {
        this.text = text;
        this.tree = tree;
        this.compiler = compiler;
        this.contexts = ThreadLocal.withInitial(() -> Ognl.createDefaultContext(null, READ_ANYTHING));
    }

    /** Parses {@code text}; an {@link IllegalArgumentException} names the expression and the error. */
    static CallExpression parse(String option, String text) {
        return parse(option, text, null);
    }

    /** As {@link #parse(String, String)}, compiling on {@code compiler} after the first call (null: never). */
    static CallExpression parse(String option, String text, Executor compiler) {
        try {
            return new CallExpression(text, Ognl.parseExpression(text), compiler);
        } catch (OgnlException | RuntimeException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is not an OGNL expression: "
                    + oneLine(e) + " (e.g. params[0] == \"user42\", returnObj != null, cost > 5)");
        }
    }

    String text() {
        return text;
    }

    /** "compiled", "interpreted" or why it could not be compiled. */
    String compileOutcome() {
        return compileOutcome;
    }

    Object value(WatchedCall call) throws OgnlException {
        ExpressionAccessor a = compiled;
        if (a != null) {
            try {
                // The accessor takes the root as its argument; leaving the context alone lets the JIT
                // keep the call's view (and the arguments) off the heap.
                return a.get(contexts.get(), call);
            } catch (RuntimeException | LinkageError e) {
                return compiledFailed(call, e);
            }
        }
        return interpreted(call);
    }

    private Object compiledFailed(WatchedCall call, Throwable e) throws OgnlException {
        compiled = null;
        compileOutcome = "interpreted (compiled form failed: " + oneLine(e) + ")";
        return interpreted(call);
    }

    private Object interpreted(WatchedCall call) throws OgnlException {
        if (compiler != null && compileTried.compareAndSet(false, true)) {
            compileLater(call);
        }
        OgnlContext ctx = contexts.get();
        ctx.setRoot(call);
        return Ognl.getValue(tree, ctx, call);
    }

    private void compileLater(WatchedCall sample) {
        try {
            compiler.execute(() -> {
                // OGNL defines the accessor in the thread's context loader: one that sees both the call's
                // view (the agent's) and the receiver's class (the application's, whose loaders delegate
                // to the agent's, the class path's).
                Thread self = Thread.currentThread();
                ClassLoader before = self.getContextClassLoader();
                Object target = sample.getTarget();
                ClassLoader targets = target == null ? null : target.getClass().getClassLoader();
                self.setContextClassLoader(targets != null ? targets : CallExpression.class.getClassLoader());
                try {
                    OgnlContext ctx = Ognl.createDefaultContext(sample, READ_ANYTHING);
                    Node node = Ognl.compileExpression(ctx, sample, text);
                    ExpressionAccessor a = node.getAccessor();
                    if (a == null) {
                        compileOutcome = "interpreted (OGNL gave no accessor)";
                        return;
                    }
                    Object check = a.get(ctx, sample);
                    Object expected = Ognl.getValue(tree, ctx, sample);
                    if (java.util.Objects.equals(check, expected)) {
                        compiled = a;
                        compileOutcome = "compiled";
                    } else {
                        compileOutcome = "interpreted (compiled form disagreed: " + check + " vs " + expected + ")";
                    }
                } catch (Exception | LinkageError e) {
                    compileOutcome = "interpreted (not compiled: " + oneLine(rootCause(e)) + ")";
                } finally {
                    self.setContextClassLoader(before);
                }
            });
        } catch (RuntimeException e) {
            compileOutcome = "interpreted (" + oneLine(e) + ")";
        }
    }

    /** OGNL's truth: null, false, zero and the empty string are false. */
    boolean test(WatchedCall call) throws OgnlException {
        Object v = value(call);
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        return v != null && !"".equals(v);
    }

    static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t instanceof OgnlException)) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
        return m.replaceAll("\\s+", " ").strip();
    }
}
