package io.parikshan.probed.bench;

/** The same method under `parikshan probe watch` with a --when that is false for every call. */
public class WatchedCalculator {

    public int add(int a, int b) {
        return a + b;
    }
}
