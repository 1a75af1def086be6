package io.parikshan.agent;

import ognl.MemberAccess;
import ognl.Ognl;
import ognl.OgnlContext;
import ognl.OgnlException;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Member;
import java.lang.reflect.Modifier;

/**
 * An OGNL expression over a {@link WatchedCall}, parsed once when the diagnosis starts (a syntax error
 * refuses the diagnosis before any class is touched). It may read private fields and call private
 * methods of the application's objects ({@code target.values}), as a debugger would: it runs in a
 * clone, never in production. Each evaluating thread keeps its own context.
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

    private CallExpression(String text, Object tree) {
        this.text = text;
        this.tree = tree;
        this.contexts = ThreadLocal.withInitial(() -> Ognl.createDefaultContext(null, READ_ANYTHING));
    }

    /** Parses {@code text}; an {@link IllegalArgumentException} names the expression and the error. */
    static CallExpression parse(String option, String text) {
        try {
            return new CallExpression(text, Ognl.parseExpression(text));
        } catch (OgnlException | RuntimeException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is not an OGNL expression: "
                    + oneLine(e) + " (e.g. params[0] == \"user42\", returnObj != null, cost > 5)");
        }
    }

    String text() {
        return text;
    }

    Object value(WatchedCall call) throws OgnlException {
        OgnlContext ctx = contexts.get();
        ctx.setRoot(call);
        return Ognl.getValue(tree, ctx, call);
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

    static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t instanceof OgnlException)) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
        return m.replaceAll("\\s+", " ").strip();
    }
}
