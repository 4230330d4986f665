#!/usr/bin/env bash
# Agent benchmarks (see bench/README.md, "Agent"): records/s through the durable outbox to a relay,
# drain time of a one-hour backlog, and `outpost run` as a process with the launchers' JVM flags and
# environment, read from the AGENT_JAVA_OPTS / AGENT_MALLOC_ARENA_MAX lines of ./outpost (which must
# match dist/src/deb/bin/outpost): resident memory and CPU on the bundled `simulated` profile, then
# time to first acked telemetry and disk bytes per message at 10 messages/s.
#
#   bench/run-agent.sh [THROUGHPUT_SECONDS] [PROCESS_SECONDS] [extra JVM flags for the agent process…]
#   defaults:           20                   300
#   THROUGHPUT_SECONDS 0 skips the throughput and drain modes (e.g. `bench/run-agent.sh 0 120` for memory work).
set -euo pipefail
cd "$(dirname "$0")/.."

THROUGHPUT_SECONDS=${1:-20}
PROCESS_SECONDS=${2:-300}
shift $(( $# > 2 ? 2 : $# )) || true
OUT=bench/target/agent-bench
mkdir -p "$OUT/classes"

# Build the agent (and what it needs), then compile only the agent benchmark classes against it, so
# the benchmark runs even while other benchmark packages are mid-change. Runtime scope only: the
# agent process gets the same jars as an installed agent (test jars would cost it memory).
./mvnw -q -B -pl agent install -DskipTests
./mvnw -q -B -pl agent dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=target/cp.txt
AGENT_CP="$(ls agent/target/outpost-agent-*.jar | head -1):$(cat agent/target/cp.txt)"
javac -d "$OUT/classes" -cp "$AGENT_CP" bench/src/main/java/io/outpost/bench/agent/*.java
CP="$OUT/classes:$AGENT_CP"

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -m | awk '/Mem:/ {print $2}') MiB RAM, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"

if [ "$THROUGHPUT_SECONDS" != 0 ]; then
  echo "== throughput"
  java -Xmx256m -Dtinylog.writer=console -Dtinylog.writer.level=warn -cp "$CP" io.outpost.bench.agent.AgentBench throughput "$THROUGHPUT_SECONDS" 2> "$OUT/throughput.log"
  echo "== backlog drain"
  java -Xmx256m -Dtinylog.writer=console -Dtinylog.writer.level=warn -cp "$CP" io.outpost.bench.agent.AgentBench drain 2> "$OUT/drain.log"
fi
echo "== outpost run process, simulated profile (${PROCESS_SECONDS} s)"
java -Xmx256m -Dtinylog.writer=console -Dtinylog.writer.level=warn -Dbench.profile=simulated -cp "$CP" \
  io.outpost.bench.agent.AgentBench process "$PROCESS_SECONDS" "$@" 2> "$OUT/process-simulated.log"
echo "== outpost run process, 10 messages/s (${PROCESS_SECONDS} s)"
java -Xmx256m -Dtinylog.writer=console -Dtinylog.writer.level=warn -Dbench.profile=bench -cp "$CP" \
  io.outpost.bench.agent.AgentBench process "$PROCESS_SECONDS" "$@" 2> "$OUT/process.log"
