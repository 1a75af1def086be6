package io.parikshan.probed.server;

/** The service's business logic, the method the probe tests look into. */
public final class Greeter {

    public String greet(String name) {
        return "hello, " + name;
    }
}
