#!/bin/sh
# Realtime client benchmark: publish-and-ack throughput and latency of RealtimeClient next to a bare
# Tyrus client (the peer: a general-purpose WebSocket client on NIO), against a relay in its own JVM,
# plus the client's idle heap and threads.
# Usage: bench/run-client.sh [messages] [window] [rounds]    (defaults 20000 64 5)
# Builds the modules with a reactor `package` (nothing is installed into ~/.m2, so no stale module jars
# from there), then compiles only the classes of io.outpost.bench.client against the jars, so the other
# benchmarks do not have to compile.
set -eu
cd "$(dirname "$0")/.."
OUT="$(pwd)/bench/target/client-bench"
mkdir -p "$OUT/classes"
./mvnw -q -B -pl bench -am package dependency:build-classpath -DskipTests -Dspotless.check.skip=true \
    -Dmdep.outputFile=target/cp.txt -DexcludeGroupIds=io.outpost
module_jar() { ls "$1"/target/outpost-"$1"-*.jar | grep -v -- '-tests\.jar$' | head -1; }
CP="$(module_jar realtime-client):$(module_jar relay):$(module_jar test-support):$(cat bench/target/cp.txt)"
echo "$CP" > "$OUT/classpath.txt"
javac -encoding UTF-8 --release 17 -d "$OUT/classes" -cp "$CP" bench/src/main/java/io/outpost/bench/client/*.java
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1); $(date -u +%Y-%m-%dT%H:%MZ)"
exec java -Xmx256m -Doutpost.log.level=warn \
    -cp "$OUT/classes:$CP" io.outpost.bench.client.ClientBench "$@"
