package io.parikshan.agent;

import io.parikshan.agent.boot.DiagDispatcher;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Copied into a diagnosed method (watch, trace, stack). The {@code armed} read comes first: the
 * argument array is built where it is read, so a disarmed method allocates nothing; a zero from
 * {@code enter} (nothing to do at exit) skips the exit call too.
 */
final class DiagAdvice {

    private DiagAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static long enter(@Advice.Origin("#t.#m#s") String site,
                      @Advice.This(optional = true) Object self,
                      @Advice.AllArguments Object[] args) {
        return DiagDispatcher.armed ? DiagDispatcher.enter(site, self, args) : 0L;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Origin("#t.#m#s") String site,
                     @Advice.This(optional = true) Object self,
                     @Advice.AllArguments Object[] args,
                     @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object returned,
                     @Advice.Thrown Throwable thrown,
                     @Advice.Enter long start) {
        if (start != 0L) {
            DiagDispatcher.exit(site, self, args, returned, thrown, start);
        }
    }
}
