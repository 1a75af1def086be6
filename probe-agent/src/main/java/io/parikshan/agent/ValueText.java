package io.parikshan.agent;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/** Application values as short text for a diagnosis line: strings quoted, arrays listed, everything cut at a bound. */
final class ValueText {

    static final int MAX = 300;

    private ValueText() {
    }

    static String of(Object v) {
        String s;
        try {
            if (v == null) {
                s = "null";
            } else if (v instanceof CharSequence c) {
                s = "\"" + c + "\"";
            } else if (v instanceof Object[] a) {
                StringBuilder b = new StringBuilder("[");
                for (int i = 0; i < a.length; i++) {
                    b.append(i == 0 ? "" : ", ").append(of(a[i]));
                }
                s = b.append(']').toString();
            } else if (v.getClass().isArray()) {
                s = arrayOfPrimitives(v);
            } else {
                s = String.valueOf(v);
            }
        } catch (RuntimeException e) {
            s = v.getClass().getName() + "(toString threw " + e.getClass().getSimpleName() + ")";
        }
        return s.length() > MAX ? s.substring(0, MAX) + "...(" + s.length() + " chars)" : s;
    }

    /** The receiver's own and inherited instance fields, {@code {name=value, ...}}. */
    static String fields(Object target) {
        if (target == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("{");
        for (Class<?> c = target.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) {
                    continue;
                }
                b.append(b.length() == 1 ? "" : ", ").append(f.getName()).append('=');
                try {
                    f.setAccessible(true);
                    b.append(of(f.get(target)));
                } catch (RuntimeException | IllegalAccessException e) {
                    b.append("(unreadable)");
                }
            }
        }
        return b.append('}').toString();
    }

    private static String arrayOfPrimitives(Object a) {
        if (a instanceof int[] x) {
            return Arrays.toString(x);
        } else if (a instanceof long[] x) {
            return Arrays.toString(x);
        } else if (a instanceof byte[] x) {
            return Arrays.toString(x);
        } else if (a instanceof char[] x) {
            return Arrays.toString(x);
        } else if (a instanceof double[] x) {
            return Arrays.toString(x);
        } else if (a instanceof boolean[] x) {
            return Arrays.toString(x);
        }
        return String.valueOf(a);
    }
}
