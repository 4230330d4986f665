#!/usr/bin/env bash
# Peer benchmark (see bench/README.md, "Peers"): `outpost run`, a headless Node-RED 4.1 flow and
# collectd produce the same three readings once a second at the same time, the first two publishing
# to a local relay over WebSocket, collectd posting to a local HTTP sink through write_http. Samples
# RSS, CPU and threads every 5 s over a fixed window after a warm-up, twice (the second time in the
# reverse start order), and prints the table with ratios. Everything on loopback.
#
#   bench/run-peers.sh [WARMUP_SECONDS] [WINDOW_SECONDS]     defaults: 60 180
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WARMUP=${1:-60}
WINDOW=${2:-180}
OUT=$ROOT/bench/target/peers
NODE_DIR=$OUT/node
mkdir -p "$OUT"

# --- what it needs, installed when missing
if ! cmp -s bench/peers/package-lock.json "$NODE_DIR/package-lock.json" || [ ! -d "$NODE_DIR/node_modules/node-red" ]; then
  echo "installing Node-RED (bench/peers/package-lock.json) into $NODE_DIR" >&2
  mkdir -p "$NODE_DIR"
  cp bench/peers/package.json bench/peers/package-lock.json "$NODE_DIR/"
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
fi
# collectd-core: the daemon and its plugins without the service the `collectd` package starts;
# write_http needs libcurl and libyajl, which Debian only recommends.
if ! command -v collectd >/dev/null || ldd /usr/lib/collectd/write_http.so 2>&1 | grep "not found" >/dev/null; then
  echo "installing collectd (apt-get)" >&2
  apt-get install -y --no-install-recommends collectd-core libcurl4 libyajl2 >/dev/null \
    || { apt-get update >/dev/null && apt-get install -y --no-install-recommends collectd-core libcurl4 libyajl2 >/dev/null; }
fi
if [ ! -d dist/target/outpost/lib ]; then
  echo "building the distribution (./mvnw -pl dist -am package)" >&2
  ./mvnw -B -q -DskipTests -pl dist -am package
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 not open" >&2; return 1; }

PIDS=()       # this run's processes
RELAY_PID=""
stop() {
  for p in "$@"; do kill "$p" 2>/dev/null || true; done
  for p in "$@"; do timeout 20 tail --pid="$p" -f /dev/null 2>/dev/null || kill -9 "$p" 2>/dev/null || true; done
}
cleanup() { stop "${PIDS[@]}"; PIDS=(); }
trap 'cleanup; stop $RELAY_PID' EXIT
trap 'exit 130' INT TERM
export NODE_PATH=$NODE_DIR/node_modules   # ws for the subscriber and Node-RED's settings

# --- the relay, with a keys file of its own, and a subscriber that notes each device's first message
RELAY_PORT=$(free_port)
SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
KEYS=$OUT/relay-keys.json
cat > "$KEYS" <<JSON
{"keys": [{"id": "sk_id_peers", "secret": "sk_secret_$SECRET", "channelPatterns": ["**"],
           "actions": ["publish", "subscribe", "presence", "send"]}]}
JSON
chmod 600 "$KEYS"
export RELAY_HTTP=http://127.0.0.1:$RELAY_PORT RELAY_BEARER=sk_id_peers:sk_secret_$SECRET
./outpost relay --listen "127.0.0.1:$RELAY_PORT" --keys "$KEYS" > "$OUT/relay.log" 2>&1 &
RELAY_PID=$!
wait_port "$RELAY_PORT"

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -m | awk '/Mem:/ {print $2}') MiB RAM, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1); node: $(node --version); Node-RED $(node -p "require('$NODE_DIR/node_modules/node-red/package.json').version"); $(collectd -h | sed -n 's/^collectd \([0-9.]*\).*/collectd \1/p' | head -1)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); warm-up ${WARMUP} s, window ${WINDOW} s, samples every 5 s"

# The status file lives on a tmpfs as on a device (/run); the store on disk.
TMPFS=$(mktemp -d /dev/shm/outpost-peers.XXXXXX)
# collectd's exec plugin runs its script as an unprivileged user, who must be able to read it.
EXEC_DIR=$(mktemp -d /tmp/outpost-peers-exec.XXXXXX)
cp bench/peers/collectd-readings.pl "$EXEC_DIR/"
chmod 755 "$EXEC_DIR" "$EXEC_DIR/collectd-readings.pl"
trap 'cleanup; stop $RELAY_PID; rm -rf "$TMPFS" "$EXEC_DIR"' EXIT

start_outpost() {
  local dir=$1
  mkdir -p "$dir"
  cat > "$dir/agent.json" <<JSON
{"device": {"id": "outpost-1", "fleet": "peers"},
 "network": {"url": "ws://127.0.0.1:$RELAY_PORT",
             "token": {"url": "$RELAY_HTTP/v1/tokens", "bearer": {"value": "$RELAY_BEARER"}}},
 "profile": "$ROOT/bench/peers/outpost-profile.json",
 "stateDir": "$dir/state",
 "status": {"file": "$TMPFS/$(basename "$dir")-status.json"}}
JSON
  echo "outpost $BASHPID $(now_ms)" >> "$dir/../procs"
  # stderr (the log) goes to the tmpfs too: under systemd it is journald's write, not the agent's.
  exec ./outpost run --config "$dir/agent.json" > "$TMPFS/$(basename "$dir").log" 2>&1
}
start_nodered() {
  local dir=$1
  mkdir -p "$dir"
  echo "nodered $BASHPID $(now_ms)" >> "$dir/../procs"
  PEER_ID=nodered-1 NODE_RED_PORT=$(free_port) exec node "$NODE_DIR/node_modules/node-red/red.js" \
    --settings "$ROOT/bench/peers/settings.js" --userDir "$dir" > "$dir/node-red.log" 2>&1
}
start_collectd() {
  local dir=$1
  mkdir -p "$dir"
  cat > "$dir/collectd.conf" <<CONF
Hostname "collectd-1"
FQDNLookup false
Interval 1
BaseDir "$dir"
PIDFile "$dir/collectd.pid"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin exec
<LoadPlugin write_http>
  FlushInterval 1
</LoadPlugin>
<Plugin exec>
  Exec "nobody" "$EXEC_DIR/collectd-readings.pl"
</Plugin>
<Plugin write_http>
  <Node "sink">
    URL "http://127.0.0.1:$SINK_PORT/collectd"
    Format "JSON"
  </Node>
</Plugin>
CONF
  echo "collectd $BASHPID $(now_ms)" >> "$dir/../procs"
  exec collectd -f -C "$dir/collectd.conf" > "$dir/collectd.log" 2>&1
}

run_once() {
  local run=$1; shift
  local dir=$OUT/run-$run
  rm -rf "$dir" && mkdir -p "$dir"
  SINK_PORT=$(free_port)
  python3 bench/peers/sink.py "$SINK_PORT" "$dir/sink.json" > "$dir/sink.log" 2>&1 &
  PIDS+=($!)
  node bench/peers/subscriber.js "$dir/subscriber.json" > "$dir/subscriber.log" 2>&1 &
  PIDS+=($!)
  wait_port "$SINK_PORT"
  for _ in $(seq 1 100); do grep -q subscribed "$dir/subscriber.log" && break; sleep 0.1; done
  for name in "$@"; do   # one second apart, so the order is an order
    "start_$name" "$dir/$name" &
    PIDS+=($!)
    sleep 1
  done
  echo "== run $run: start order $*" >&2
  python3 bench/peers/sample.py run "$dir/procs" "$dir/subscriber.json" "$dir/sink.json" "$WARMUP" "$WINDOW" "$dir/result.json" > "$dir/sample.log"
  cleanup
}

run_once 1 outpost nodered collectd
run_once 2 collectd nodered outpost
python3 bench/peers/sample.py table "$OUT/run-1/result.json" "$OUT/run-2/result.json"
echo "files in $OUT"
