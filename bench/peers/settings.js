// Node-RED settings for bench/run-peers.sh: headless (no editor, no HTTP nodes), loopback only,
// and the `ws` client handed to the flow's function nodes.
const path = require("path");
module.exports = {
  uiHost: "127.0.0.1",
  uiPort: Number(process.env.NODE_RED_PORT || 0),
  httpAdminRoot: false,
  httpNodeRoot: false,
  disableEditor: true,
  flowFile: path.join(__dirname, "flow.json"),
  credentialSecret: false,
  logging: { console: { level: "warn", metrics: false, audit: false } },
  functionGlobalContext: { WebSocket: require("ws"), http: require("http") },
};
