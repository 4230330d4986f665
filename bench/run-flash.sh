#!/usr/bin/env bash
# Flash-write benchmark (see bench/README.md, "Flash writes"): two `outpost run` processes at the same
# time against one `outpost relay`, each sending one telemetry message a second, one with the default
# `buffer.writeDelay` and one with `buffer.writeDelay` 0s (every message written at once, the old
# behaviour) as the baseline. Status file and log on a tmpfs (as /run and journald are on a device),
# the store on disk. Over the window it reads `write_bytes` from /proc/<pid>/io, the messages the
# server acknowledged (the status file's `uplink.acked`) and the voluntary context switches (wake-ups)
# of every thread, and prints bytes per message and MB a day scaled to one message a second.
#
#   bench/run-flash.sh [WINDOW_SECONDS] [WARMUP_SECONDS] [WRITE_DELAY]    defaults: 600 30 5s
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WINDOW=${1:-600}
WARMUP=${2:-30}
DELAY=${3:-5s}
OUT=$ROOT/bench/target/flash
rm -rf "$OUT" && mkdir -p "$OUT"

if [ ! -d dist/target/outpost/lib ]; then
  echo "building the distribution (./mvnw -pl dist -am package)" >&2
  ./mvnw -B -q -DskipTests -pl dist -am package
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 not open" >&2; return 1; }
PIDS=()
stop() {
  for p in "$@"; do kill "$p" 2>/dev/null || true; done
  for p in "$@"; do timeout 20 tail --pid="$p" -f /dev/null 2>/dev/null || kill -9 "$p" 2>/dev/null || true; done
}
TMPFS=$(mktemp -d /dev/shm/outpost-flash.XXXXXX)
trap 'stop "${PIDS[@]}"; rm -rf "$TMPFS"' EXIT
trap 'exit 130' INT TERM

RELAY_PORT=$(free_port)
SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
cat > "$OUT/relay-keys.json" <<JSON
{"keys": [{"id": "sk_id_flash", "secret": "sk_secret_$SECRET", "channelPatterns": ["**"],
           "actions": ["publish", "subscribe", "presence", "send"]}]}
JSON
chmod 600 "$OUT/relay-keys.json"
./outpost relay --listen "127.0.0.1:$RELAY_PORT" --keys "$OUT/relay-keys.json" > "$OUT/relay.log" 2>&1 &
PIDS+=($!)
wait_port "$RELAY_PORT"

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(. /etc/os-release && echo "$PRETTY_NAME"), $(df -T "$OUT" | awk 'NR==2 {print $2}') under bench/target, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); warm-up ${WARMUP} s, window ${WINDOW} s"

# NAME WRITE_DELAY: an agent with its state on disk under $OUT, status file and log on the tmpfs.
start_agent() {
  local name=$1 delay=$2 dir=$OUT/$1
  mkdir -p "$dir"
  cat > "$dir/agent.json" <<JSON
{"device": {"id": "flash-$name", "fleet": "flash"},
 "network": {"url": "ws://127.0.0.1:$RELAY_PORT",
             "token": {"url": "http://127.0.0.1:$RELAY_PORT/v1/tokens", "bearer": {"value": "sk_id_flash:sk_secret_$SECRET"}}},
 "profile": "$ROOT/bench/flash/profile.json",
 "telemetry": {"batch": {"maxDelay": "0s"}},
 "buffer": {"writeDelay": "$delay"},
 "stateDir": "$dir/state",
 "status": {"file": "$TMPFS/$name-status.json"}}
JSON
  ./outpost run --config "$dir/agent.json" > "$TMPFS/$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$name=$!"
}

# PID: write_bytes, acked messages (the status file is rewritten every 5 s), wake-ups per thread.
write_bytes() { awk '/^write_bytes/ {print $2}' "/proc/$1/io"; }
acked() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["uplink"]["acked"])' "$TMPFS/$2-status.json"; }
wakeups() {
  for t in /proc/"$1"/task/*; do
    printf '%s\t%s\n' "$(cat "$t/comm")" "$(awk '/^voluntary_ctxt_switches/ {print $2}' "$t/status")"
  done 2>/dev/null | sort
}

start_agent deferred "$DELAY"
start_agent baseline 0s
sleep "$WARMUP"
for name in deferred baseline; do
  pid=$(eval echo "\$PID_$name")
  [ -f "$TMPFS/$name-status.json" ] || { echo "$name: no status file after the warm-up; log:" >&2; cat "$TMPFS/$name.log" >&2; exit 1; }
  eval "W0_$name=$(write_bytes "$pid") A0_$name=$(acked "$pid" "$name")"
  wakeups "$pid" > "$OUT/$name.wakeups.0"
done
sleep "$WINDOW"
echo
printf '| %-30s | %11s | %8s | %11s | %11s | %13s | %14s |\n' "Agent" "write_bytes" "acked" "B/message" "MB/day @1/s" "outbox-writer" "all threads"
printf '| %-30s | %11s | %8s | %11s | %11s | %13s | %14s |\n' "" "" "" "" "" "wake-ups/min" "wake-ups/min"
for name in deferred baseline; do
  pid=$(eval echo "\$PID_$name")
  w1=$(write_bytes "$pid"); a1=$(acked "$pid" "$name")
  wakeups "$pid" > "$OUT/$name.wakeups.1"
  w0=$(eval echo "\$W0_$name"); a0=$(eval echo "\$A0_$name")
  label="buffer.writeDelay $([ "$name" = deferred ] && echo "$DELAY" || echo 0s)"
  python3 - "$label" "$w0" "$w1" "$a0" "$a1" "$WINDOW" "$OUT/$name.wakeups.0" "$OUT/$name.wakeups.1" <<'PY'
import sys
label, w0, w1, a0, a1, window, f0, f1 = sys.argv[1:]
w, a, window = int(w1) - int(w0), int(a1) - int(a0), int(window)
def load(f):
    out = {}
    for line in open(f):
        name, n = line.rstrip("\n").split("\t")
        out.setdefault(name, []).append(int(n))
    return out
before, after = load(f0), load(f1)
def delta(name):
    return sum(after.get(name, [])) - sum(before.get(name, [])) if name in before else 0
writer = delta("outbox-writer")
total = sum(delta(n) for n in after if n in before)
per = w / a if a else float("nan")
print(f"| {label:30} | {w:11,} | {a:8,} | {per:11,.0f} | {per * 86400 / 1e6:11.2f} | {writer * 60 / window:13.1f} | {total * 60 / window:14.1f} |")
PY
done
echo
echo "per-thread wake-ups over the window: $OUT/<agent>.wakeups.{0,1}; logs on the tmpfs were removed"
for name in deferred baseline; do cp "$TMPFS/$name.log" "$OUT/$name.log"; cp "$TMPFS/$name-status.json" "$OUT/$name-status.json"; done
