#!/usr/bin/env bash
# Catch-up after an outage (see bench/README.md, "Agent", mode catchup): backlogs of HOURS at one
# telemetry message a second are drained at the agent's default rate while live telemetry keeps
# going; then the first length once more with every row sent alone (the uplink before replay
# envelopes) for comparison.
#
#   bench/run-catchup.sh [HOURS…]      default: 1 24 168
#
# Builds with a reactor `package` (nothing is installed into ~/.m2) and compiles only the agent
# benchmark classes against the modules' jars.
set -euo pipefail
cd "$(dirname "$0")/.."
HOURS=("${@:-1 24 168}")
# shellcheck disable=SC2206
HOURS=(${HOURS[*]})
OUT=bench/target/agent-bench
mkdir -p "$OUT/classes"

# One invocation, so the reactor resolves the modules to the jars it just packaged.
./mvnw -q -B -pl agent,relay -am package dependency:build-classpath -DskipTests \
  -Dspotless.check.skip=true -DincludeScope=runtime -Dmdep.outputFile=target/cp.txt \
  -DexcludeGroupIds=io.outpost
CP="$(ls agent/target/outpost-agent-*.jar | head -1):$(ls relay/target/outpost-relay-*.jar | head -1)"
CP="$CP:$(ls realtime-client/target/outpost-realtime-client-*.jar | head -1):$(ls plugin-api/target/outpost-plugin-api-*.jar | head -1)"
CP="$CP:$(cat agent/target/cp.txt):$(cat relay/target/cp.txt)"
javac -d "$OUT/classes" -cp "$CP" bench/src/main/java/io/outpost/bench/agent/*.java
CP="$OUT/classes:$CP"

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -m | awk '/Mem:/ {print $2}') MiB RAM, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
run() {
  java -Xmx256m -Doutpost.log.level=warn -cp "$CP" \
    io.outpost.bench.agent.AgentBench catchup "$@" 2>> "$OUT/catchup.log"
}
run "${HOURS[0]}" --wakeups
for h in "${HOURS[@]:1}"; do
  run "$h"
done
run "${HOURS[0]}" --unpacked
