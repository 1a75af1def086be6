package io.parikshan.dsl;

import java.time.Duration;
import java.util.Optional;

/**
 * The execution context of a probe point, as a test body sees it. Values are the live objects of
 * the running code (not copies): read them, do not change them.
 */
public interface ProbeContext {

    /** The probe's name as declared in the suite. */
    String probeName();

    Phase phase();

    /** Binary name of the class declaring the probed method. */
    String typeName();

    String methodName();

    int argCount();

    /** Argument {@code index} (0-based), boxed if primitive. */
    Object arg(int index);

    /**
     * Argument {@code index} as {@code type}.
     *
     * @throws ClassCastException if the argument is not of that type (the run is recorded as an error)
     */
    default <T> T arg(int index, Class<T> type) {
        return cast(arg(index), type, "argument " + index);
    }

    /** {@code this} of the probed call, or null for a static method. */
    Object receiver();

    default <T> T receiver(Class<T> type) {
        return cast(receiver(), type, "receiver");
    }

    /**
     * The receiver's field {@code name} (private ones and a superclass's too) as {@code type}:
     * {@code ctx.field("values", Map.class)}. The value is the live one: read it, do not change it.
     *
     * @throws IllegalArgumentException if there is no such field (the run is recorded as an error)
     * @throws ClassCastException if the field's value is not of that type
     */
    default <T> T field(String name, Class<T> type) {
        Object target = requireReceiver("field " + name);
        return cast(Reach.field(target, name), type, "field " + name);
    }

    /**
     * Calls the receiver's method {@code name} (private ones and a superclass's too) that takes
     * {@code args}: {@code ctx.call("stored", key)}. It runs in the clone like any call of the
     * application, so call what only reads; an exception it throws reaches the test as it is.
     *
     * @throws IllegalArgumentException if there is no such method
     */
    default Object call(String name, Object... args) throws Throwable {
        return Reach.call(requireReceiver("method " + name), name, args);
    }

    private Object requireReceiver(String what) {
        Object r = receiver();
        if (r == null) {
            throw new IllegalStateException(what + ": the probed method " + typeName() + "." + methodName()
                    + " is static, there is no receiver");
        }
        return r;
    }

    /** The return value at {@link Phase#EXIT} (boxed; null for void), otherwise null. */
    Object returnValue();

    default <T> T returnValue(Class<T> type) {
        return cast(returnValue(), type, "return value");
    }

    /** The exception at {@link Phase#EXCEPTION}. */
    Optional<Throwable> thrown();

    /** Time spent in the probed method up to the probe (zero at entry). */
    Duration elapsed();

    /** The application thread that hit the probe point (tests run on a worker thread). */
    Thread thread();

    private static <T> T cast(Object value, Class<T> type, String what) {
        if (value != null && !wrap(type).isInstance(value)) {
            throw new ClassCastException(what + " is a " + value.getClass().getName() + ", not a " + type.getName());
        }
        @SuppressWarnings("unchecked")
        T t = (T) value;
        return t;
    }

    /** The wrapper of a primitive type (int gives Integer), other types as they are. */
    static Class<?> boxed(Class<?> type) {
        return wrap(type);
    }

    private static Class<?> wrap(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        return switch (type.getName()) {
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "boolean" -> Boolean.class;
            case "double" -> Double.class;
            case "float" -> Float.class;
            case "short" -> Short.class;
            case "byte" -> Byte.class;
            case "char" -> Character.class;
            default -> Void.class;
        };
    }
}
