// Hostile WebSocket clients built on Node's `ws` (the JS SDK's transport on Node), for the relay's
// fault-and-abuse tests. Usage: node abuse.cjs <scenario> <ws-url> [arg]
// Prints one line per observation ("EXTENSIONS <negotiated>", "ACK", "ERROR <code>", "CLOSE <code>")
// and exits 0; exits 1 after 20 s without a close.
"use strict";

const WebSocket = require("ws");

const [scenario, url, arg] = process.argv.slice(2);
setTimeout(() => {
  console.log("TIMEOUT");
  process.exit(1);
}, 20000).unref();

// ws offers permessage-deflate by default, as browsers do; the relay must not accept it.
const ws = new WebSocket(url, { perMessageDeflate: true, maxPayload: 0 });
ws.on("error", (e) => console.log(`SOCKET_ERROR ${e.message}`));
ws.on("close", (code) => {
  console.log(`CLOSE ${code}`);
  process.exit(0);
});
ws.on("message", (raw) => {
  const frame = JSON.parse(raw.toString());
  if (frame.type === "welcome") {
    console.log(`EXTENSIONS ${ws.extensions || "none"}`);
    start();
  } else if (frame.type === "ack") {
    console.log("ACK");
    if (scenario === "oversize") process.exit(0);
  } else if (frame.type === "error") {
    console.log(`ERROR ${frame.code}`);
  }
});

function publish(data, requestId) {
  return JSON.stringify({ type: "publish", channel: "room", data, requestId });
}

function start() {
  switch (scenario) {
    case "oversize": {
      // One publish of exactly arg bytes, in a single frame.
      const size = Number(arg);
      const envelope = publish("", "big");
      ws.send(publish("x".repeat(size - envelope.length), "big"), { compress: true });
      break;
    }
    case "burst": {
      // arg publishes written back to back, without waiting for acks.
      for (let i = 0; i < Number(arg); i++) ws.send(publish(i, `p${i}`));
      break;
    }
    default:
      console.log(`UNKNOWN ${scenario}`);
      process.exit(1);
  }
}
