package io.parikshan.dsl;

/**
 * How often a probe's tests run when its point is hit and its condition holds.
 *
 * @param limit at most this many runs per suite load ({@link Long#MAX_VALUE}: unlimited)
 * @param rate  the fraction of hits that are considered, in (0, 1]
 */
public record Frequency(long limit, double rate) {

    public static final Frequency ALWAYS = new Frequency(Long.MAX_VALUE, 1.0);

    public Frequency {
        if (limit < 1) {
            throw new IllegalArgumentException("at most " + limit + " runs: the limit must be 1 or more");
        }
        if (!(rate > 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException("sampling rate " + rate + " is outside (0, 1]: use e.g. 0.01 for 1% of hits");
        }
    }

    public static Frequency atMost(long limit) {
        return new Frequency(limit, 1.0);
    }

    public static Frequency sampled(double rate) {
        return new Frequency(Long.MAX_VALUE, rate);
    }
}
