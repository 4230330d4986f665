#!/usr/bin/env bash
# The MQTT bridge against Mosquitto's own bridge under the same load (docs/performance.md, "MQTT bridge").
# Usage: bench/run-bridge.sh [MESSAGES]   (needs mosquitto: apt-get install mosquitto)
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
CP_FILE="$ROOT/bench/target/bridge-bench.classpath"
# In one reactor run, so the project's own modules resolve to what was just built (bench is built last
# and writes the file last).
./mvnw -B -q -o -pl bench -am package dependency:build-classpath -DskipTests -Dspotless.check.skip=true \
  -Dmdep.outputFile="$CP_FILE" >/dev/null
CP="bench/target/classes:$(cat "$CP_FILE")"
exec java -XX:+UseSerialGC -cp "$CP" io.outpost.bench.bridge.BridgeBench "$@"
