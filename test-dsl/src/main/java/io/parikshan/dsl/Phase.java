package io.parikshan.dsl;

/** When, relative to a probed method's execution, a probe fires. */
public enum Phase {
    /** Before the first instruction of the method; arguments and receiver are known. */
    ENTRY,
    /** After a normal return; the return value and elapsed time are known. */
    EXIT,
    /** After the method threw; the exception and elapsed time are known. */
    EXCEPTION
}
