package io.parikshan.probed.server;

/** Greets once and returns: the JVM must exit even with the agent's threads around. */
public final class GreetOnce {

    private GreetOnce() {
    }

    public static void main(String[] args) {
        System.out.println(new Greeter().greet(args.length > 0 ? args[0] : "bob"));
    }
}
