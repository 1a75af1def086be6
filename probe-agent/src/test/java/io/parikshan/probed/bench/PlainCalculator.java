package io.parikshan.probed.bench;

/** Never selected by any probe: the uninstrumented baseline. */
public class PlainCalculator {

    public int add(int a, int b) {
        return a + b;
    }
}
