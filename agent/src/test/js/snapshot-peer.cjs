// An operator's peer built on Metered's official JS SDK (@metered-ca/realtime): publishes a
// camera.snapshot command to a device, collects the attachment.chunk events and the
// command.result from devices/<id>/events, reassembles the JPEG and checks it against the
// result's description. Prints one JSON line: {"event":"jpeg", sha256, expectedSha256, size,
// expectedSize, chunks, head} or {"event":"error"|"timeout", ...}.
// Usage: OUTPOST_TOKEN=<jwt> node snapshot-peer.cjs <ws-origin> <deviceId> <commandId> <argsJson>
"use strict";

const { SignallingClient } = require("@metered-ca/realtime");
const WebSocket = require("ws");
const crypto = require("crypto");

const [origin, device, commandId, argsJson] = process.argv.slice(2);
const events = `devices/${device}/events`;

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

setTimeout(() => {
  out({ event: "timeout" });
  process.exit(2);
}, 40000).unref();

const client = new SignallingClient({
  url: origin,
  tokenProvider: async () => process.env.OUTPOST_TOKEN,
  webSocketFactory: (u) => new WebSocket(u),
  reconnect: false,
});

// attachmentId -> Map(index -> Buffer); chunks may come before or after the result.
const chunks = new Map();
let result = null;

function tryFinish() {
  if (!result) return;
  const a = result.result && result.result.attachment;
  if (!a) {
    out({ event: "error", what: "result without attachment", result });
    process.exit(1);
  }
  let bytes;
  if (a.data !== undefined) {
    bytes = Buffer.from(a.data, "base64");
  } else {
    const got = chunks.get(a.attachmentId) || new Map();
    if (got.size < a.chunks) return; // wait for the rest
    const parts = [];
    for (let i = 0; i < a.chunks; i++) parts.push(got.get(i));
    bytes = Buffer.concat(parts);
  }
  out({
    event: "jpeg",
    sha256: crypto.createHash("sha256").update(bytes).digest("hex"),
    expectedSha256: a.sha256,
    size: bytes.length,
    expectedSize: a.size,
    chunks: a.chunks || 0,
    head: bytes.subarray(0, 2).toString("hex"),
  });
  client.close().finally(() => process.exit(0));
}

client.on("message", (m) => {
  const d = m.data;
  if (!d || m.channel !== events) return;
  if (d.type === "attachment.chunk") {
    if (!chunks.has(d.attachmentId)) chunks.set(d.attachmentId, new Map());
    chunks.get(d.attachmentId).set(d.index, Buffer.from(d.data, "base64")); // duplicates overwrite
    tryFinish();
  } else if (d.type === "command.result" && d.id === commandId) {
    if (d.status !== "succeeded") {
      out({ event: "error", what: "command " + d.status, result: d });
      process.exit(1);
    }
    result = d;
    tryFinish();
  }
});

(async () => {
  try {
    await client.connect();
    await client.subscribe(events);
    await client.publish(`devices/${device}/commands`, {
      type: "command",
      id: commandId,
      name: "camera.snapshot",
      args: JSON.parse(argsJson),
    });
    out({ event: "sent" });
  } catch (e) {
    out({ event: "error", what: String(e) });
    process.exit(1);
  }
})();
