// The queue: scopes (mine, my teams, all), filters, deadline order, live badges, bulk actions;
// the reader's presence (and, for a lead, their teams' members'), which decides who gets work.
import { api } from "./api.js";
import { el, errorText, labelChip, markSeen, notice, refreshBadges, seen, severityBadge, slaBadge, startPage } from "./common.js";
import { LABELS, labelName, t, teamName } from "./i18n.js";

const POLL_MS = 20000;
const CHOICES = {
  label: Object.keys(LABELS),
  severity: ["critical", "high", "normal", "low"],
  state: ["new", "assigned", "acknowledged", "waiting", "pending_review", "reopened", "resolved", "dismissed"],
  sla: ["ok", "at_risk", "breached", "paused", "met"],
  lang: ["fr", "en"],
  platform: ["x", "mastodon", "bluesky", "webhook"],
};
const NAMES = { label: labelName, severity: (v) => t(`severity.${v}`), state: (v) => t(`state.${v}`),
  sla: (v) => t(`sla.${v}`), lang: (v) => v.toUpperCase(), platform: (v) => v };

let me = null;
let scope = null;  // chosen once the reader is known: the first tab that has work
let cases = [];
let cursor = null;
let focused = -1;
let latest = 0;  // only the newest request may fill the table (filters change faster than answers)
const selected = new Set();

function fillFilters() {
  const params = new URLSearchParams(location.search);
  for (const [name, values] of Object.entries(CHOICES)) {
    const select = document.getElementById(`f-${name}`);
    select.replaceChildren(el("option", { value: "", text: t("filter.any") }),
      ...values.map((v) => el("option", { value: v, text: NAMES[name](v) })));
    select.value = params.get(name) || "";
  }
  const sort = document.getElementById("f-sort");
  sort.replaceChildren(...["deadline", "opened", "-opened", "-updated"].map((v) => el("option", { value: v, text: t(`sort.${v}`) })));
  document.getElementById("f-q").value = params.get("q") || "";
  if (["label", "platform", "q"].some((key) => params.has(key))) scope = {};
}

function scopes() {
  return [[t("queue.mine"), { assignee: "me" }],
    ...me.teams.map((team) => [t("queue.team", teamName(team)), { team }]), [t("queue.all"), {}]];
}

// The first tab with an open case (an admin or a lead often has nothing assigned to them).
async function firstScopeWithWork() {
  for (const [, value] of scopes()) {
    const params = new URLSearchParams({ ...value, limit: "1" });
    try {
      const page = await api(`/api/cases?${params}`);
      if (page.items.length) return value;
    } catch { break; }
  }
  return { assignee: "me" };
}

function fillScopes() {
  const options = scopes();
  const nav = document.getElementById("scopes");
  nav.replaceChildren(...options.map(([name, value]) => el("button", {
    type: "button", class: "tab", "aria-pressed": String(JSON.stringify(value) === JSON.stringify(scope)),
    onclick: () => { scope = value; fillScopes(); load(); }, text: name,
  })));
}

function query(more) {
  const form = new FormData(document.getElementById("filters"));
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(scope)) params.set(key, value);
  for (const key of ["label", "severity", "state", "sla", "lang", "platform", "q", "sort"]) {
    if (form.get(key)) params.set(key, form.get(key));
  }
  params.set("limit", "50");
  if (more && cursor) params.set("cursor", cursor);
  return params;
}

async function load(more = false) {
  const ticket = ++latest;
  try {
    const page = await api(`/api/cases?${query(more)}`);
    if (ticket !== latest) return;
    cases = more ? cases.concat(page.items) : page.items;
    cursor = page.next_cursor;
    render();
  } catch (exc) {
    notice("notice", errorText(exc), "warning");
  }
}

function row(item, index) {
  const known = seen()[item.id];
  const marker = known === undefined ? t("queue.new") : known < item.version ? t("queue.updated") : "";
  const owners = item.tasks.map((task) => `${teamName(task.team)} · ${task.assignee || t("case.nobody")}`).join(", ");
  const box = el("input", { type: "checkbox", "aria-label": `#${item.id}`, checked: selected.has(item.id),
    onchange: (e) => { e.target.checked ? selected.add(item.id) : selected.delete(item.id); countSelected(); } });
  return el("tr", { class: `${marker ? "unread" : ""} ${index === focused ? "focused" : ""}`.trim(), "data-case": item.id },
    el("td", {}, box),
    el("td", {}, el("a", { href: `/cases/${item.id}`, onclick: () => markSeen(item.id, item.version) }, `#${item.id}`),
      marker ? el("span", { class: "marker", text: marker }) : "", " ", severityBadge(item.severity)),
    el("td", {}, item.labels.map((label) => labelChip(label))),
    el("td", { class: "summary" }, el("span", { class: "handle", translate: "no", text: `@${item.author_handle} · ${item.platform} · ${item.lang}` }),
      el("span", { translate: "no", text: item.summary })),
    el("td", { text: owners }),
    el("td", { text: t(`state.${item.state}`) }),
    el("td", {}, slaBadge(item.sla_state, item.sla_due)));
}

function render() {
  document.getElementById("rows").replaceChildren(...cases.map(row));
  document.getElementById("empty").hidden = cases.length > 0;
  document.getElementById("more").hidden = !cursor;
  countSelected();
}

function countSelected() {
  for (const id of [...selected]) if (!cases.some((c) => c.id === id)) selected.delete(id);
  document.getElementById("bulk-count").textContent = t("bulk.selected", selected.size);
  document.getElementById("select-all").checked = cases.length > 0 && selected.size === cases.length;
}

async function bulk(kind) {
  if (!selected.size) return notice("notice", t("bulk.none"), "warning");
  const reason = document.getElementById("bulk-reason").value.trim();
  if (kind === "dismiss" && !reason) return notice("notice", t("action.reason_needed"), "warning");
  const action = kind === "assign-me" ? { action: "assign", assignee: me.member_id || me.username }
    : kind === "dismiss" ? { action: "dismiss", reason } : { action: kind };
  const items = cases.filter((c) => selected.has(c.id)).map((c) => ({ case_id: c.id, version: c.version }));
  try {
    const results = await api("/api/cases/bulk", { method: "POST", body: { items, action } });
    const failed = results.filter((r) => !r.ok);
    selected.clear();
    await load();  // the outcome is announced once the table shows it (focus is not lost after)
    notice("notice", [t("bulk.done", results.length - failed.length, failed.length),
      ...failed.map((r) => `#${r.case_id}${t("punct.colon")}${r.status === 409 ? t("error.409") : errorText({ status: r.status, message: r.detail })}`)].join(" "),
    failed.length ? "warning" : "");
  } catch (exc) {
    notice("notice", errorText(exc), "warning");
  }
}

function keys(event) {
  if (["INPUT", "SELECT", "TEXTAREA"].includes(event.target.tagName)) return;
  if (event.key === "/") { event.preventDefault(); document.getElementById("f-q").focus(); return; }
  if (!cases.length) return;
  if (event.key === "j" || event.key === "k") {
    focused = Math.max(0, Math.min(cases.length - 1, focused + (event.key === "j" ? 1 : -1)));
    render();
    document.querySelector(`tr[data-case="${cases[focused].id}"] a`).focus();
  } else if (event.key === "x" && focused >= 0) {
    const id = cases[focused].id;
    selected.has(id) ? selected.delete(id) : selected.add(id);
    render();
  }
}

// One presence control per member the reader may set: themselves, and for a lead (or an
// admin) every member of their teams (the API shows presence only to those who may change it).
async function fillPresence() {
  const lead = ["lead", "admin"].includes(me.role);
  const teams = await Promise.all(me.teams.map((team) => api(`/api/teams/${encodeURIComponent(team)}`)));
  const controls = teams.flatMap((team) => team.members
    .filter((m) => m.presence !== null && (m.id === me.member_id || lead))
    .map((m) => presenceControl(team, m)));
  document.getElementById("presence-list").replaceChildren(...controls);
  document.getElementById("presence").hidden = !controls.length;
}

function presenceControl(team, member) {
  const id = `presence-${team.id}-${member.id}`;
  const mine = member.id === me.member_id;
  const select = el("select", { id, "data-member": member.id, onchange: () => setPresence(team, member, select) },
    ...["available", "away"].map((p) => el("option", { value: p, text: t(`presence.${p}`), selected: member.presence === p })));
  const who = mine ? t("presence.mine", teamName(team.id))
    : [el("span", { translate: "no", text: member.name }), ` (${teamName(team.id)})`];
  return el("div", { class: "presence-member" }, el("label", { for: id }, who), select);
}

async function setPresence(team, member, select) {
  try {
    await api(`/api/teams/${encodeURIComponent(team.id)}/members/${encodeURIComponent(member.id)}`,
      { method: "PATCH", body: { presence: select.value } });
    notice("notice", t(`presence.set.${select.value}`, member.id === me.member_id ? t("presence.you") : member.name));
    await load();  // going away hands open tasks to others: the queue shows it
  } catch (exc) {
    notice("notice", errorText(exc), "warning");
    await fillPresence();
  }
}

async function main() {
  me = await startPage();
  if (!me) return;
  fillFilters();
  if (scope === null) scope = await firstScopeWithWork();
  fillScopes();
  await fillPresence();  // after the scope: a change of presence reloads the queue
  document.getElementById("filters").addEventListener("change", () => load());
  document.getElementById("filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  document.getElementById("more").addEventListener("click", () => load(true));
  document.getElementById("select-all").addEventListener("change", (e) => {
    cases.forEach((c) => (e.target.checked ? selected.add(c.id) : selected.delete(c.id)));
    render();
  });
  document.querySelectorAll("[data-bulk]").forEach((b) => b.addEventListener("click", () => bulk(b.dataset.bulk)));
  document.addEventListener("keydown", keys);
  await load();
  setInterval(refreshBadges, 1000);
  setInterval(() => { if (!document.hidden && !selected.size) load(); }, POLL_MS);
}

main();
