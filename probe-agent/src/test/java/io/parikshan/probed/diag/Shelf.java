package io.parikshan.probed.diag;

import java.util.HashMap;
import java.util.Map;

/** A tiny store for the diagnosis tests: a private field, a method that returns, one that throws. */
public final class Shelf {

    private final Map<String, String> items = new HashMap<>();
    private int reads;

    public void put(String key, String value) {
        items.put(key, value);
    }

    public String get(String key) {
        reads++;
        return lookUp(key);
    }

    private String lookUp(String key) {
        return items.get(key.toLowerCase(java.util.Locale.ROOT));
    }

    public String require(String key) {
        String v = get(key);
        if (v == null) {
            throw new IllegalStateException("no " + key);
        }
        return v;
    }
}
