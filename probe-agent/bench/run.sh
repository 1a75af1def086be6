#!/usr/bin/env bash
# Runs the probe dispatch JMH benchmark (uninstrumented vs condition-false probe vs exhausted probe,
# side by side in one JVM). Usage: probe-agent/bench/run.sh [extra JMH args, e.g. -f 1 -wi 2 -i 3]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
(cd "$root" && mvn -B -q -pl probe-agent -am install -DskipTests)
(cd "$here" && mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath)
cp="$here/target/test-classes:$here/target/classes:$(cat "$here/target/bench.classpath")"
exec java -cp "$cp" org.openjdk.jmh.Main ProbeDispatchBenchmark -rf text -rff "$here/target/probe-benchmark.txt" "$@"
