// Speed of trust, classroom: the student's page. Plain JavaScript, no library.
"use strict";
const KEY = "sot-classroom-seat";
let seat = JSON.parse(localStorage.getItem(KEY) || "null");
let view = null;
let builtFor = null;   // round and partner set the choice form was built for

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
    const s = await api("/api/join", { code: $("code").value, name: $("name").value });
    seat = { organisation: s.organisation, token: s.token, name: s.name };
    localStorage.setItem(KEY, JSON.stringify(seat));
    message($("join-msg"), s.rejoined ? "Welcome back: your organisation is kept." : "Joined.", true);
    await refresh();
  } catch (e) { message($("join-msg"), e.message, false); }
}

function hoursAsked() {
  let total = 0;
  document.querySelectorAll(".meet").forEach((el) => { total += parseFloat(el.value || "0"); });
  return total * view.organisation.meeting_hours;
}

function showHours() {
  const h = hoursAsked(), b = view.organisation.hours_budget;
  $("hours").textContent = `${h.toFixed(1)} of ${b} hours a month`;
  $("hours").style.color = h > b ? "#b42318" : "";
}

function buildForm() {
  const o = view.organisation;
  const t = view.choices.transparency ?? o.own_transparency, a = view.choices.altruism ?? o.own_altruism;
  $("transparency").value = t; $("altruism").value = a;
  $("transparency-v").textContent = Number(t).toFixed(2); $("altruism-v").textContent = Number(a).toFixed(2);
  $("meeting-hours").textContent = o.meeting_hours;
  const rows = view.partners.map((p) => `<tr data-id="${p.id}">
      <td><span class="kind-${p.kind}">${esc(p.name)}</span>${p.player ? " <span class=small>(a player)</span>" : ""}</td>
      <td><div class="bar"><i class="trust" style="width:${Math.round(100 * p.my_trust)}%"></i></div></td>
      <td class="partner">${p.partnership ? '<span class="yes">yes</span>' : '<span class="no">no</span>'}</td>
      <td><input type="number" class="meet" min="0" max="${view.max_contact}" step="0.5" value="${p.meetings}"
           aria-label="meetings a month with ${esc(p.name)}"></td>
      <td class="conflicts">${p.open_conflicts}${p.lying ? ` <span class=small>(+${p.lying} lying)</span>` : ""}</td>
      <td><input type="checkbox" class="lie" ${p.open_conflicts ? "" : "disabled"}
           aria-label="let conflicts with ${esc(p.name)} lie"></td></tr>`);
  $("partners").innerHTML = rows.join("");
  document.querySelectorAll(".meet").forEach((el) => el.addEventListener("input", showHours));
  showHours();
  builtFor = view.round + ":" + view.partners.map((p) => p.id).join(",");
}

function render() {
  const o = view.organisation, perf = view.performance;
  $("join-card").classList.add("hidden");
  $("play").classList.remove("hidden");
  $("headline").textContent = `Round ${view.round} · month ${view.month} · ${view.status}` +
    (view.submitted ? " · choices in" : "");
  const kinds = { nhs_trust: "NHS trust", council: "council", voluntary: "voluntary body" };
  $("org-title").textContent = `${o.name} (${kinds[o.kind] || o.kind}), led by ${o.player}`;
  $("own-result").textContent = perf.own_result;
  $("partnerships").textContent = perf.partnerships;
  $("integration").textContent = pct(view.place.integration);
  $("org-note").textContent = (perf.in_largest ? "You are in the largest partnership network. " : "") +
    `Your leader has been in post ${o.months_with_leader} months.`;
  $("events").innerHTML = view.events.slice().reverse().map((e) => `<li>Month ${e.month}: ${esc(e.text)}</li>`).join("")
    || "<li class=small>Nothing yet.</li>";
  $("choose-title").textContent = `Your choices for round ${view.round}` +
    (view.months_per_round > 1 ? ` (${view.months_per_round} months)` : "");
  const key = view.round + ":" + view.partners.map((p) => p.id).join(",");
  if (key !== builtFor) buildForm();
  else view.partners.forEach((p) => {   // live values only; the inputs keep what the student typed
    const row = document.querySelector(`tr[data-id="${p.id}"]`);
    if (!row) return;
    row.querySelector(".trust").style.width = Math.round(100 * p.my_trust) + "%";
    row.querySelector(".partner").innerHTML = p.partnership ? '<span class="yes">yes</span>' : '<span class="no">no</span>';
  });
  $("submit").disabled = view.status === "ended";
}

async function refresh() {
  if (!seat) return;
  try {
    view = await api(`/api/org/${seat.organisation}/view`);
    render();
  } catch (e) {
    if (e.status === 401 || e.status === 403) { localStorage.removeItem(KEY); seat = null; }
    message($("join-msg"), e.message, false);
  }
}

async function submit() {
  const contact = {}, letLie = [];
  document.querySelectorAll("#partners tr").forEach((row) => {
    contact[row.dataset.id] = parseFloat(row.querySelector(".meet").value || "0");
    if (row.querySelector(".lie").checked) letLie.push(Number(row.dataset.id));
  });
  const body = { round: view.round, transparency: parseFloat($("transparency").value),
                 altruism: parseFloat($("altruism").value), contact, let_lie: letLie };
  try {
    await api(`/api/org/${seat.organisation}/choices`, body);
    message($("submit-msg"), `Choices for round ${view.round} sent.`, true);
    await refresh();
  } catch (e) { message($("submit-msg"), e.message, false); }
}

for (const id of ["transparency", "altruism"]) {
  $(id).addEventListener("input", () => { $(id + "-v").textContent = Number($(id).value).toFixed(2); });
}
$("join").addEventListener("click", join);
$("submit").addEventListener("click", submit);
const params = new URLSearchParams(location.search);
if (params.get("code")) $("code").value = params.get("code");
refresh();
setInterval(refresh, 2000);
