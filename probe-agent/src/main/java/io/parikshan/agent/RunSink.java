package io.parikshan.agent;

import io.parikshan.dsl.ProbeRun;

/** Where recorded runs go besides the suite's own memory (the JSON-lines log). */
@FunctionalInterface
interface RunSink {

    RunSink NONE = run -> { };

    void record(ProbeRun run);
}
