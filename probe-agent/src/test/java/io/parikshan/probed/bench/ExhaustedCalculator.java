package io.parikshan.probed.bench;

/** Carries a probe whose run limit (atMost) is used up. */
public class ExhaustedCalculator {

    public int add(int a, int b) {
        return a + b;
    }
}
