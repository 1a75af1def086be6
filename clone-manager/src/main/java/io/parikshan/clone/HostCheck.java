package io.parikshan.clone;

/**
 * One requirement of the host and whether it holds.
 *
 * @param name   what is checked, e.g. "criu"
 * @param ok     whether it holds
 * @param detail what was found
 * @param remedy what to do when it does not hold (empty when ok)
 */
public record HostCheck(String name, boolean ok, String detail, String remedy) {

    public static HostCheck pass(String name, String detail) {
        return new HostCheck(name, true, detail, "");
    }

    public static HostCheck fail(String name, String detail, String remedy) {
        return new HostCheck(name, false, detail, remedy);
    }

    /** One line: what failed, the value involved, and what to do. */
    public String problem() {
        return name + ": " + detail + "; " + remedy;
    }
}
