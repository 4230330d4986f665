#!/bin/sh
# Realtime client benchmark: publish-and-ack throughput and latency of RealtimeClient next to a bare
# Tyrus client, against a relay in its own JVM, plus the client's idle heap and threads.
# Usage: bench/run-client.sh [messages] [window] [rounds]    (defaults 20000 64 5)
# Builds the relay, realtime-client and test-support modules (reactor package, nothing installed). Only
# the classes of io.outpost.bench.client are compiled, so the other benchmarks do not have to build.
set -eu
cd "$(dirname "$0")/.."
OUT="$(pwd)/bench/target/client-bench"
mkdir -p "$OUT/classes"
# A reactor `package` of the modules it needs and their runtime classpaths in one invocation: nothing
# is installed into ~/.m2 (so no stale module jars from there).
./mvnw -q -B -pl realtime-client,relay,test-support -am package dependency:build-classpath -DskipTests \
  -Dspotless.check.skip=true -DincludeScope=runtime -Dmdep.outputFile=target/cp.txt \
  -DexcludeGroupIds=io.outpost
module_jar() { ls "$1"/target/outpost-"$1"-*.jar | grep -v -- '-tests\.jar$' | head -1; }
echo "$(module_jar realtime-client):$(module_jar relay):$(module_jar test-support):$(cat realtime-client/target/cp.txt):$(cat relay/target/cp.txt):$(cat test-support/target/cp.txt)" \
  > "$OUT/classpath.txt"
javac -encoding UTF-8 --release 17 -d "$OUT/classes" -cp "$(cat "$OUT/classpath.txt")" \
    bench/src/main/java/io/outpost/bench/client/*.java
exec java -Xmx256m -Dtinylog.writer=console -Dtinylog.writer.level=warn \
    -cp "$OUT/classes:$(cat "$OUT/classpath.txt")" io.outpost.bench.client.ClientBench "$@"
