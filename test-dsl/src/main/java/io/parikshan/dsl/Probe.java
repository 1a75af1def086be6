package io.parikshan.dsl;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One probe: where it is, when it fires, under what condition, how often, and the tests it runs.
 * Immutable: every builder call returns a new probe.
 *
 * <pre>{@code
 * Probe.named("greeting")
 *      .inType("com.example.GreetingHandler")
 *      .method("greet")
 *      .on(Phase.EXIT)
 *      .when(ctx -> ctx.arg(0, String.class).startsWith("a"))
 *      .atMost(100)
 *      .test("greets by name", ctx -> assertEquals("hello " + ctx.arg(0), ctx.returnValue()));
 * }</pre>
 *
 * <p>By default a probe fires at the entry and exit of every method of the selected classes,
 * always, with a time limit of one second per test run.
 */
public final class Probe {

    /** Default per-run time limit of a test body. */
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(1);

    private final String name;
    private final TypeSelector types;
    private final MethodSelector methods;
    private final Set<Phase> phases;
    private final ProbeCondition condition;
    private final Frequency frequency;
    private final Duration timeLimit;
    private final List<ProbeTest> tests;

    private Probe(String name, TypeSelector types, MethodSelector methods, Set<Phase> phases,
                  ProbeCondition condition, Frequency frequency, Duration timeLimit, List<ProbeTest> tests) {
        this.name = name;
        this.types = types;
        this.methods = methods;
        this.phases = Set.copyOf(phases);
        this.condition = condition;
        this.frequency = frequency;
        this.timeLimit = timeLimit;
        this.tests = List.copyOf(tests);
    }

    /** Starts a probe; names are unique within a suite and appear in results and metrics. */
    public static Probe named(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || !name.matches("[A-Za-z0-9_.:-]+")) {
            throw new IllegalArgumentException("probe name '" + name
                    + "' must be non-empty letters, digits, '_', '.', ':' or '-'");
        }
        return new Probe(name, TypeSelector.NONE, MethodSelector.ALL, EnumSet.of(Phase.ENTRY, Phase.EXIT),
                ProbeCondition.ALWAYS, Frequency.ALWAYS, DEFAULT_TIME_LIMIT, List.of());
    }

    /** Selects classes whose binary name matches a glob, e.g. {@code com.example.*Handler}. */
    public Probe inType(String glob) {
        return with(types.withName(new NamePattern(glob)), methods, phases, condition, frequency, timeLimit, tests);
    }

    public Probe inType(Class<?> type) {
        return inType(type.getName());
    }

    /** Selects every class of a package and its sub-packages. */
    public Probe inPackage(String packageName) {
        return with(types.withPackage(packageName), methods, phases, condition, frequency, timeLimit, tests);
    }

    /** Selects classes annotated with an annotation, by its fully qualified name. */
    public Probe inTypesAnnotatedWith(String annotationType) {
        return with(types.withAnnotation(annotationType), methods, phases, condition, frequency, timeLimit, tests);
    }

    public Probe inTypesAnnotatedWith(Class<? extends Annotation> annotationType) {
        return inTypesAnnotatedWith(annotationType.getName());
    }

    /** Narrows to methods whose name matches a glob (repeat to allow several). */
    public Probe method(String glob) {
        return with(types, methods.withName(new NamePattern(glob)), phases, condition, frequency, timeLimit, tests);
    }

    /** Narrows to methods carrying an annotation, by its fully qualified name. */
    public Probe methodsAnnotatedWith(String annotationType) {
        return with(types, methods.withAnnotation(annotationType), phases, condition, frequency, timeLimit, tests);
    }

    public Probe methodsAnnotatedWith(Class<? extends Annotation> annotationType) {
        return methodsAnnotatedWith(annotationType.getName());
    }

    /** Fires only at these phases (replaces the default entry + exit). */
    public Probe on(Phase first, Phase... more) {
        return with(types, methods, EnumSet.of(first, more), condition, frequency, timeLimit, tests);
    }

    /** Runs the tests only for hits where the condition holds (evaluated on the application thread). */
    public Probe when(ProbeCondition condition) {
        return with(types, methods, phases, Objects.requireNonNull(condition, "condition"), frequency, timeLimit, tests);
    }

    /** Runs the tests at most {@code limit} times per suite load. */
    public Probe atMost(long limit) {
        return with(types, methods, phases, condition, new Frequency(limit, frequency.rate()), timeLimit, tests);
    }

    /** Considers only a random fraction of hits, e.g. {@code 0.01}. */
    public Probe sampled(double rate) {
        return with(types, methods, phases, condition, new Frequency(frequency.limit(), rate), timeLimit, tests);
    }

    /** Every hit whose condition holds runs the tests (the default). */
    public Probe always() {
        return with(types, methods, phases, condition, Frequency.ALWAYS, timeLimit, tests);
    }

    /** Time limit of each test run; past it the run is recorded as a timeout and interrupted. */
    public Probe timeLimit(Duration limit) {
        Objects.requireNonNull(limit, "limit");
        if (limit.isNegative() || limit.isZero() || limit.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("time limit " + limit + " must be above zero and at most 5 minutes");
        }
        return with(types, methods, phases, condition, frequency, limit, tests);
    }

    /** Adds a test run at this probe. */
    public Probe test(String testName, ProbeTestBody body) {
        ProbeTest t = new ProbeTest(testName, body);
        for (ProbeTest existing : tests) {
            if (existing.name().equals(testName)) {
                throw new IllegalArgumentException("probe '" + name + "' already has a test named '" + testName + "'");
            }
        }
        return with(types, methods, phases, condition, frequency, timeLimit, TypeSelector.append(tests, t));
    }

    /**
     * Checks that the probe can be installed.
     *
     * @throws IllegalStateException naming the probe and what is missing
     */
    public Probe validate() {
        if (types.isEmpty()) {
            throw new IllegalStateException("probe '" + name
                    + "' selects no classes: add inType(..), inPackage(..) or inTypesAnnotatedWith(..)");
        }
        if (tests.isEmpty()) {
            throw new IllegalStateException("probe '" + name + "' has no tests: add test(\"name\", ctx -> ...)");
        }
        return this;
    }

    public String name() {
        return name;
    }

    public TypeSelector types() {
        return types;
    }

    public MethodSelector methods() {
        return methods;
    }

    public Set<Phase> phases() {
        return phases;
    }

    public ProbeCondition condition() {
        return condition;
    }

    public Frequency frequency() {
        return frequency;
    }

    public Duration timeLimit() {
        return timeLimit;
    }

    public List<ProbeTest> tests() {
        return tests;
    }

    private Probe with(TypeSelector t, MethodSelector m, Set<Phase> p, ProbeCondition c, Frequency f,
                       Duration limit, List<ProbeTest> ts) {
        return new Probe(name, t, m, p, c, f, limit, ts);
    }

    @Override
    public String toString() {
        return "Probe[" + name + " types=" + types + " methods=" + methods + " phases=" + phases
                + " frequency=" + frequency + " tests=" + tests.stream().map(ProbeTest::name).toList() + "]";
    }
}
