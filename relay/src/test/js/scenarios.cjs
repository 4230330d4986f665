// Scenarios that drive Metered's official SDK (@metered-ca/realtime, SignallingClient) against the relay.
// Usage: node scenarios.cjs <scenario> <ws-origin> <bearer>
// Prints "OK <scenario>" and exits 0 on success; prints "FAIL <scenario>: <why>" and exits 1 otherwise.
"use strict";

const { SignallingClient } = require("@metered-ca/realtime");
const WebSocket = require("ws");

const [scenario, origin, bearer] = process.argv.slice(2);
const httpBase = origin.replace(/^ws/, "http") + "/v1";
const LIMIT_MS = 25000;

function fail(why) {
  console.log(`FAIL ${scenario}: ${why}`);
  process.exit(1);
}

setTimeout(() => fail(`not finished within ${LIMIT_MS} ms`), LIMIT_MS).unref();

async function rest(method, path, body) {
  const res = await fetch(httpBase + path, {
    method,
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function mint(request) {
  return async () => (await rest("POST", "/tokens", request)).token;
}

function client(opts) {
  return new SignallingClient({
    url: origin,
    webSocketFactory: (u) => new WebSocket(u),
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
    ...opts,
  });
}

/** Resolves with the first event payload that satisfies pred. */
function next(c, event, pred = () => true) {
  return new Promise((resolve) => {
    const handler = (e) => {
      if (pred(e)) {
        c.off(event, handler);
        resolve(e);
      }
    };
    c.on(event, handler);
  });
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

const scenarios = {
  // Tokens from REST, subscribe/publish/send, presence with peerMetadata, includeSenderMetadata.
  async pubsub() {
    const alice = client({ tokenProvider: mint({ peerId: "alice", peerMetadata: { username: "Alice" } }) });
    const bob = client({ tokenProvider: mint({ peerId: "bob", peerMetadata: { username: "Bob" } }) });
    const aliceUp = next(alice, "connected");
    await alice.connect();
    check((await aliceUp).peerId === "alice", "alice's welcome peerId");
    await bob.connect();

    const bobSnapshot = next(bob, "presence");
    await bob.subscribe("room-1", { includeSenderMetadata: true });
    check((await bobSnapshot).joined.length === 0, "empty snapshot for the first subscriber");

    const bobSeesAlice = next(bob, "presence", (p) => p.joined.some((j) => j.peerId === "alice"));
    const aliceSnapshot = next(alice, "presence");
    await alice.subscribe("room-1");
    const joined = (await bobSeesAlice).joined.find((j) => j.peerId === "alice");
    check(joined.metadata && joined.metadata.username === "Alice", "joined carries peerMetadata");
    const snap = await aliceSnapshot;
    check(snap.joined.length === 1 && snap.joined[0].peerId === "bob", "alice's snapshot lists bob");

    let aliceGotOwn = false;
    alice.on("message", () => { aliceGotOwn = true; });
    const msg = next(bob, "message");
    await alice.publish("room-1", { text: "hi" });
    const m = await msg;
    check(m.channel === "room-1" && m.from === "alice" && m.data.text === "hi", "message fields");
    check(m.fromMetadata && m.fromMetadata.username === "Alice", "fromMetadata with includeSenderMetadata");

    const dm = next(bob, "direct");
    await alice.send("bob", { secret: 42 });
    const d = await dm;
    check(d.from === "alice" && d.data.secret === 42, "direct fields");
    check(d.fromMetadata && d.fromMetadata.username === "Alice", "direct carries fromMetadata");

    const left = next(bob, "presence", (p) => p.left.some((l) => l.peerId === "alice"));
    await alice.unsubscribe("room-1");
    await left;
    check(!aliceGotOwn, "publisher must not receive its own message");
    alice.close();
    bob.close();
  },

  // Every frame length class (7-, 16- and 64-bit), multi-byte UTF-8, and a burst of publishes: all arrive intact
  // and in publish order.
  async bulk() {
    const longId = "p".repeat(120);
    const pub = client({ tokenProvider: mint({ peerId: longId }) });
    const sub = client({ tokenProvider: mint({ peerId: "bulk-sub" }) });
    await pub.connect();
    await sub.connect();
    await sub.subscribe("room-3");
    // The publish frame of `big` (98 bytes of envelope with a 36-character requestId) just fits maxMessageSize
    // (65536); the message frame sent out carries the 120-character "from" and needs the 64-bit length form.
    const big = "x".repeat(65536 - 98 - 6);
    const expected = ["small", "y".repeat(300), "z".repeat(60000), "é€😀".repeat(7000), big];
    for (let i = 0; i < 150; i++) expected.push({ n: i });  // within the default burst of 200
    const got = [];
    const all = new Promise((resolve) => sub.on("message", (m) => {
      got.push(m);
      if (got.length === expected.length) resolve();
    }));
    await Promise.all(expected.map((d) => pub.publish("room-3", d)));
    await all;
    for (let i = 0; i < expected.length; i++) {
      check(got[i].from === longId, `message ${i} from`);
      check(JSON.stringify(got[i].data) === JSON.stringify(expected[i]), `message ${i} data (in order, intact)`);
    }
    pub.close();
    sub.close();
  },

  // Server errors surface as rejections whose name is the error code.
  async errors() {
    const c = client({ tokenProvider: mint({ peerId: "limited", channels: ["room-*"],
      permissions: ["subscribe", "publish", "send"] }) });
    await c.connect();
    check((await rejection(c.subscribe("admin-1"))).name === "channel_not_authorized", "channel_not_authorized");
    check((await rejection(c.send("nobody", 1))).name === "peer_not_found", "peer_not_found");
    check((await rejection(c.publish("_system/x", 1))).name === "channel_reserved", "channel_reserved");
    c.close();
    const reader = client({ tokenProvider: mint({ peerId: "reader", permissions: ["subscribe"] }) });
    await reader.connect();
    check((await rejection(reader.publish("room-1", 1))).name === "action_not_permitted", "action_not_permitted");
    await reader.subscribe("room-1");
    reader.close();
  },

  // A publishable key: random UUID peerId, null expiry, its own scope.
  async publishable() {
    const a = client({ apiKey: "pk_live_rooms" });
    const b = client({ apiKey: "pk_live_rooms" });
    const up = next(a, "connected");
    await a.connect();
    const w = await up;
    check(/^[0-9a-f-]{36}$/.test(w.peerId) && w.expiresAt === null, "pk welcome");
    await b.connect();
    await b.subscribe("room-7");
    const msg = next(b, "message");
    await a.publish("room-7", "from a pk peer");
    check((await msg).from === w.peerId, "message from the pk peer");
    check((await rejection(a.subscribe("lobby"))).name === "channel_not_authorized", "pk scope");
    a.close();
    b.close();
  },

  // DELETE /v1/peers closes with 4020 and the SDK does not reconnect.
  async kick() {
    const c = client({ tokenProvider: mint({ peerId: "kicked" }) });
    await c.connect();
    const gone = next(c, "disconnected");
    const r = await rest("DELETE", "/peers/kicked");
    check(r.closed === 1, "closed count");
    const e = await gone;
    check(e.code === 4020 && e.willReconnect === false, `disconnect ${JSON.stringify(e)}`);
  },

  // Token expiry closes with 4002; the SDK fetches a fresh token, reconnects and resubscribes.
  async expiry() {
    let minted = 0;
    const c = client({ tokenProvider: async () => { minted++; return mint({ peerId: "shortlived", expiresInSec: 2 })(); } });
    await c.connect();
    await c.subscribe("room-9");
    const gone = next(c, "disconnected");
    const back = next(c, "connected", (e) => e.isReconnect);
    const e = await gone;
    check(e.code === 4002 && e.willReconnect === true, `disconnect ${JSON.stringify(e)}`);
    await back;
    check(minted >= 2, "a new token was minted");
    const msg = next(c, "message");
    // The replayed subscription is in place once the REST publish reaches it.
    for (let i = 0; i < 50; i++) {
      const r = await rest("POST", "/channels/room-9/publish", { data: "after expiry" });
      if (r.delivered === 1) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    check((await msg).data === "after expiry", "message after reconnect");
    c.close();
  },

  // going_away + 1001 on shutdown; the SDK reconnects to the restarted relay (the test restarts it on READY).
  async going_away() {
    const c = client({ tokenProvider: mint({ peerId: "survivor" }) });
    await c.connect();
    await c.subscribe("room-5");
    const notice = next(c, "going-away");
    const gone = next(c, "disconnected");
    const back = next(c, "connected", (e) => e.isReconnect);
    console.log("READY");
    const n = await notice;
    check(typeof n.retryAfterMs === "number", "going_away retryAfterMs");
    const e = await gone;
    check(e.code === 1001 && e.willReconnect === true, `disconnect ${JSON.stringify(e)}`);
    await back;
    const msg = next(c, "message");
    for (let i = 0; i < 50; i++) {
      const r = await rest("POST", "/channels/room-5/publish", { data: "new relay" });
      if (r.delivered === 1) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    check((await msg).data === "new relay", "message through the restarted relay");
    c.close();
  },
};

(async () => {
  const run = scenarios[scenario];
  if (!run) fail(`unknown scenario (known: ${Object.keys(scenarios).join(", ")})`);
  try {
    await run();
    console.log(`OK ${scenario}`);
    process.exit(0);
  } catch (err) {
    fail(err && err.stack ? err.stack : String(err));
  }
})();
