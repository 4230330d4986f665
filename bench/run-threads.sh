#!/usr/bin/env bash
# Where `outpost run` spends its CPU and wake-ups (see bench/README.md, "Peers"): the peer benchmark's
# agent alone against a local relay (same profile, config and tmpfs status file), launched through
# ./outpost with the launcher's flags plus EXTRA_JAVA_OPTS (e.g. a flag to compare, or
# -XX:StartFlightRecording=...), and per-thread CPU and wake-ups between FROM and TO seconds after
# its start. Run two at once (two shells) to compare a change side by side on a shared machine.
#
#   bench/run-threads.sh [FROM] [TO] [EXTRA_JAVA_OPTS]      defaults: 30 180
#   PROFILE=simulated bench/run-threads.sh ...             a bundled profile (or file) instead of the peers'
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FROM=${1:-30}
TO=${2:-180}
EXTRA=${3:-}
[ -d dist/target/outpost/lib ] || ./mvnw -B -q -DskipTests -pl dist -am package
mkdir -p "$ROOT/bench/target"
OUT=$(mktemp -d "$ROOT/bench/target/threads.XXXXXX")
TMPFS=$(mktemp -d /dev/shm/outpost-threads.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
cat > "$OUT/keys.json" <<JSON
{"keys": [{"id": "sk_id_threads", "secret": "sk_secret_$SECRET", "channelPatterns": ["**"],
           "actions": ["publish", "subscribe", "presence", "send"]}]}
JSON
chmod 600 "$OUT/keys.json"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$TMPFS"' EXIT
./outpost relay --listen "127.0.0.1:$PORT" --keys "$OUT/keys.json" > "$OUT/relay.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
cat > "$OUT/agent.json" <<JSON
{"device": {"id": "outpost-1", "fleet": "peers"},
 "network": {"url": "ws://127.0.0.1:$PORT",
             "token": {"url": "http://127.0.0.1:$PORT/v1/tokens", "bearer": {"value": "sk_id_threads:sk_secret_$SECRET"}}},
 "profile": "${PROFILE:-$ROOT/bench/peers/outpost-profile.json}",
 "stateDir": "$OUT/state",
 "status": {"file": "$TMPFS/status.json"}}
JSON
OPTS=$(sed -n 's/^AGENT_JAVA_OPTS="\(.*\)"$/\1/p' outpost)
START=$(date +%s.%N)
OUTPOST_JAVA_OPTS="$OPTS $EXTRA" ./outpost run --config "$OUT/agent.json" > "$TMPFS/agent.log" 2>&1 &
PIDS+=($!)
AGENT=$!
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); java: $(java -version 2>&1 | head -1); extra: ${EXTRA:-none}"
python3 bench/peers/threads.py "$AGENT" "$FROM" "$TO" "$START"
cp "$TMPFS/agent.log" "$OUT/"
echo "files in $OUT"
