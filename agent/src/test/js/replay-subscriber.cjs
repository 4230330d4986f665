// A consumer of a device's events channel built on Metered's official JS SDK
// (@metered-ca/realtime), reading telemetry the way architecture.md §5 says: a message of type
// "replay" carries stored messages, each unpacked and handled as if it came alone; duplicates are
// recognised by id, gaps by seq (except inside an announced buffer.dropped range).
// Prints {"event":"ready"} once subscribed, then one report line for every line read on stdin:
// {"event":"report", streams, maxSeq, missing, duplicates, conflicts, envelopes, packed, largest, live}.
// Usage: OUTPOST_TOKEN=<jwt> node replay-subscriber.cjs <ws-origin> <deviceId>
"use strict";

const { SignallingClient } = require("@metered-ca/realtime");
const WebSocket = require("ws");
const readline = require("readline");

const [origin, device] = process.argv.slice(2);
const events = `devices/${device}/events`;
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const ids = new Map(); // id -> seq
const seqs = new Set();
const streams = new Set();
const dropped = [];
let duplicates = 0;
let conflicts = 0; // the same seq under two ids: a consumer could not dedupe it
let envelopes = 0;
let packed = 0;
let largest = 0;
let live = 0;

function handle(m) {
  if (!m || typeof m !== "object" || typeof m.seq !== "number") return;
  streams.add(m.stream);
  if (m.type === "buffer.dropped") dropped.push([m.fromSeq, m.toSeq]);
  if (ids.has(m.id)) {
    duplicates++;
    return;
  }
  if (seqs.has(m.seq)) conflicts++;
  ids.set(m.id, m.seq);
  seqs.add(m.seq);
}

function report() {
  const maxSeq = seqs.size ? Math.max(...seqs) : 0;
  const missing = [];
  for (let s = 1; s <= maxSeq; s++) {
    if (!seqs.has(s) && !dropped.some(([a, b]) => s >= a && s <= b)) missing.push(s);
  }
  out({ event: "report", streams: streams.size, received: seqs.size, maxSeq, missing, duplicates,
    conflicts, envelopes, packed, largest, live });
}

const client = new SignallingClient({
  url: origin,
  tokenProvider: async () => process.env.OUTPOST_TOKEN,
  webSocketFactory: (u) => new WebSocket(u),
  reconnect: false,
});

client.on("message", (msg) => {
  if (msg.channel !== events) return;
  const d = msg.data;
  if (d && d.type === "replay" && Array.isArray(d.messages)) {
    envelopes++;
    packed += d.messages.length;
    largest = Math.max(largest, d.messages.length);
    for (const inner of d.messages) handle(inner);
  } else {
    if (d && d.type === "telemetry") live++;
    handle(d);
  }
});

readline.createInterface({ input: process.stdin }).on("line", report);
process.stdin.on("end", () => client.close().finally(() => process.exit(0)));

(async () => {
  try {
    await client.connect();
    await client.subscribe(events);
    out({ event: "ready" });
  } catch (e) {
    out({ event: "error", what: String(e) });
    process.exit(1);
  }
})();
