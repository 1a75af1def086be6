package io.parikshan.probed;

/** An annotated class with one annotated method. */
@Audited
public class Ledger {

    private long balance;

    @Audited
    public long credit(long amount) {
        balance += amount;
        return balance;
    }

    public long balance() {
        return balance;
    }
}
