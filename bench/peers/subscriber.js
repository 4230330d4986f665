// Subscribes to devices/*/events on the relay and writes, per channel, the wall-clock time (ms) of
// the first message and the message count to the file given as argv[2] (rewritten on every first
// message and every 5 s). Environment: RELAY_HTTP, RELAY_BEARER.
const fs = require("fs");
const http = require("http");
const WebSocket = require("ws");
const out = process.argv[2];
const base = process.env.RELAY_HTTP;
const seen = {};
const save = () => fs.writeFileSync(out + ".tmp", JSON.stringify(seen)) || fs.renameSync(out + ".tmp", out);
const body = JSON.stringify({ peerId: "bench-subscriber", channels: ["devices/*/events"],
                              permissions: ["subscribe"], expiresInSec: 86400 });
const req = http.request(base + "/v1/tokens", { method: "POST", headers: {
    Authorization: "Bearer " + process.env.RELAY_BEARER, "Content-Type": "application/json" } }, (res) => {
  let text = "";
  res.on("data", (c) => (text += c));
  res.on("end", () => {
    if (res.statusCode !== 200) { console.error("tokens:", res.statusCode, text); process.exit(1); }
    const ws = new WebSocket(base.replace(/^http/, "ws") + "/v1?token=" + encodeURIComponent(JSON.parse(text).token));
    ws.on("open", () => ws.send(JSON.stringify({ type: "subscribe", channel: "devices/*/events", requestId: "s1" })));
    ws.on("message", (raw) => {
      const m = JSON.parse(raw);
      if (m.type === "ack") { console.log("subscribed"); save(); return; }
      if (m.type !== "message") return;
      const s = seen[m.channel] || (seen[m.channel] = { first: Date.now(), messages: 0, telemetry: 0 });
      s.messages++;
      // A replay envelope (architecture.md §5) carries stored messages: count the telemetry in it.
      const inner = m.data && m.data.type === "replay" && Array.isArray(m.data.messages) ? m.data.messages : [m.data];
      for (const d of inner) if (d && d.type === "telemetry") s.telemetry++;
      if (s.messages === 1) save();
    });
    ws.on("close", (code) => { console.error("relay closed", code); process.exit(1); });
  });
});
req.on("error", (e) => { console.error(e.message); process.exit(1); });
req.end(body);
setInterval(save, 5000);
