package io.parikshan.agent;

/**
 * The root object of a diagnosis expression: one call of a diagnosed method. Property names follow
 * Arthas ({@code params}, {@code target}, {@code returnObj}, {@code throwExp}) so its users' expressions
 * carry over; {@code cost} is in milliseconds (0 at entry). Public for the expression library.
 */
public final class WatchedCall {

    private final String site;
    private final Object target;
    private final Object[] params;
    private final Object returnObj;
    private final Throwable throwExp;
    private final double cost;

    WatchedCall(String site, Object target, Object[] params, Object returnObj, Throwable throwExp, double cost) {
        this.site = site;
        this.target = target;
        this.params = params;
        this.returnObj = returnObj;
        this.throwExp = throwExp;
        this.cost = cost;
    }

    public String getSite() {
        return site;
    }

    public Object getTarget() {
        return target;
    }

    public Object[] getParams() {
        return params;
    }

    public Object getReturnObj() {
        return returnObj;
    }

    public Throwable getThrowExp() {
        return throwExp;
    }

    public double getCost() {
        return cost;
    }
}
