// Speed of trust, classroom: the teacher's screen. Plain JavaScript and canvas, no library.
"use strict";
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
const pct = (x) => (x == null ? "–" : Math.round(100 * x) + "%");
const KIND_COLOUR = { nhs_trust: "#5e3c99", council: "#1b7a5a", voluntary: "#666666" };
const hash = new URLSearchParams(location.hash.slice(1));
const token = hash.get("token") || sessionStorage.getItem("sot-teacher") || "";
sessionStorage.setItem("sot-teacher", token);
if (location.hash) history.replaceState(null, "", location.pathname);  // the token off the projected address bar
let state = null;
let shockKinds = null;
let messageTimer = null;

function message(text, ok) {   // a control's answer, shown for a few seconds (no stale messages)
  $("control-msg").innerHTML = text ? `<span class="msg ${ok ? "ok" : "err"}">${esc(text)}</span>` : "";
  clearTimeout(messageTimer);
  if (text) messageTimer = setTimeout(() => { $("control-msg").innerHTML = ""; }, ok ? 4000 : 10000);
}

async function api(path, body) {
  const opts = { headers: { "Content-Type": "application/json", "X-Teacher-Token": token } };
  if (body !== undefined) { opts.method = "POST"; opts.body = JSON.stringify(body); }
  const r = await fetch(path, opts);
  const data = await r.json().catch(() => ({ error: "the server sent no JSON" }));
  if (!r.ok) throw Object.assign(new Error(data.error || r.statusText), { status: r.status });
  return data;
}

function trustColour(t) {   // red (distrust) - yellow - blue (trust), as the dashboard
  const stops = [[0, [215, 48, 39]], [0.5, [230, 200, 60]], [1, [49, 84, 180]]];
  t = Math.max(0, Math.min(1, t));
  const k = t < 0.5 ? 0 : 1, [a, ca] = stops[k], [b, cb] = stops[k + 1], f = (t - a) / (b - a);
  const c = ca.map((v, i) => Math.round(v + f * (cb[i] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function drawNetwork() {
  const cv = $("network"), ctx = cv.getContext("2d"), W = cv.width, H = cv.height, pad = 30;
  const { nodes, edges } = state.network;
  const X = (n) => pad + (n.x + 1) / 2 * (W - 2 * pad), Y = (n) => pad + (1 - (n.y + 1) / 2) * (H - 2 * pad);
  ctx.clearRect(0, 0, W, H);
  const sorted = edges.slice().sort((a, b) => (a[3] - b[3]) || (a[2] - b[2]));
  for (const [i, j, t, partner] of sorted) {
    ctx.beginPath(); ctx.moveTo(X(nodes[i]), Y(nodes[i])); ctx.lineTo(X(nodes[j]), Y(nodes[j]));
    ctx.strokeStyle = trustColour(t); ctx.globalAlpha = partner ? 1 : 0.6; ctx.lineWidth = partner ? 4.5 : 1.4;
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  for (const n of nodes) {
    const r = n.kind === "voluntary" ? 6 : 11;
    if (n.largest) { ctx.beginPath(); ctx.arc(X(n), Y(n), r + 5, 0, 7); ctx.fillStyle = "#e6a800"; ctx.fill(); }
    ctx.beginPath(); ctx.arc(X(n), Y(n), r, 0, 7); ctx.fillStyle = KIND_COLOUR[n.kind] || "#333"; ctx.fill();
    ctx.lineWidth = n.player ? 3 : 1.5; ctx.strokeStyle = n.player ? "#000" : "#fff"; ctx.stroke();
  }
  ctx.font = "bold 20px system-ui, sans-serif";
  let x = 8;
  for (const [kind, label] of [["nhs_trust", "● NHS trust"], ["council", "● council"], ["voluntary", "● voluntary body"]]) {
    ctx.fillStyle = KIND_COLOUR[kind]; ctx.fillText(label, x, H - 8); x += ctx.measureText(label).width + 18;
  }
}

function drawChart() {
  const cv = $("chart"), ctx = cv.getContext("2d"), W = cv.width, H = cv.height;
  const L = 64, R = 16, T = 34, B = 44, h = state.history;
  ctx.clearRect(0, 0, W, H);
  ctx.font = "20px system-ui, sans-serif"; ctx.fillStyle = "#111"; ctx.strokeStyle = "#999"; ctx.lineWidth = 1;
  for (let k = 0; k <= 4; k++) {
    const y = T + (H - T - B) * (1 - k / 4);
    ctx.beginPath(); ctx.moveTo(L, y); ctx.lineTo(W - R, y); ctx.stroke(); ctx.fillText((k * 25) + "%", 8, y + 6);
  }
  const maxMonth = Math.max(12, ...h.map((r) => r.month));
  const X = (m) => L + (W - L - R) * m / maxMonth, Y = (v) => T + (H - T - B) * (1 - v);
  ctx.fillText("month", W / 2 - 24, H - 10);
  ctx.fillText("0", L - 6, H - B + 22); ctx.fillText(String(maxMonth), W - R - 30, H - B + 22);
  for (const e of state.events) {   // events on the timeline
    ctx.strokeStyle = e.kind === "shock" ? "#b42318" : "#bbb"; ctx.lineWidth = e.kind === "shock" ? 3 : 1;
    ctx.beginPath(); ctx.moveTo(X(e.month), T); ctx.lineTo(X(e.month), H - B); ctx.stroke();
  }
  for (const [key, colour, label, y0] of [["integration", "#0b4f9c", "integration", 0], ["mean_trust", "#111", "mean trust", 1]]) {
    ctx.strokeStyle = colour; ctx.lineWidth = 4; ctx.beginPath();
    h.forEach((r, k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, X(r.month), Y(r[key])));
    ctx.stroke(); ctx.fillStyle = colour; ctx.font = "bold 22px system-ui, sans-serif";
    ctx.fillText("— " + label, L + 10 + 190 * y0, T - 10);
  }
}

function render() {
  const s = state;
  $("headline").textContent = `Round ${s.round} · month ${s.month} · ${s.status}` +
    (s.timer ? ` · timer ${s.timer} s` : "") + ` · ${s.months_per_round} month(s) a round`;
  $("join-url").textContent = s.join_url; $("code").textContent = s.code;
  $("score").textContent = s.place_score; $("score2").textContent = s.place_score;
  $("trust").textContent = s.place.mean_trust.toFixed(2);
  $("festering").textContent = s.place.festering;
  $("players").textContent = `${s.seats} · ${s.submitted}`;
  if (document.activeElement !== $("months")) $("months").value = s.months_per_round;
  if (document.activeElement !== $("timer")) $("timer").value = s.timer;
  if (!shockKinds) {
    shockKinds = s.shock_kinds;
    const label = { leader_leaves: "a leader leaves", financial_crisis: "financial crisis",
                    departures: "wave of departures", demand: "rising demand" };
    $("shock-kind").innerHTML = shockKinds.map((k) => `<option value="${k}">${label[k] || k}</option>`).join("");
    shockForm();
  }
  const players = s.network.nodes.filter((n) => n.player), others = s.network.nodes.filter((n) => !n.player);
  const options = [...players, ...others].map((n) =>
    `<option value="${n.id}">${esc(n.name)}${n.player ? " (" + esc(n.player) + ")" : ""}</option>`).join("");
  if ($("shock-org").dataset.options !== options && document.activeElement !== $("shock-org")) {
    const keep = $("shock-org").value;
    $("shock-org").innerHTML = options; $("shock-org").dataset.options = options;
    if (keep) $("shock-org").value = keep;
  }
  $("board").innerHTML = s.scoreboard.map((r) => `<tr><td>${esc(r.name)}</td>
    <td class="kind-${r.kind}">${esc(r.organisation_name)}</td><td>${r.in_largest ? '<span class="yes">yes</span>' : "no"}</td>
    <td>${r.partnerships}</td><td>${r.trust_received == null ? "–" : r.trust_received.toFixed(2)}</td>
    <td>${r.own_result}</td><td>${r.submitted ? "✓" : ""}</td></tr>`).join("");
  $("events").innerHTML = s.events.slice(-8).reverse().map((e) =>
    `<li>Round ${e.round}, month ${e.month}: ${esc(e.text)}</li>`).join("")
    || "<li class=small>Nothing yet.</li>";
  drawNetwork(); drawChart();
}

async function refresh() {
  try { state = await api("/api/teacher/state"); render(); $("auth-msg").innerHTML = ""; }
  catch (e) { $("auth-msg").innerHTML = `<span class="msg err">${esc(e.message)}</span>`; }
}

async function act(path, body) {
  try { await api(path, body ?? {}); message("Done.", true); await refresh(); }
  catch (e) { message(e.message, false); }
}

for (const name of ["start", "pause", "advance", "end"]) $(name).addEventListener("click", () => act(`/api/teacher/${name}`));
$("config").addEventListener("click", () => act("/api/teacher/config",
  { months_per_round: parseInt($("months").value, 10), timer: parseFloat($("timer").value) }));
function shockForm() {
  const kind = $("shock-kind").value;
  $("shock-org-box").classList.toggle("hidden", kind !== "leader_leaves");
  $("shock-size-box").classList.toggle("hidden", kind === "leader_leaves");
  $("shock-months-box").classList.toggle("hidden", kind !== "financial_crisis");
}
$("shock-kind").addEventListener("change", shockForm);
$("shock").addEventListener("click", () => act("/api/teacher/shock", $("shock-kind").value === "leader_leaves"
  ? { kind: "leader_leaves", organisation: parseInt($("shock-org").value, 10) }
  : { kind: $("shock-kind").value, size: parseFloat($("shock-size").value),
      months: parseInt($("shock-months").value, 10) }));
$("csv").addEventListener("click", async () => {   // fetched with the token in a header, saved from memory
  try {
    const r = await fetch("/api/teacher/debrief.csv", { headers: { "X-Teacher-Token": token } });
    if (!r.ok) throw new Error((await r.json().catch(() => ({}))).error || r.statusText);
    const a = document.createElement("a");
    a.href = URL.createObjectURL(await r.blob()); a.download = "classroom-debrief.csv";
    document.body.appendChild(a); a.click(); a.remove(); setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  } catch (e) { message(e.message, false); }
});
const num = (x, d) => (x == null ? "–" : Number(x).toFixed(d));
$("debrief").addEventListener("click", async () => {
  try {
    const d = await api("/api/teacher/debrief");
    const head = `<p>Over ${d.rounds} rounds integration went from ${pct(d.integration_start)} to
      ${pct(d.integration_end)}, mean trust from ${num(d.mean_trust_start, 2)} to ${num(d.mean_trust_end, 2)}.</p>
      <p class="small">${esc(d.note)}</p>`;
    let body;
    if (d.statistics) {
      const rows = d.effects.map((e) => `<tr><td>${esc(e.choice)}</td><td>${esc(e.outcome)}</td>
        <td>${num(e.spearman, 2)}</td><td>${e.students}</td></tr>`).join("");
      body = `<p>Choices most associated with what followed (rank correlation over students):</p>
        <table><thead><tr><th>Choice</th><th>Outcome</th><th>Correlation</th><th>Students</th></tr></thead>
        <tbody>${rows || "<tr><td colspan=4>Not enough choices yet.</td></tr>"}</tbody></table>`;
    } else {
      const rows = d.anecdotes.map((a) => `<tr><td>${esc(a.name)}</td><td>${num(a.transparency, 2)}</td>
        <td>${num(a.altruism, 2)}</td><td>${num(a.meetings_asked, 1)}</td><td>${num(a.trust_received_change, 2)}</td>
        <td>${a.partnerships_end}</td><td>${num(a.own_result_mean, 0)}</td></tr>`).join("");
      body = `<p>Anecdotes, one student at a time (no statistics):</p>
        <table><thead><tr><th>Student</th><th>Shared</th><th>Helped</th><th>Meetings asked</th>
        <th>Partners' trust, change</th><th>Partnerships</th><th>Own result</th></tr></thead>
        <tbody>${rows || "<tr><td colspan=7>No students yet.</td></tr>"}</tbody></table>`;
    }
    $("debrief-out").innerHTML = head + body;
  } catch (e) { $("debrief-out").innerHTML = `<span class="msg err">${esc(e.message)}</span>`; }
});
refresh();
setInterval(refresh, 1500);
