#!/usr/bin/env bash
# Relay benchmark: idle connections + heap per connection, fan-out throughput, publish-to-deliver latency.
# The relay and the load run in separate JVMs (each process may hold up to `ulimit -n` sockets).
#
#   bench/run-relay.sh [CONNECTIONS] [SUBSCRIBERS] [SECONDS] [LATENCY_MESSAGES]
#   defaults:           10000         100           10        10000
#
# Environment: RELAY_HEAP (default 1g) is the relay's -Xmx; PORT (default 8788).
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${1:-10000}
SUBSCRIBERS=${2:-100}
SECONDS_=${3:-10}
LATENCY_MESSAGES=${4:-10000}
RELAY_HEAP=${RELAY_HEAP:-1g}
PORT=${PORT:-8788}
OUT=bench/target/relay-bench
mkdir -p "$OUT"

# Build the relay with a reactor `package` and its runtime classpath in one invocation (nothing is
# installed into ~/.m2, so no stale module jars from there), then compile only the relay benchmark
# classes against the jar (they need nothing else, so the benchmark runs even while other modules are
# mid-change); the one test-support class the load client uses is compiled from source.
./mvnw -q -B -pl relay -am package dependency:build-classpath -DskipTests \
  -Dspotless.check.skip=true -DincludeScope=runtime -Dmdep.outputFile=target/cp.txt \
  -DexcludeGroupIds=io.outpost
RELAY_JAR=$(ls relay/target/outpost-relay-*.jar | grep -v -- '-tests\.jar$' | head -1)
RELAY_CP="$RELAY_JAR:$(cat relay/target/cp.txt)"
mkdir -p "$OUT/classes"
javac -d "$OUT/classes" -cp "$RELAY_CP" bench/src/main/java/io/outpost/bench/relay/*.java \
    test-support/src/main/java/io/outpost/testsupport/StrictWsClient.java
CP="$OUT/classes:$RELAY_CP"

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -m | awk '/Mem:/ {print $2}') MiB RAM"
echo "java: $(java -version 2>&1 | head -1)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"

SERVER_PID=
CLIENT_PID=
cleanup() {
  [ -n "$CLIENT_PID" ] && kill "$CLIENT_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

wait_for() { # file pattern seconds
  local deadline=$((SECONDS + $3))
  until grep -q "$2" "$1" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1; fi
    sleep 0.5
  done
}

java -Xmx"$RELAY_HEAP" -cp "$CP" io.outpost.bench.relay.RelayBenchServer "$PORT" > "$OUT/server.log" 2>&1 &
SERVER_PID=$!
wait_for "$OUT/server.log" "^READY" 30
wait_for "$OUT/server.log" "SETTLED connections=0 " 30
BASE=$(sed -n 's/^SETTLED connections=0 heapUsed=\([0-9.]*\)MB.*/\1/p' "$OUT/server.log" | tail -1)

echo "== (a) $CONNECTIONS idle connections, relay heap -Xmx$RELAY_HEAP"
java -Xmx2g -cp "$CP" io.outpost.bench.relay.RelayBenchClient "$PORT" idle "$CONNECTIONS" > "$OUT/idle.log" 2>&1 &
CLIENT_PID=$!
wait_for "$OUT/idle.log" "^CONNECTED" 300
cat "$OUT/idle.log"
OPEN=$(sed -n 's/^CONNECTED \([0-9]*\).*/\1/p' "$OUT/idle.log")
wait_for "$OUT/server.log" "SETTLED connections=$OPEN " 60
HEAP=$(sed -n "s/^SETTLED connections=$OPEN heapUsed=\([0-9.]*\)MB.*/\1/p" "$OUT/server.log" | tail -1)
awk -v b="$BASE" -v h="$HEAP" -v n="$OPEN" \
  'BEGIN { printf "relay heap after GC: %.1f MB idle, %.1f MB with %d connections = %.1f KB per connection\n", b, h, n, (h-b)*1024/n }'
kill "$CLIENT_PID"; wait "$CLIENT_PID" 2>/dev/null || true; CLIENT_PID=
wait_for "$OUT/server.log" "SETTLED connections=0 " 120 || true

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }

echo "== (b) fan-out: $SUBSCRIBERS subscribers on one channel, ${SECONDS_} s"
BEFORE=$(cpu_ticks)
java -Xmx1g -cp "$CP" io.outpost.bench.relay.RelayBenchClient "$PORT" fanout "$SUBSCRIBERS" "$SECONDS_" | tee "$OUT/fanout.log"
AFTER=$(cpu_ticks)
TOTAL=$(sed -n 's/.*whole run incl. warm-up: \([0-9]*\) deliveries.*/\1/p' "$OUT/fanout.log")
# CPU the relay process itself burned per delivery: a figure that does not depend on what else the machine runs.
awk -v t=$((AFTER - BEFORE)) -v hz="$(getconf CLK_TCK)" -v n="$TOTAL" \
  'BEGIN { s = t / hz; printf "relay CPU: %.1f s for %d deliveries = %.1f us per delivery (%.0f deliveries per CPU-second)\n", s, n, s * 1e6 / n, n / s }'

echo "== (c) publish-to-deliver latency, $LATENCY_MESSAGES messages"
java -Xmx1g -cp "$CP" io.outpost.bench.relay.RelayBenchClient "$PORT" latency "$LATENCY_MESSAGES" | tee "$OUT/latency.log"
