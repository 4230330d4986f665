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

# Build the agent and the relay with a reactor `package` in one invocation (nothing is installed into
# ~/.m2, so no stale module jars from there), then compile only the agent benchmark classes against
# the jars, so the benchmark runs even while other benchmark packages are mid-change. The agent
# process gets the agent's runtime jars only, as installed (`bench.agentClasspath`); the relay runs
# in the benchmark JVM.
./mvnw -q -B -pl agent,relay -am package dependency:build-classpath -DskipTests \
  -Dspotless.check.skip=true -DincludeScope=runtime -Dmdep.outputFile=target/cp.txt \
  -DexcludeGroupIds=io.outpost
module_jar() { ls "$1"/target/outpost-"$1"-*.jar | grep -v -- '-tests\.jar$' | head -1; }
AGENT_CP="$(module_jar agent):$(module_jar plugin-api):$(module_jar plugin-testkit):$(module_jar realtime-client):$(cat agent/target/cp.txt)"
RELAY_CP="$(module_jar relay):$(cat relay/target/cp.txt)"
javac -d "$OUT/classes" -cp "$AGENT_CP:$RELAY_CP" bench/src/main/java/io/outpost/bench/agent/*.java
CP="$OUT/classes:$AGENT_CP:$RELAY_CP"
JAVA_BENCH=(java -Xmx256m -Doutpost.log.level=warn "-Dbench.agentClasspath=$AGENT_CP")

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -m | awk '/Mem:/ {print $2}') MiB RAM, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"

if [ "$THROUGHPUT_SECONDS" != 0 ]; then
  echo "== throughput"
  "${JAVA_BENCH[@]}" -cp "$CP" io.outpost.bench.agent.AgentBench throughput "$THROUGHPUT_SECONDS" 2> "$OUT/throughput.log"
  echo "== backlog drain"
  "${JAVA_BENCH[@]}" -cp "$CP" io.outpost.bench.agent.AgentBench drain 2> "$OUT/drain.log"
fi
echo "== outpost run process, simulated profile (${PROCESS_SECONDS} s)"
"${JAVA_BENCH[@]}" -Dbench.profile=simulated -cp "$CP" \
  io.outpost.bench.agent.AgentBench process "$PROCESS_SECONDS" "$@" 2> "$OUT/process-simulated.log"
echo "== outpost run process, 10 messages/s (${PROCESS_SECONDS} s)"
"${JAVA_BENCH[@]}" -Dbench.profile=bench -cp "$CP" \
  io.outpost.bench.agent.AgentBench process "$PROCESS_SECONDS" "$@" 2> "$OUT/process.log"
