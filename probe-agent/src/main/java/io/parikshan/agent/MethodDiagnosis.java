package io.parikshan.agent;

import io.parikshan.agent.boot.DiagDispatcher;
import io.parikshan.agent.boot.DiagHandler;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.nameMatches;
import static net.bytebuddy.matcher.ElementMatchers.not;

/**
 * A running watch, trace or stack: the advice in the matched methods, the expressions, the events
 * written so far. {@link #end} removes the advice by retransformation and checks that every class's
 * code is back to its digest from before the start.
 */
final class MethodDiagnosis implements DiagHandler {

    private final DiagnosisRequest request;
    private final DiagnosisLog log;
    private final CallExpression when;
    private final CallExpression show;
    private final Map<Class<?>, List<Method>> targets;
    private final Map<Class<?>, String> digestsBefore = new LinkedHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger emitted = new AtomicInteger();
    private final AtomicBoolean whenFailed = new AtomicBoolean();
    private final AtomicBoolean showFailed = new AtomicBoolean();
    private final ThreadLocal<TraceFrame> frames = ThreadLocal.withInitial(TraceFrame::new);
    private final boolean whenAtEntry;
    private ResettableClassFileTransformer transformer;
    private Instrumentation installedWith;

    private MethodDiagnosis(DiagnosisRequest request, DiagnosisLog log, Map<Class<?>, List<Method>> targets,
                            java.util.concurrent.Executor compiler) {
        this.request = request;
        this.log = log;
        this.targets = targets;
        // --when runs on every call, so it is compiled; --show only on the calls shown.
        this.when = request.when() == null ? null : CallExpression.parse("--when", request.when(), compiler);
        this.show = request.show() == null ? null : CallExpression.parse("--show", request.show());
        // A condition over the arguments and receiver only is decided at entry: a false one then costs no timestamp.
        this.whenAtEntry = when != null && request.kind() == DiagnosisRequest.Kind.WATCH
                && !request.when().matches(".*\\b(returnObj|throwExp|cost)\\b.*");
    }

    /** Validates everything, then instruments; on any failure nothing stays installed. */
    static MethodDiagnosis start(Instrumentation inst, DiagnosisRequest request, DiagnosisLog log,
                                 java.util.concurrent.Executor compiler) throws Exception {
        MethodPattern pattern = MethodPattern.parse(request.method());
        if (request.when() != null) {
            CallExpression.parse("--when", request.when());
        }
        if (request.show() != null) {
            CallExpression.parse("--show", request.show());
        }
        Map<Class<?>, List<Method>> targets = pattern.resolve(inst, request.force());
        MethodDiagnosis d = new MethodDiagnosis(request, log, targets, compiler);
        for (Class<?> c : targets.keySet()) {
            d.digestsBefore.put(c, AgentActions.classCodeDigest(inst, c));
        }
        d.install(inst, pattern);
        return d;
    }

    private void install(Instrumentation inst, MethodPattern pattern) {
        List<String> errors = new CopyOnWriteArrayList<>();
        ElementMatcher.Junction<MethodDescription> methods = isMethod().and(nameMatches(pattern.method().pattern()))
                .and(not(isSynthetic())).and(not(isBridge()))
                .and(m -> !m.isAbstract() && !m.isNative());
        Advice advice = Advice.to(DiagAdvice.class);
        boolean trace = request.kind() == DiagnosisRequest.Kind.TRACE;
        DiagDispatcher.install(this);
        installedWith = inst;
        transformer = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(new AgentBuilder.RedefinitionStrategy.Listener.Adapter() {
                    @Override
                    public Iterable<? extends List<Class<?>>> onError(int index, List<Class<?>> batch, Throwable t,
                                                                      List<Class<?>> types) {
                        errors.add("retransforming " + batch + " failed: " + t);
                        return List.of();
                    }
                })
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable t) {
                        errors.add("instrumenting " + typeName + " failed: " + t);
                    }
                })
                .ignore(net.bytebuddy.matcher.ElementMatchers.none())
                .type((AgentBuilder.RawMatcher) (type, loader, module, redefined, domain) ->
                        redefined != null && targets.containsKey(redefined))
                .transform((builder, type, loader, module, domain) -> {
                    var b = builder.visit(advice.on(methods));
                    return trace ? b.visit(new TraceCalls(methods, this::callSite)) : b;
                })
                .installOn(inst);
        if (!errors.isEmpty()) {
            end(inst, "failed");
            throw new IllegalStateException(errors.get(0));
        }
    }

    private synchronized int callSite(String description) {
        calls.add(description);
        return calls.size() - 1;
    }

    int methodCount() {
        return targets.values().stream().mapToInt(List::size).sum();
    }

    Map<Class<?>, List<Method>> targets() {
        return targets;
    }

    DiagnosisRequest request() {
        return request;
    }

    /**
     * Removes the advice (retransforming to the original bytes) and writes, then returns, one line per
     * class: {@code restored <class> code <digest> as-before} or {@code ... CHANGED}.
     */
    synchronized List<String> end(Instrumentation inst, String reason) {
        DiagDispatcher.install(null);
        List<String> lines = new ArrayList<>();
        if (transformer != null) {
            // The Instrumentation the transformer was added to: each attach has its own, and only that one removes it.
            if (!transformer.reset(installedWith, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)) {
                lines.add("warning: the advice's transformer was not registered any more");
            }
            transformer = null;
        }
        if (when != null) {
            lines.add("when " + when.compileOutcome());
            log.write("expression", "--when " + when.compileOutcome(), "\"option\":\"--when\",\"outcome\":"
                    + Json.quote(when.compileOutcome()));
        }
        for (Map.Entry<Class<?>, String> e : digestsBefore.entrySet()) {
            String now;
            try {
                now = AgentActions.classCodeDigest(inst, e.getKey());
            } catch (Exception ex) {
                now = "unreadable (" + ex.getMessage() + ")";
            }
            boolean same = now.equals(e.getValue());
            String line = "restored " + e.getKey().getName() + " code " + now + (same ? " as-before" : " CHANGED");
            lines.add(line);
            log.write("restored", line, "\"class\":" + Json.quote(e.getKey().getName()) + ",\"code\":" + Json.quote(now)
                    + ",\"asBefore\":" + same);
        }
        log.end(emitted.get() >= request.limit() ? "limit of " + request.limit() + " reached" : reason);
        return lines;
    }

    // ---- the advice's handler; never throws (the advice suppresses, but a throw would cost a stack trace)

    /**
     * Small on purpose, so the JIT inlines it into the advised method: a false condition over the
     * arguments then allocates nothing (neither the argument array nor the call's view escape).
     */
    @Override
    public long enter(String site, Object self, Object[] args) {
        if (whenAtEntry && !passes(new WatchedCall(site, self, args, null, null, 0))) {
            return 0L;
        }
        return enterMatched(site, self, args);
    }

    private long enterMatched(String site, Object self, Object[] args) {
        if (Thread.currentThread() instanceof ProbeWorker) {
            return 0L;
        }
        switch (request.kind()) {
            case TRACE -> {
                TraceFrame f = frames.get();
                if (f.depth++ == 0) {
                    f.reset(calls.size());
                }
                return Math.max(1L, System.nanoTime());
            }
            case STACK -> {
                WatchedCall call = new WatchedCall(site, self, args, null, null, 0);
                if (passes(call)) {
                    emitStack(site);
                }
                return 0L;
            }
            default -> {
                if (request.at() == DiagnosisRequest.At.ENTRY) {
                    WatchedCall call = new WatchedCall(site, self, args, null, null, 0);
                    if (whenAtEntry || passes(call)) {
                        emitWatch("entry", call);
                    }
                    return 0L;
                }
                return Math.max(1L, System.nanoTime());
            }
        }
    }

    @Override
    public void exit(String site, Object self, Object[] args, Object returned, Throwable thrown, long start) {
        if (Thread.currentThread() instanceof ProbeWorker) {
            return;
        }
        double costMs = (System.nanoTime() - start) / 1e6;
        if (request.kind() == DiagnosisRequest.Kind.TRACE) {
            TraceFrame f = frames.get();
            if (--f.depth == 0 && costMs >= request.costOverMillis()) {
                emitTrace(site, costMs, f, thrown);
            }
            return;
        }
        if (request.at() == DiagnosisRequest.At.ERROR && thrown == null) {
            return;
        }
        WatchedCall call = new WatchedCall(site, self, args, returned, thrown, costMs);
        if (whenAtEntry || passes(call)) {
            emitWatch(thrown == null ? "exit" : "error", call);
        }
    }

    @Override
    public void callBefore(int call) {
        TraceFrame f = frames.get();
        if (f.depth == 1 && call < f.starts.length) {
            f.starts[call] = System.nanoTime();
        }
    }

    @Override
    public void callAfter(int call) {
        TraceFrame f = frames.get();
        if (f.depth == 1 && call < f.starts.length && f.starts[call] != 0) {
            f.nanos[call] += System.nanoTime() - f.starts[call];
            f.counts[call]++;
            f.starts[call] = 0;
        }
    }

    private boolean passes(WatchedCall call) {
        if (when == null) {
            return true;
        }
        try {
            return when.test(call);
        } catch (Exception | LinkageError e) {
            whenFailed(e);
            return false;
        }
    }

    private void whenFailed(Throwable e) {
        expressionError(whenFailed, "--when", when, e);
    }

    /** An expression that fails is said once; the diagnosis goes on (a false condition, an empty view). */
    private void expressionError(AtomicBoolean said, String option, CallExpression e, Throwable t) {
        if (said.compareAndSet(false, true)) {
            String text = option + " '" + e.text() + "' failed: " + CallExpression.oneLine(t)
                    + " (said once; calls where it fails are " + ("--when".equals(option) ? "skipped)" : "shown without it)");
            log.write("error", text, "\"option\":" + Json.quote(option) + ",\"expression\":" + Json.quote(e.text()));
        }
    }

    /** Counts an event; false once the limit is reached (then the advice is disarmed until the host ends it). */
    private boolean take() {
        int n = emitted.incrementAndGet();
        if (n > request.limit()) {
            return false;
        }
        if (n == request.limit()) {
            DiagDispatcher.armed = false;
        }
        return true;
    }

    /** Tells the host once the limit is reached; the host then ends the diagnosis (and the advice goes). */
    private void limitReached() {
        if (emitted.get() == request.limit()) {
            log.write("limit", "limit of " + request.limit() + " reached", "\"limit\":" + request.limit());
        }
    }

    private void emitWatch(String at, WatchedCall call) {
        if (!take()) {
            return;
        }
        String thread = Thread.currentThread().getName();
        String params = ValueText.of(call.getParams());
        String target = ValueText.fields(call.getTarget());
        String result = call.getThrowExp() != null ? ValueText.of(call.getThrowExp()) : ValueText.of(call.getReturnObj());
        String shown = null;
        if (show != null) {
            try {
                shown = ValueText.of(show.value(call));
            } catch (Exception | LinkageError e) {
                expressionError(showFailed, "--show", show, e);
            }
        }
        StringBuilder text = new StringBuilder().append(at).append(' ').append(call.getSite())
                .append(String.format(java.util.Locale.ROOT, " cost=%.3fms", call.getCost())).append(" thread=").append(thread);
        if (shown != null) {
            text.append(" show=").append(shown);
        } else {
            text.append(" params=").append(params);
            if (!"entry".equals(at)) {
                text.append(call.getThrowExp() != null ? " throwExp=" : " returnObj=").append(result);
            }
            text.append(" target=").append(target);
        }
        log.write("call", text.toString(), "\"at\":" + Json.quote(at) + ",\"site\":" + Json.quote(call.getSite())
                + ",\"thread\":" + Json.quote(thread) + ",\"costMs\":" + call.getCost()
                + ",\"params\":" + Json.quote(params) + ",\"target\":" + Json.quote(target)
                + ",\"returnObj\":" + (call.getThrowExp() == null && !"entry".equals(at) ? Json.quote(result) : "null")
                + ",\"throwExp\":" + (call.getThrowExp() != null ? Json.quote(result) : "null")
                + ",\"show\":" + (shown == null ? "null" : Json.quote(shown)));
        limitReached();
    }

    private void emitStack(String site) {
        if (!take()) {
            return;
        }
        StackTraceElement[] all = Thread.currentThread().getStackTrace();
        List<String> frames = new ArrayList<>();
        boolean seen = false;
        for (StackTraceElement e : all) {
            String cls = e.getClassName();
            if (!seen && (cls.startsWith("io.parikshan.agent.") || cls.equals(Thread.class.getName()))) {
                continue;
            }
            seen = true;
            frames.add(e.toString());
        }
        String thread = Thread.currentThread().getName();
        StringBuilder text = new StringBuilder("stack of ").append(site).append(" thread=").append(thread);
        StringBuilder json = new StringBuilder("[");
        for (String f : frames) {
            text.append("\n    at ").append(f);
            json.append(json.length() == 1 ? "" : ",").append(Json.quote(f));
        }
        log.write("stack", text.toString(), "\"site\":" + Json.quote(site) + ",\"thread\":" + Json.quote(thread)
                + ",\"frames\":" + json.append(']'));
        limitReached();
    }

    private void emitTrace(String site, double costMs, TraceFrame f, Throwable thrown) {
        if (!take()) {
            return;
        }
        String thread = Thread.currentThread().getName();
        StringBuilder text = new StringBuilder(String.format(java.util.Locale.ROOT, "`---[%.3fms] %s thread=%s%s",
                costMs, site, thread, thrown == null ? "" : " threw " + ValueText.of(thrown)));
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < f.counts.length && i < calls.size(); i++) {
            if (f.counts[i] == 0) {
                continue;
            }
            double ms = f.nanos[i] / 1e6;
            text.append(String.format(java.util.Locale.ROOT, "%n    +---[%.3fms] %s%s", ms, calls.get(i),
                    f.counts[i] > 1 ? " x" + f.counts[i] : ""));
            json.append(json.length() == 1 ? "" : ",").append("{\"call\":").append(Json.quote(calls.get(i)))
                    .append(",\"costMs\":").append(ms).append(",\"count\":").append(f.counts[i]).append('}');
        }
        log.write("trace", text.toString(), "\"site\":" + Json.quote(site) + ",\"thread\":" + Json.quote(thread)
                + ",\"costMs\":" + costMs + ",\"children\":" + json.append(']'));
        limitReached();
    }

    /** One thread's trace of the outermost traced call it is in: per call site, total time and count. */
    private static final class TraceFrame {
        int depth;
        long[] starts = new long[0];
        long[] nanos = new long[0];
        int[] counts = new int[0];

        void reset(int sites) {
            starts = new long[sites];
            nanos = new long[sites];
            counts = new int[sites];
        }
    }
}
