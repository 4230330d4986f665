// The Outpost fleet dashboard: a browser client of the Metered wire protocol (JSON over WebSocket).
// It trades the login code from the link for a short-lived page token, subscribes to
// devices/*/events for telemetry, status and results, and to each command channel for presence.
"use strict";

const MAX_POINTS = 900; // per quantity: 15 minutes at one reading a second
const LOG_LINES = 300;
const $ = (sel, root = document) => root.querySelector(sel);

const state = {
  session: null, ws: null, nextRequest: 1, subscribed: new Set(), retry: 1000,
  devices: new Map(), // id -> device
  pending: new Map(), // command id -> device id
  chunks: new Map(), // attachmentId -> {count, parts: [], waiting: {device, attachment, caption} | null}
  detail: null,
};

// ---- session and connection -------------------------------------------------------------------

function loginCode() {
  const m = /(?:^#|&)login=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem("outpost.login", decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname); // keep the code out of the address bar
  }
  return sessionStorage.getItem("outpost.login");
}

async function startSession() {
  const code = loginCode();
  if (!code) return showLogin("");
  const r = await fetch("/dashboard/api/session", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ login: code }),
  });
  if (r.status === 401) { sessionStorage.removeItem("outpost.login"); return showLogin("That login code is not valid (the relay makes new codes each start)."); }
  if (!r.ok) throw new Error("session: HTTP " + r.status);
  state.session = await r.json();
  $("#login").hidden = true;
  $("#role").textContent = state.session.operator ? "operator" : "read-only";
  document.body.classList.toggle("operator", state.session.operator);
  // Trade the code again five minutes before the token runs out, then reconnect with the new one.
  const ms = state.session.expiresAt * 1000 - Date.now() - 300000;
  setTimeout(() => { if (state.ws) state.ws.close(4900, "token refresh"); }, Math.max(ms, 60000));
  connect();
}

function showLogin(message) {
  $("#login").hidden = false;
  $("#login-error").textContent = message;
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/v1?token=${encodeURIComponent(state.session.token)}`);
  state.ws = ws;
  state.subscribed.clear();
  ws.onmessage = (e) => { try { onFrame(JSON.parse(e.data)); } catch (err) { console.error(err); } };
  ws.onclose = (e) => {
    setConn(false, `offline (${e.code})`);
    if (state.ws !== ws) return;
    state.ws = null;
    const refresh = e.code === 4900 || e.code === 4002;
    setTimeout(() => (refresh ? startSession() : connect()).catch(console.error), refresh ? 0 : state.retry);
    state.retry = Math.min(state.retry * 2, 30000);
  };
}

function send(frame) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(frame));
}

function subscribe(channel) {
  if (state.subscribed.has(channel)) return;
  state.subscribed.add(channel);
  send({ type: "subscribe", channel, requestId: "s" + state.nextRequest++ });
}

function setConn(on, text) {
  const el = $("#conn");
  el.className = "pill " + (on ? "on" : "off");
  el.textContent = text;
}

// ---- protocol frames --------------------------------------------------------------------------

function onFrame(f) {
  switch (f.type) {
    case "welcome":
      state.retry = 1000;
      setConn(true, "live");
      subscribe("devices/*/events");
      discover();
      break;
    case "message": onMessage(f.channel, f.data); break;
    case "presence": onPresence(f); break;
    case "error": log(null, `relay error ${f.code}: ${f.message}`, "warn"); break;
    case "going_away": setConn(false, "relay restarting"); break;
  }
}

// Command channels are where devices are subscribed, so presence there says who is online.
async function discover() {
  try {
    const r = await api("/dashboard/api/channels");
    r.presence.forEach(subscribe);
    for (const ch of r.events) {
      const id = ch.split("/")[1];
      if (!state.devices.has(id) || !state.devices.get(id).backfilled) backfill(id, ch);
    }
  } catch (err) { console.error(err); }
}
setInterval(() => { if (state.ws && state.ws.readyState === WebSocket.OPEN) discover(); }, 5000);
setInterval(() => send({ type: "ping" }), 20000);

async function backfill(id, channel) {
  const d = device(id);
  d.backfilled = true;
  const h = await api("/dashboard/api/history?channel=" + encodeURIComponent(channel) + "&seconds=900");
  for (const m of h.messages) onMessage(channel, m.data, m.at, true);
  render(d);
}

async function api(path) {
  const r = await fetch(path, { headers: { Authorization: "Bearer " + state.session.token } });
  if (!r.ok) throw new Error(path + ": HTTP " + r.status);
  return r.json();
}

function onPresence(f) {
  // Devices subscribe to their command channels; other subscription strings say nothing of them.
  if (!/\/commands$/.test(f.channel)) return;
  for (const p of f.joined || []) {
    if (p.peerId.startsWith("dashboard-")) continue;
    const d = device(p.peerId);
    d.online = true;
    d.peers.add(f.channel);
    if (p.metadata) d.metadata = p.metadata;
    d.lastSeen = Date.now();
    render(d);
  }
  for (const p of f.left || []) {
    const d = state.devices.get(p.peerId);
    if (!d) continue;
    d.peers.delete(f.channel);
    if (d.peers.size === 0) { d.online = false; log(d.id, "went offline", "warn"); }
    render(d);
  }
}

function onMessage(channel, data, at, old, inEnvelope) {
  const m = /^devices\/([^/]+)\/events$/.exec(channel);
  if (!m || !data || typeof data !== "object") return;
  const d = device(m[1]);
  if (data.type === "replay" && Array.isArray(data.messages)) {
    // Stored messages sent after an outage (architecture.md §5): each counts as if it came alone;
    // the card is drawn once for the lot.
    for (const inner of data.messages) onMessage(channel, inner, at, old, true);
    if (!old) render(d);
    return;
  }
  d.lastSeen = Math.max(d.lastSeen || 0, at || Date.now());
  switch (data.type) {
    case "telemetry": addRecords(d, data.records || []); break;
    case "status": d.status = data; break;
    case "command.result": onResult(d, data, old); break;
    case "attachment.chunk": onChunk(data); break;
    case "camera.snapshot":
    case "camera.motion":
      log(d.id, describe(data), "", at, data.attachment && data.attachment.data ? picture(data.attachment) : null);
      if (!old && data.attachment) showPicture(d, data.attachment, data.type.replace("camera.", "") + " " + new Date(at || Date.now()).toLocaleTimeString());
      break;
    default: log(d.id, describe(data), data.type === "buffer.dropped" ? "warn" : "", at);
  }
  if (!old && !inEnvelope) render(d);
}

function onResult(d, r, old) {
  // Attachment bytes are shown as a picture, not as text.
  const short = (k, v) => (k === "data" && typeof v === "string" && v.length > 64 ? `<${v.length} base64 chars>` : v);
  const text = `${r.status}${r.duplicate ? " (duplicate)" : ""}: ${r.error ? r.error.code + " " + (r.error.message || "") : JSON.stringify(r.result ?? {}, short).slice(0, 400)}`;
  // The device reports an output's new state in the result; status confirms it later.
  if (r.status === "succeeded" && r.result && typeof r.result.output === "string" && d.status && d.status.outputs) {
    d.status.outputs[r.result.output] = r.result.value;
  }
  if (!old && r.result && r.result.attachment) {
    showPicture(d, r.result.attachment, `snapshot ${r.result.width}x${r.result.height}`);
  }
  if (!old && state.pending.has(r.id)) {
    state.pending.delete(r.id);
    d.result = { id: r.id, status: r.status, text: `${r.id} → ${text}` };
  }
  log(d.id, `command ${r.id} ${text}`, r.status === "succeeded" ? "" : "warn");
}

function describe(data) {
  if (data.type === "buffer.dropped") return `buffer.dropped seq ${data.fromSeq}..${data.toSeq} (${data.count}, ${data.reason})`;
  const { stream, seq, id, attachment, ...rest } = data;
  return JSON.stringify(rest).slice(0, 300);
}

// ---- attachments (architecture.md §5): inline, or described with attachmentId + chunks ----------

function picture(a) {
  return `data:${a.contentType || "application/octet-stream"};base64,${a.data}`;
}

// Shows a picture on the device's card once all its bytes are here, checked against its sha256.
function showPicture(d, a, caption) {
  if (!/^image\//.test(a.contentType || "")) return;
  if (a.data) return setPicture(d, picture(a), caption);
  const c = chunkEntry(a.attachmentId, a.chunks);
  c.waiting = { device: d, attachment: a, caption };
  completeChunks(a.attachmentId);
}

function chunkEntry(id, count) {
  let c = state.chunks.get(id);
  if (!c) {
    c = { count, parts: new Array(count), waiting: null, at: Date.now() };
    state.chunks.set(id, c);
  }
  return c;
}

function onChunk(m) {
  if (typeof m.attachmentId !== "string" || !Number.isInteger(m.index) || !Number.isInteger(m.count)) return;
  const c = chunkEntry(m.attachmentId, m.count);
  if (m.index >= 0 && m.index < c.count) c.parts[m.index] = m.data;
  completeChunks(m.attachmentId);
}

async function completeChunks(id) {
  const c = state.chunks.get(id);
  if (!c || !c.waiting || c.parts.filter((p) => typeof p === "string").length !== c.count) return;
  state.chunks.delete(id);
  const binary = c.parts.map((p) => atob(p)).join("");
  const { device, attachment, caption } = c.waiting;
  if (crypto.subtle && attachment.sha256) {
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
    if (hex !== attachment.sha256) return log(device.id, `attachment ${id}: sha256 does not match, not shown`, "warn");
  }
  setPicture(device, picture({ contentType: attachment.contentType, data: btoa(binary) }), caption + ` (${c.count} chunks)`);
}

// Chunks that never completed are forgotten after two minutes.
setInterval(() => { const old = Date.now() - 120000; state.chunks.forEach((c, id) => { if (c.at < old) state.chunks.delete(id); }); }, 30000);

function setPicture(d, url, caption) {
  const fig = $(".camera", d.card);
  fig.hidden = false;
  $("img", fig).src = url;
  $("figcaption", fig).textContent = caption;
}

// SenML (RFC 8428): base name/time/unit carry over to the records after them.
function addRecords(d, records) {
  let bn = "", bt = 0, bu;
  for (const r of records) {
    if (r.bn !== undefined) bn = r.bn;
    if (r.bt !== undefined) bt = r.bt;
    if (r.bu !== undefined) bu = r.bu;
    const v = typeof r.v === "number" ? r.v : typeof r.vb === "boolean" ? (r.vb ? 1 : 0) : null;
    if (v === null) continue;
    let name = bn + (r.n || "");
    if (name.startsWith(d.id + "/")) name = name.slice(d.id.length + 1);
    const s = d.series.get(name) || { unit: r.u || bu || "", t: [], v: [] };
    d.series.set(name, s);
    const t = bt + (r.t || 0);
    if (s.t.length && t < s.t[s.t.length - 1]) continue; // out of order (a replayed backlog): skip
    s.t.push(t); s.v.push(v);
    if (s.t.length > MAX_POINTS) { s.t.shift(); s.v.shift(); }
  }
}

// ---- devices ----------------------------------------------------------------------------------

function device(id) {
  let d = state.devices.get(id);
  if (!d) {
    d = { id, online: false, peers: new Set(), series: new Map(), charts: new Map(), status: null, metadata: null, lastSeen: 0, result: null };
    state.devices.set(id, d);
    const card = $("#device-card").content.firstElementChild.cloneNode(true);
    card.dataset.device = id;
    $(".name", card).textContent = id;
    $(".name", card).onclick = (e) => { e.preventDefault(); openDetail(id); };
    card.querySelectorAll("button[data-cmd]").forEach((b) => (b.onclick = () => command(id, b.dataset.cmd, {})));
    $(".free", card).onsubmit = (e) => {
      e.preventDefault();
      const f = e.target;
      let args = {};
      try { args = f.args.value.trim() ? JSON.parse(f.args.value) : {}; } catch { d.result = { status: "failed", text: "args: not JSON" }; return render(d); }
      if (f.name.value.trim()) command(id, f.name.value.trim(), args);
    };
    d.card = card;
    const cards = [...$("#devices").children, card].sort((a, b) => a.dataset.device.localeCompare(b.dataset.device));
    $("#devices").replaceChildren(...cards);
    const opt = document.createElement("option");
    opt.value = opt.textContent = id;
    $("#log-filter").append(opt);
    $("#empty").hidden = true;
  }
  return d;
}

function render(d) {
  const c = d.card;
  c.classList.toggle("online", d.online);
  c.classList.toggle("offline", !d.online);
  $(".controls", c).hidden = !state.session.operator;
  const hasCamera = Object.keys((d.status && d.status.services) || {}).some((k) => k.startsWith("camera."));
  $('button[data-cmd="camera.snapshot"]', c).hidden = !hasCamera;
  $(".seen", c).textContent = d.online ? "online" : d.lastSeen ? "offline · last seen " + ago(d.lastSeen) : "offline";
  const s = d.status || {};
  const facts = [];
  if (d.metadata) facts.push(["metadata", Object.entries(d.metadata).map(([k, v]) => `${k}=${v}`).join(" ")]);
  if (s.fleet) facts.push(["fleet", s.fleet]);
  if (s.link) facts.push(["link", `${s.link.state}, ${s.link.acked ?? 0} acked`]);
  if (s.buffer) facts.push(["buffer", `${s.buffer.messages} msgs, ${fmtBytes(s.buffer.bytes)}${s.buffer.oldestAgeS ? ", oldest " + s.buffer.oldestAgeS + " s" : ""}${s.buffer.writable === false ? ", NOT WRITABLE" : ""}${s.buffer.dropped ? `, ${s.buffer.dropped} dropped` : ""}`]);
  if (s.sensors) facts.push(["sensors", s.sensors.map((x) => x.state === "ok" ? x.name : `<span class="failing">${esc(x.name)}: ${esc(x.state)}</span>`).join(", "), true]);
  if (s.uptimeS !== undefined) facts.push(["uptime", fmtDuration(s.uptimeS)]);
  $(".facts", c).innerHTML = facts.map(([k, v, html]) => `<dt>${esc(k)}</dt><dd>${html ? v : esc(v)}</dd>`).join("");
  renderOutputs(d, s.outputs || {});
  const r = $(".result", c);
  r.className = "result " + (d.result ? d.result.status : "muted");
  r.textContent = d.result ? d.result.text : "";
  drawCharts(d, $(".charts", c), Math.max(200, ($(".charts", c).clientWidth || 300) - 4), 70);
  if (state.detail === d.id) renderDetail(d);
}

function renderOutputs(d, outputs) {
  const box = $(".outputs", d.card);
  const names = Object.keys(outputs).sort();
  box.replaceChildren(...names.map((name) => {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.checked = outputs[name] === true;
    input.disabled = !state.session.operator || outputs[name] === null;
    input.dataset.output = name;
    input.onchange = () => command(d.id, "output.set", { output: name, value: input.checked });
    label.append(input, " " + name + (outputs[name] === null ? " (down)" : ""));
    return label;
  }));
}

function drawCharts(d, box, width, height, windowS) {
  const key = box === $(".charts", d.card) ? "card" : "detail";
  for (const [name, s] of [...d.series].sort()) {
    const id = key + ":" + name;
    let holder = d.charts.get(id);
    if (!holder || !box.contains(holder.el)) {
      const el = document.createElement("div");
      el.className = "chart";
      el.dataset.series = name;
      el.innerHTML = `<div class="title">${esc(name)}${s.unit ? " (" + esc(s.unit) + ")" : ""} <span class="last"></span></div>`;
      box.append(el);
      const plot = new uPlot({ width, height, legend: { show: false }, cursor: { show: key === "detail" },
        axes: [{ show: key === "detail" }, { size: 45 }],
        series: [{}, { stroke: "#0969da", width: 1.5 }] }, [[], []], el);
      holder = { el, plot };
      d.charts.set(id, holder);
    }
    let t = s.t, v = s.v;
    if (windowS) { const from = Date.now() / 1000 - windowS; const i = t.findIndex((x) => x >= from); t = i < 0 ? [] : t.slice(i); v = i < 0 ? [] : v.slice(i); }
    holder.plot.setData([t, v]);
    holder.el.dataset.points = String(t.length);
    $(".last", holder.el).textContent = v.length ? "· " + round(v[v.length - 1]) : "";
  }
}

// ---- per-device view --------------------------------------------------------------------------

function openDetail(id) {
  state.detail = id;
  $("#fleet").hidden = true;
  $("#detail").hidden = false;
  $("#log-filter").value = id;
  filterLog();
  $("#detail").innerHTML = `<h2>${esc(id)} <select id="window"><option value="300">last 5 min</option><option value="900" selected>last 15 min</option></select> <a href="#" id="back">all devices</a></h2><div class="charts"></div>`;
  $("#back").onclick = (e) => { e.preventDefault(); closeDetail(); };
  $("#window").onchange = () => renderDetail(state.devices.get(id));
  renderDetail(state.devices.get(id));
}

function closeDetail() {
  state.detail = null;
  $("#detail").hidden = true;
  $("#fleet").hidden = false;
}

function renderDetail(d) {
  const box = $("#detail .charts");
  if (box) drawCharts(d, box, Math.min(560, window.innerWidth - 40), 180, Number($("#window").value));
}

// ---- commands ---------------------------------------------------------------------------------

function command(id, name, args) {
  const cmdId = "dash-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 6);
  state.pending.set(cmdId, id);
  const d = state.devices.get(id);
  d.result = { status: "muted", text: `${cmdId} → sent ${name}…` };
  render(d);
  send({ type: "publish", channel: `devices/${id}/commands`, requestId: "p" + state.nextRequest++,
    data: { type: "command", id: cmdId, name, args, target: [id] } });
  log(id, `sent ${name} ${JSON.stringify(args)} as ${cmdId}`);
}

// ---- event log --------------------------------------------------------------------------------

function log(id, text, cls = "", at, imageUrl) {
  const li = document.createElement("li");
  li.className = cls;
  li.dataset.device = id || "";
  li.textContent = `${new Date(at || Date.now()).toLocaleTimeString()} ${id ? id + ": " : ""}${text}`;
  if (imageUrl) {
    const img = document.createElement("img");
    img.src = imageUrl;
    img.alt = "thumbnail";
    li.append(img);
  }
  const list = $("#log");
  list.prepend(li);
  while (list.children.length > LOG_LINES) list.lastChild.remove();
  filterLog();
}

function filterLog() {
  const f = $("#log-filter").value;
  for (const li of $("#log").children) li.hidden = f !== "" && li.dataset.device !== f;
}
$("#log-filter").onchange = filterLog;
$("#home").onclick = (e) => { e.preventDefault(); closeDetail(); };
$("#login-form").onsubmit = (e) => {
  e.preventDefault();
  sessionStorage.setItem("outpost.login", $("#login-code").value.trim());
  startSession().catch((err) => showLogin(err.message));
};

// ---- helpers ----------------------------------------------------------------------------------

function esc(s) { return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]); }
function round(v) { return Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)); }
function ago(ms) { return fmtDuration(Math.round((Date.now() - ms) / 1000)) + " ago"; }
function fmtDuration(s) { return s < 60 ? s + " s" : s < 3600 ? Math.round(s / 60) + " min" : (s / 3600).toFixed(1) + " h"; }
function fmtBytes(b) { return b === undefined ? "?" : b < 1024 ? b + " B" : b < 1048576 ? (b / 1024).toFixed(1) + " KB" : (b / 1048576).toFixed(1) + " MB"; }
setInterval(() => state.devices.forEach((d) => { if (!d.online) $(".seen", d.card).textContent = d.lastSeen ? "offline · last seen " + ago(d.lastSeen) : "offline"; }), 5000);

startSession().catch((err) => showLogin(err.message));
