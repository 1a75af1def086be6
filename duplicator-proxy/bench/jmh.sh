#!/usr/bin/env bash
# JMH benchmark of the duplicator's buffer path (DuplicationPathBenchmark). Not a test.
# Usage: [BENCHMARK=FidelityPathBenchmark] duplicator-proxy/bench/jmh.sh [JMH options, e.g. -p chunkBytes=128 -f 1]
set -euo pipefail
MODULE="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$MODULE/.." && pwd)"
cd "$ROOT"
mvn -B -q -pl duplicator-proxy test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$MODULE/target/jmh.classpath"
exec java -cp "$MODULE/target/test-classes:$MODULE/target/classes:$(cat "$MODULE/target/jmh.classpath")" \
  org.openjdk.jmh.Main "${BENCHMARK:-DuplicationPathBenchmark}" "$@"
