#!/bin/sh
# Realtime client benchmark: publish-and-ack throughput and latency of RealtimeClient next to a bare
# Tyrus client, against a relay in its own JVM, plus the client's idle heap and threads.
# Usage: bench/run-client.sh [messages] [window] [rounds]    (defaults 20000 64 5)
# Needs the relay, realtime-client and test-support modules installed in the local Maven repository. Only
# the classes of io.outpost.bench.client are compiled, so the other benchmarks do not have to build.
set -eu
cd "$(dirname "$0")/.."
OUT="$(pwd)/bench/target/client-bench"
mkdir -p "$OUT/classes"
./mvnw -q -B -pl bench dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt"
javac -encoding UTF-8 --release 17 -d "$OUT/classes" -cp "$(cat "$OUT/classpath.txt")" \
    bench/src/main/java/io/outpost/bench/client/*.java
exec java -Xmx256m -Dtinylog.writer=console -Dtinylog.writer.level=warn \
    -cp "$OUT/classes:$(cat "$OUT/classpath.txt")" io.outpost.bench.client.ClientBench "$@"
