// A peer built on Metered's official JS SDK (@metered-ca/realtime SignallingClient), used by
// JsInteropTest to check the Java client against software nobody here wrote.
// Usage: OUTPOST_TOKEN=<jwt> node peer.cjs <ws-origin> <channel>
// Prints one JSON object per line for everything it sees; answers {"ask":"echo"} publishes with a
// publish, and every direct message with a direct reply. "quit" on stdin closes it and exits 0.
"use strict";

const { SignallingClient } = require("@metered-ca/realtime");
const WebSocket = require("ws");
const readline = require("readline");

const [origin, channel] = process.argv.slice(2);
const token = process.env.OUTPOST_TOKEN;

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

setTimeout(() => {
  out({ event: "timeout" });
  process.exit(2);
}, 25000).unref();

const client = new SignallingClient({
  url: origin,
  tokenProvider: async () => token,
  webSocketFactory: (u) => new WebSocket(u),
  reconnect: false,
});

client.on("message", (m) => {
  out({ event: "message", channel: m.channel, from: m.from, fromMetadata: m.fromMetadata ?? null, data: m.data });
  if (m.data && m.data.ask === "echo") {
    client.publish(channel, { reply: m.data.n, by: "js" }).catch((e) => out({ event: "error", what: String(e) }));
  }
});
client.on("direct", (d) => {
  out({ event: "direct", from: d.from, fromMetadata: d.fromMetadata ?? null, data: d.data });
  client.send(d.from, { echo: d.data }).catch((e) => out({ event: "error", what: String(e) }));
});
client.on("presence", (p) => out({ event: "presence", channel: p.channel, joined: p.joined, left: p.left }));
client.on("disconnected", (d) => out({ event: "disconnected", code: d.code }));

(async () => {
  try {
    await client.connect();
    await client.subscribe(channel, { includeSenderMetadata: true });
    out({ event: "ready" });
  } catch (e) {
    out({ event: "error", what: String(e) });
    process.exit(1);
  }
})();

readline.createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line.trim() === "quit") {
    await client.close();
    process.exit(0);
  }
});
