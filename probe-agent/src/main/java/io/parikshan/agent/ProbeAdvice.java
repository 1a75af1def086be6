package io.parikshan.agent;

import io.parikshan.agent.boot.ProbeDispatcher;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Copied into every probed method. Tiny on purpose: hand everything to the bootstrap-visible
 * dispatcher; {@code suppress} keeps any agent failure away from the application.
 */
final class ProbeAdvice {

    private ProbeAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static long enter(@SuiteId String suite,
                      @Advice.Origin("#t.#m#d") String site,
                      @Advice.This(optional = true) Object self,
                      @Advice.AllArguments Object[] args) {
        return ProbeDispatcher.enter(suite, site, self, args);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@SuiteId String suite,
                     @Advice.Origin("#t.#m#d") String site,
                     @Advice.This(optional = true) Object self,
                     @Advice.AllArguments Object[] args,
                     @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object returned,
                     @Advice.Thrown Throwable thrown,
                     @Advice.Enter long start) {
        ProbeDispatcher.exit(suite, site, self, args, returned, thrown, start);
    }
}
