#!/usr/bin/env bash
# Start-up with and without the class-data archive (dist/src/deb/lib/cds.sh), alternating, through
# ./outpost as a device runs it: wall time of `outpost version` (a JVM start and the CLI), and of
# `outpost run` from the process start to its first acknowledged telemetry (the status file, rewritten
# every 100 ms on a tmpfs, shows "acked" > 0) against a local relay, on the default `simulated`
# profile with a fresh store each time. Prints each round and the medians.
#
#   bench/run-startup.sh [ROUNDS]      default 10
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${1:-10}
./outpost version >/dev/null   # builds the distribution and writes the archive when needed
mkdir -p bench/target
OUT=$(mktemp -d "$ROOT/bench/target/startup.XXXXXX")
TMPFS=$(mktemp -d /dev/shm/outpost-startup.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
cat > "$OUT/keys.json" <<JSON
{"keys": [{"id": "sk_id_startup", "secret": "sk_secret_$SECRET", "channelPatterns": ["**"],
           "actions": ["publish", "subscribe", "presence", "send"]}]}
JSON
chmod 600 "$OUT/keys.json"
AGENT=""
RELAY=""
trap 'kill $AGENT $RELAY 2>/dev/null || true; wait 2>/dev/null; rm -rf "$TMPFS"' EXIT
./outpost relay --listen "127.0.0.1:$PORT" --keys "$OUT/keys.json" >"$OUT/relay.log" 2>&1 &
RELAY=$!
for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
now_ms() { date +%s%3N; }
# shellcheck disable=SC2034 # MS is the result the two functions below leave for their caller

# version_ms MODE: sets MS to the wall time of `outpost version`, MODE on (the archive) or off.
version_ms() {
  local t0
  t0=$(now_ms)
  OUTPOST_CDS=$1 ./outpost version >/dev/null
  MS=$(($(now_ms) - t0))
}

# first_ack_ms MODE ROUND: sets MS to the time `outpost run` takes until the status file shows an ack.
first_ack_ms() {
  local dir=$OUT/$1-$2 t0
  MS=timeout
  mkdir -p "$dir"
  cat >"$dir/agent.json" <<JSON
{"device": {"id": "startup-$1-$2", "fleet": "startup"},
 "network": {"url": "ws://127.0.0.1:$PORT",
             "token": {"url": "http://127.0.0.1:$PORT/v1/tokens", "bearer": {"value": "sk_id_startup:sk_secret_$SECRET"}}},
 "profile": "simulated",
 "stateDir": "$dir/state",
 "status": {"file": "$TMPFS/$1-$2.json", "fileInterval": "100ms"}}
JSON
  t0=$(now_ms)
  OUTPOST_CDS=$1 ./outpost run --config "$dir/agent.json" >"$dir/agent.log" 2>&1 &
  AGENT=$!
  for _ in $(seq 1 3000); do
    if grep -qE '"acked": [1-9]' "$TMPFS/$1-$2.json" 2>/dev/null; then MS=$(($(now_ms) - t0)); break; fi
    sleep 0.01
  done
  kill "$AGENT"
  wait "$AGENT" 2>/dev/null || true
  AGENT=""
}

declare -A V F   # per mode (on, off): this round's milliseconds
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); java: $(java -version 2>&1 | head -1); date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "round  version on/off (ms)  first ack on/off (ms)"
for r in $(seq 1 "$ROUNDS"); do
  # Alternate which goes first, so a load swing does not favour one side.
  if [ $((r % 2)) = 1 ]; then order="on off"; else order="off on"; fi
  for m in $order; do
    version_ms "$m"
    V[$m]=$MS
  done
  for m in $order; do
    first_ack_ms "$m" "$r"
    F[$m]=$MS
  done
  printf '%5d  %8s / %-8s  %10s / %s\n' "$r" "${V[on]}" "${V[off]}" "${F[on]}" "${F[off]}"
  echo "${V[on]} ${V[off]} ${F[on]} ${F[off]}" >>"$OUT/rounds.txt"
done
echo "median: version $(cut -d' ' -f1 "$OUT/rounds.txt" | median) / $(cut -d' ' -f2 "$OUT/rounds.txt" | median) ms," \
  "first acked telemetry $(cut -d' ' -f3 "$OUT/rounds.txt" | grep -v timeout | median) / $(cut -d' ' -f4 "$OUT/rounds.txt" | grep -v timeout | median) ms (with / without the archive)"
echo "files in $OUT"
