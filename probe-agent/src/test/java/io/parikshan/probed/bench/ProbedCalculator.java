package io.parikshan.probed.bench;

/** Carries a probe whose condition is false for every call. */
public class ProbedCalculator {

    public int add(int a, int b) {
        return a + b;
    }
}
