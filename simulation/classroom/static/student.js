// Speed of trust, classroom: the student's page. Plain JavaScript, no library, nothing inline (the CSP allows none).
"use strict";
const KEY = "sot-classroom-seat";
const KIND_LABEL = { nhs_trust: "NHS trusts", council: "councils", voluntary: "voluntary bodies" };
const KIND_ONE = { nhs_trust: "NHS trust", council: "council", voluntary: "voluntary body" };
let seat = JSON.parse(localStorage.getItem(KEY) || "null");
let view = null;
let builtFor = null;    // the round and partner set the choice form was built for
let draft = {};         // partner id -> meetings a month in the form
let touched = new Set();  // partners whose meetings the student set this round
let sent = null;        // {round, text}: a message that holds for its round only

const $ = (id) => document.getElementById(id);
const pct = (x) => (x == null ? "–" : Math.round(100 * x) + "%");
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

function message(el, text, ok) {
  el.innerHTML = text ? `<span class="msg ${ok ? "ok" : "err"}">${esc(text)}</span>` : "";
}

async function api(path, body) {
  const opts = { headers: { "Content-Type": "application/json" } };
  if (seat) opts.headers["X-Seat-Token"] = seat.token;
  if (body !== undefined) { opts.method = "POST"; opts.body = JSON.stringify(body); }
  const r = await fetch(path, opts);
  const data = await r.json().catch(() => ({ error: "the server sent no JSON" }));
  if (!r.ok) throw Object.assign(new Error(data.error || r.statusText), { status: r.status });
  return data;
}

async function join() {
  try {
    const body = { code: $("code").value, name: $("name").value };
    if ($("rejoin").value.trim()) body.rejoin = $("rejoin").value.trim();
    const s = await api("/api/join", body);
    seat = { organisation: s.organisation, token: s.token, name: s.name };
    localStorage.setItem(KEY, JSON.stringify(seat));
    message($("join-msg"), s.rejoined ? "Welcome back: your organisation is kept." : "Joined.", true);
    await refresh();
  } catch (e) { message($("join-msg"), e.message, false); }
}

function groups() {   // partners by kind, in the order of the kinds
  const out = {};
  for (const p of view.partners) (out[p.kind] = out[p.kind] || []).push(p);
  return Object.keys(KIND_LABEL).filter((k) => out[k]).map((k) => [k, out[k]]);
}

function hoursAsked() {
  return view.partners.reduce((t, p) => t + draft[p.id], 0) * view.organisation.meeting_hours;
}

function showHours() {
  const h = hoursAsked(), b = view.organisation.hours_budget, over = h > b + 1e-9;
  $("hours").textContent = `${h.toFixed(1)} of ${b} hours a month`;
  $("hours").classList.toggle("over", over);
  $("fit").classList.toggle("hidden", !over);
  message($("hours-msg"), over ? `Over your leader's ${b} hours by ${(h - b).toFixed(1)}: cut some meetings, or ` +
    "press Fit to my hours (every meeting cut in the same proportion). Choices over the budget are not accepted." : "",
  false);
  $("submit").disabled = over || view.status === "ended";
}

function syncInputs() {   // the form shows the draft: group boxes (a value, or empty when mixed) and partner rows
  for (const [kind, ps] of groups()) {
    const values = new Set(ps.map((p) => draft[p.id]));
    const box = document.querySelector(`.meet-kind[data-kind="${kind}"]`);
    const mine = ps.some((p) => touched.has(p.id));
    if (document.activeElement !== box) box.value = mine && values.size === 1 ? [...values][0] : "";
    box.placeholder = values.size === 1 ? `${[...values][0]} now` : "mixed";
  }
  document.querySelectorAll(".meet").forEach((el) => {
    if (document.activeElement !== el) el.value = draft[Number(el.closest("tr").dataset.id)];
  });
  showHours();
}

function buildForm() {
  const o = view.organisation;
  const t = view.choices.transparency ?? o.own_transparency, a = view.choices.altruism ?? o.own_altruism;
  $("transparency").value = t; $("altruism").value = a;
  $("transparency-v").textContent = Number(t).toFixed(2); $("altruism-v").textContent = Number(a).toFixed(2);
  $("meeting-hours").textContent = o.meeting_hours;
  draft = {}; touched = new Set();
  for (const p of view.partners) draft[p.id] = p.meetings;
  $("groups").innerHTML = groups().map(([kind, ps]) => {
    const partners = ps.filter((p) => p.partnership).length, open = ps.reduce((t, p) => t + p.open_conflicts, 0);
    return `<tr><td class="kind-${kind}">${KIND_LABEL[kind]}</td>
      <td>${ps.length} (${partners} partnership${partners === 1 ? "" : "s"})</td>
      <td><input type="number" class="meet-kind" data-kind="${kind}" min="0" max="${view.max_contact}" step="0.25"
           aria-label="meetings a month with each of your ${KIND_LABEL[kind]}"></td>
      <td><label><input type="checkbox" class="lie-kind" data-kind="${kind}" ${open ? "" : "disabled"}>
           ${open} open</label></td></tr>`;
  }).join("");
  $("partners").innerHTML = view.partners.map((p) => `<tr data-id="${p.id}">
      <td><span class="kind-${p.kind}">${esc(p.name)}</span> <span class="small">${KIND_ONE[p.kind] || p.kind}${
        p.player ? ", a player" : ""}</span></td>
      <td><meter class="trust" min="0" max="1" value="${p.my_trust}"></meter> ${p.my_trust.toFixed(2)}</td>
      <td class="partner">${p.partnership ? '<span class="yes">yes</span>' : '<span class="no">no</span>'}</td>
      <td><input type="number" class="meet" min="0" max="${view.max_contact}" step="any"
           aria-label="meetings a month with ${esc(p.name)}"></td>
      <td class="conflicts">${p.open_conflicts}${p.lying ? ` <span class=small>(+${p.lying} lying)</span>` : ""}</td>
      <td><input type="checkbox" class="lie" data-kind="${p.kind}" ${p.open_conflicts ? "" : "disabled"}
           aria-label="let conflicts with ${esc(p.name)} lie"></td></tr>`).join("");
  document.querySelectorAll(".meet-kind").forEach((el) => el.addEventListener("input", () => {
    const v = parseFloat(el.value);
    if (!Number.isFinite(v)) return;
    for (const p of view.partners.filter((q) => q.kind === el.dataset.kind)) { draft[p.id] = v; touched.add(p.id); }
    syncInputs();
  }));
  document.querySelectorAll(".meet").forEach((el) => el.addEventListener("input", () => {
    const v = parseFloat(el.value), id = Number(el.closest("tr").dataset.id);
    if (!Number.isFinite(v)) return;
    draft[id] = v; touched.add(id); syncInputs();
  }));
  document.querySelectorAll(".lie-kind").forEach((el) => el.addEventListener("change", () => {
    document.querySelectorAll(`.lie[data-kind="${el.dataset.kind}"]:not(:disabled)`).forEach((b) => { b.checked = el.checked; });
  }));
  syncInputs();
  builtFor = view.round + ":" + view.partners.map((p) => p.id).join(",");
}

function fit() {   // every meeting cut in the same proportion, to the budget
  const h = hoursAsked(), b = view.organisation.hours_budget;
  if (h <= b) return;
  const f = b / h;
  for (const p of view.partners) { draft[p.id] = Math.floor(draft[p.id] * f * 100) / 100; touched.add(p.id); }
  syncInputs();
}

function notice() {
  const text = { ended: "The session has ended: thank you. Your teacher will now run the debrief.",
                 waiting: "Waiting for the teacher to start. You can already choose for round 1.",
                 paused: "Paused by the teacher. Choices are still taken." }[view.status];
  $("notice").className = text ? `msg ${view.status === "ended" ? "ended" : "info"}` : "hidden";
  $("notice").textContent = text || "";
}

function render() {
  const o = view.organisation, perf = view.performance;
  $("join-card").classList.add("hidden");
  $("play").classList.remove("hidden");
  notice();
  $("headline").textContent = `Round ${view.round} · month ${view.month} · ${view.status}` +
    (view.submitted ? " · choices in" : "");
  $("org-title").textContent = `${o.name} (${KIND_ONE[o.kind] || o.kind}), led by ${o.player}`;
  $("own-result").textContent = perf.own_result;
  $("partnerships").textContent = perf.partnerships;
  $("integration").textContent = pct(view.place.integration);
  $("rejoin-code").textContent = o.rejoin || "–";
  $("org-note").textContent = (perf.in_largest ? "You are in the largest partnership network. " : "") +
    `Your leader has been in post ${o.months_with_leader} month${o.months_with_leader === 1 ? "" : "s"}.`;
  $("events").innerHTML = view.events.slice().reverse().map((e) =>
    `<li>Round ${e.round}, month ${e.month}: ${esc(e.text)}</li>`).join("") || "<li class=small>Nothing yet.</li>";
  $("choose-title").textContent = view.status === "ended" ? "The session has ended" :
    `Your choices for round ${view.round}` + (view.months_per_round > 1 ? ` (${view.months_per_round} months)` : "");
  if (!sent || sent.round !== view.round) {   // messages of an earlier round expire
    sent = null; message($("submit-msg"), "", true);
  }
  const key = view.round + ":" + view.partners.map((p) => p.id).join(",");
  if (key !== builtFor) buildForm();
  else view.partners.forEach((p) => {   // live values only; the inputs keep what the student typed
    const row = document.querySelector(`tr[data-id="${p.id}"]`);
    if (!row) return;
    row.querySelector(".trust").value = p.my_trust;
    row.querySelector(".partner").innerHTML = p.partnership ? '<span class="yes">yes</span>' : '<span class="no">no</span>';
  });
  document.querySelectorAll("#play input, #play button").forEach((el) => {
    if (view.status === "ended") el.disabled = true;
  });
  showHours();
}

async function refresh() {
  if (!seat) return;
  try {
    view = await api(`/api/org/${seat.organisation}/view`);
    render();
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      localStorage.removeItem(KEY); seat = null;
      $("join-card").classList.remove("hidden"); $("play").classList.add("hidden");
    }
    message($("join-msg"), e.message, false);
  }
}

async function submit() {
  const contact = {}, letLie = [];
  for (const id of touched) contact[id] = draft[id];
  document.querySelectorAll("#partners tr").forEach((row) => {
    if (row.querySelector(".lie").checked) letLie.push(Number(row.dataset.id));
  });
  const body = { round: view.round, transparency: parseFloat($("transparency").value),
                 altruism: parseFloat($("altruism").value), let_lie: letLie };
  if (touched.size) body.contact = contact;
  const round = view.round;
  try {
    await api(`/api/org/${seat.organisation}/choices`, body);
    sent = { round };
    message($("submit-msg"), `Choices for round ${round} sent: they stand until you change them.`, true);
    await refresh();
  } catch (e) {
    sent = { round };
    message($("submit-msg"), e.message, false);
  }
}

for (const id of ["transparency", "altruism"]) {
  $(id).addEventListener("input", () => { $(id + "-v").textContent = Number($(id).value).toFixed(2); });
}
$("join").addEventListener("click", join);
$("submit").addEventListener("click", submit);
$("fit").addEventListener("click", fit);
const params = new URLSearchParams(location.search);
if (params.get("code")) $("code").value = params.get("code");
refresh();
setInterval(refresh, 2000);
