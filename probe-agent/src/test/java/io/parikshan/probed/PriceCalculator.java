package io.parikshan.probed;

/** A small piece of "application" code that the local-runtime tests probe. */
public class PriceCalculator {

    public long total(long unitCents, int quantity) {
        if (quantity < 0) {
            throw new IllegalArgumentException("negative quantity " + quantity);
        }
        return unitCents * quantity;
    }

    public static long roundToTen(long cents) {
        return (cents + 5) / 10 * 10;
    }

    public String label(String item) {
        return item.toUpperCase();
    }
}
