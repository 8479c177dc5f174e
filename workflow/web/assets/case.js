// One case: posts with highlighted evidence, tasks with deadlines, notes, relabel, audit trail,
// actions with the version read (a 409 means someone else changed it meanwhile). A high-risk
// task's closing waits for a second person: they approve it or send it back with a reason.
import { api } from "./api.js";
import { el, errorText, labelChip, markSeen, notice, refreshBadges, severityBadge, slaBadge, startPage, when } from "./common.js";
import { explain } from "./deadline.js";
import { evidenceList, highlighted } from "./evidence.js";
import { LABELS, labelName, t, teamName } from "./i18n.js";
import { initReplies, renderReplies } from "./reply.js";

const POLL_MS = 15000;
const caseId = Number(location.pathname.split("/").pop());
let current = null;
let members = {};
let me = null;

async function fetchCase() {
  return api(`/api/cases/${caseId}`);
}

function head(c) {
  const teams = Object.entries(c.teams).map(([team, role]) => `${teamName(team)} (${t(role === "owner" ? "case.owner" : "case.copy")})`);
  document.getElementById("case-head").replaceChildren(
    el("h1", {}, `#${c.id} `, severityBadge(c.severity), " ", slaBadge(c.sla_state, c.sla_due)),
    el("p", {}, c.labels.map((label) => labelChip(label)), " ", el("span", { text: `${t(`state.${c.state}`)} · ` }),
      el("span", { translate: "no", text: `${c.platform} · ${c.lang.toUpperCase()} · @${c.author_handle} · v${c.version}` }),
      c.restricted ? [" ", el("span", { class: "badge restricted", text: t("case.restricted") })] : ""),
    el("p", { class: "teams", text: teams.join(" · ") }),
    inCopyOnly(c) ? el("p", { class: "notice", id: "read-only", text: t("case.read_only") }) : "");
}

// The reader's teams are only in copy of this case: they read it; acting is for its owners.
function inCopyOnly(c) {
  return me.role !== "admin" && !Object.entries(c.teams).some(([team, role]) => role === "owner" && me.teams.includes(team));
}

// Only http(s) links: records stored before URLs were validated may hold javascript: or data:.
// The whole conversation, oldest first: the brand's replies stand out, a post that brought
// another thread in by a merge rule says which rule, and a staff post whose author's policy
// acceptance was overdue when it came carries a notice.
function posts(c) {
  const joined = Object.fromEntries((c.joined_threads || []).map((j) => [j.post_id, j.rule]));
  const overdue = Object.fromEntries((c.policy_overdue || []).map((flag) => [flag.post_id, flag]));
  document.getElementById("posts").replaceChildren(...c.posts.map((post) => el("li", { class: `post source-${post.source}`, "data-source": post.source },
    post.id in joined ? el("p", { class: "joined" }, `${t("case.joined_by_rule")} `, el("code", { translate: "no", text: joined[post.id] })) : "",
    overdue[post.id] ? el("p", { class: "notice warning", "data-policy-overdue": post.id,
      text: t("case.policy_overdue", `@${post.author_handle}`, when(overdue[post.id].due_at)) }) : "",
    el("p", { class: "meta" }, el("strong", { translate: "no", text: `@${post.author_handle}` }), ` · ${t(`source.${post.source}`)} · ${when(post.created_at)} `,
      /^https?:\/\//i.test(post.url || "") ? el("a", { href: post.url, rel: "noopener noreferrer", target: "_blank", text: t("case.original") }) : ""),
    el("blockquote", { class: "post-text", translate: "no" }, highlighted(post.text, post.labels)),
    el("details", { open: post.labels.length > 0 }, el("summary", { text: `${t("case.evidence")} · ${post.model_version}` }), evidenceList(post.labels, post.text)))));
}

function actionButton(task, action, extra = () => ({})) {
  return el("button", { type: "button", "data-action": action, "data-task": task.id, text: t(`action.${action}`),
    onclick: () => act({ action, task_id: task.id, ...extra() }) });
}

function reasonInput(task, key) {
  return el("input", { id: `${key}-${task.id}`, placeholder: t(`action.${key}`), "aria-label": t(`action.${key}`) });
}

// The buttons of a task in its state: working on it, waiting for a review, or closed.
function taskButtons(task) {
  if (["resolved", "dismissed"].includes(task.state)) return [actionButton(task, "reopen")];
  const choose = el("select", { id: `assignee-${task.id}`, "aria-label": `${t("action.assign")} (${teamName(task.team)})` },
    (members[task.team] || []).map((m) => el("option", { value: m.id, text: m.open_tasks == null ? m.name : `${m.name} (${m.open_tasks})`, selected: m.id === task.assignee })));
  const assign = [choose, actionButton(task, "assign", () => ({ assignee: choose.value }))];
  if (task.state === "pending_review") {
    const mine = task.review.requested_by === me.username;
    const approve = actionButton(task, "approve");
    approve.disabled = mine;
    if (mine) approve.setAttribute("aria-describedby", `review-${task.id}`);
    const reason = reasonInput(task, "reject_reason");
    return [approve, reason, actionButton(task, "reject", () => ({ reason: reason.value.trim() })), ...assign];
  }
  const reason = reasonInput(task, "reason");
  return [
    actionButton(task, "acknowledge"),
    task.state === "waiting" ? actionButton(task, "resume") : actionButton(task, "wait"),
    ...assign,
    actionButton(task, "resolve"),
    reason, actionButton(task, "dismiss", () => ({ reason: reason.value.trim() })),
  ];
}

// Who asked to close a high-risk task and who approved it.
function reviewLine(task) {
  const review = task.review;
  if (task.state === "pending_review") {
    const asked = t("review.pending", review.requested_by, t(`review.${review.outcome}`), when(review.requested_at));
    const mine = review.requested_by === me.username ? ` ${t("review.self")}` : "";
    return el("p", { class: "review notice warning", id: `review-${task.id}`, text: asked + mine });
  }
  if (review.reviewed_by && ["resolved", "dismissed"].includes(task.state)) {
    return el("p", { class: "review", id: `review-${task.id}`, text: t("review.done", review.reviewed_by, when(review.reviewed_at)) });
  }
  return "";
}

function taskCard(task) {
  return el("article", { class: "task", "data-team": task.team, "data-state": task.state },
    el("h3", {}, `${teamName(task.team)} · `, severityBadge(task.severity), " ", el("span", { class: "state", text: t(`state.${task.state}`) })),
    el("p", {}, `${t("case.assignee")}${t("punct.colon")}`, el("strong", { class: "assignee", text: task.assignee || t("case.nobody") }),
      ` · ${task.labels.map(labelName).join(", ")}`),
    el("h4", {}, t("case.deadlines"), " ", el("small", { class: "policy" }, t("case.policy", ""),
      el("code", { translate: "no", text: task.policy }))),
    el("ul", { class: "deadlines" }, task.deadlines.map((d) => el("li", {},
      el("strong", { text: t(`milestone.${d.milestone}`) }), " ", slaBadge(d.state, d.met_at ? null : d.due_at),
      el("p", { class: "why", text: d.why ? explain(d.why) : d.explanation })))),
    task.dismiss_reason ? el("p", {}, t("case.dismissed_because", ""), task.dismiss_reason === "relabeled"
      ? t("case.relabeled") : el("span", { translate: "no", text: task.dismiss_reason })) : "",
    reviewLine(task),
    inCopyOnly(current) ? "" : el("div", { class: "actions" }, taskButtons(task)));
}

function notes(c) {
  const items = c.audit.filter((a) => a.action === "note");
  document.getElementById("notes").replaceChildren(...(items.length ? items.map((a) =>
    el("li", {}, el("p", { translate: "no", text: a.after.text }), el("small", { text: `${a.actor} · ${when(a.at)}` })))
    : [el("li", { class: "empty", text: t("case.no_notes") })]));
}

function relabel(c) {
  const box = document.getElementById("relabel-options");
  box.querySelectorAll("label").forEach((n) => n.remove());
  for (const label of Object.keys(LABELS).filter((l) => l !== "triage")) {
    box.append(el("label", { class: "check" }, el("input", { type: "checkbox", name: "labels", value: label, checked: c.labels.includes(label) }), labelName(label)));
  }
}

// An audit entry as a sentence: who did what to which team's task, and the state it left.
function sentence(entry, tasks) {
  const before = entry.before || {};
  const after = entry.after || {};
  const team = teamName(after.team || before.team || tasks[entry.task_id] || "");
  const person = (id) => id || t("audit.nobody");
  const labels = (list) => (list && list.length ? list.map(labelName).join(", ") : t("audit.none"));
  const asked = after.state === "pending_review";
  let text;
  if (entry.action.startsWith("reply_") || entry.action === "answered_elsewhere") {
    text = t(`audit.${entry.action}`);
  } else if (entry.action.startsWith("escalation:")) {
    text = t("audit.escalation", team, t(`audit.esc.${entry.action.slice(11)}`));
  } else {
    switch (entry.action) {
      case "task_opened": text = t("audit.task_opened", team); break;
      case "post_added": text = t("audit.post_added"); break;
      case "brand_reply": text = t("audit.brand_reply", team); break;
      case "assign": text = t("audit.assign", team, person(after.assignee)); break;
      case "reassign": text = t("audit.reassign", team, person(after.assignee), t("audit.away", person(before.assignee))); break;
      case "resolve": text = t(asked ? "audit.ask_resolve" : "audit.resolve", team); break;
      case "dismiss": text = t(asked ? "audit.ask_dismiss" : "audit.dismiss", team, after.reason || ""); break;
      case "reject": text = t("audit.reject", team, after.reason || ""); break;
      case "note": text = t("audit.note", after.text || ""); break;
      case "relabel": text = t("audit.relabel", labels(before.labels), labels(after.labels)); break;
      case "acknowledge": case "wait": case "resume": case "reopen": case "approve":
        text = t(`audit.${entry.action}`, team); break;
      default: text = t("audit.other", entry.action);
    }
  }
  if (after.took_over_from) text += ` ${t("audit.took_over", after.took_over_from)}`;
  if (after.on_behalf_of) text += ` ${t("audit.on_behalf", after.on_behalf_of)}`;
  const ownStates = entry.action.startsWith("reply_") || entry.action === "answered_elsewhere";  // a reply's, not a task's
  if (before.state && after.state && before.state !== after.state && entry.action !== "note" && !ownStates) {
    text += ` ${t("audit.state", t(`state.${before.state}`), t(`state.${after.state}`))}`;
  }
  return text;
}

function actor(name) {
  return ["system", "sla-clock"].includes(name) ? t(`audit.${name}`) : name;
}

function audit(c) {
  const tasks = Object.fromEntries(c.tasks.map((task) => [task.id, task.team]));
  document.getElementById("audit").replaceChildren(...c.audit.map((a) => el("tr", { "data-action": a.action },
    el("td", { text: when(a.at) }), el("td", { text: actor(a.actor) }), el("td", { text: sentence(a, tasks) }))));
}

function render(c) {
  current = c;
  markSeen(c.id, c.version);
  document.title = `#${c.id} · Vigie`;
  head(c);
  posts(c);
  document.getElementById("tasks").replaceChildren(...c.tasks.map(taskCard));
  const review = document.getElementById("review");
  review.hidden = !c.tasks.some((task) => task.review.required);
  review.textContent = t("case.review");
  notes(c);
  relabel(c);
  document.getElementById("relabel-form").hidden = inCopyOnly(c);
  renderReplies(c);
  audit(c);
  document.getElementById("conflict").hidden = true;
}

function conflict(version) {
  const box = document.getElementById("conflict");
  box.replaceChildren(t("case.changed", version), " ",
    el("button", { type: "button", onclick: reload, text: t("case.reload") }));
  box.hidden = false;
}

async function reload() { render(await fetchCase()); notice("notice", ""); }

// True when the API accepted the action.
async function act(body) {
  if (body.action === "dismiss" && !body.reason) { notice("notice", t("action.reason_needed"), "warning"); return false; }
  if (body.action === "reject" && !body.reason) { notice("notice", t("action.reject_reason_needed"), "warning"); return false; }
  try {
    const done = await api(`/api/cases/${caseId}/actions`, { method: "POST", body: { ...body, version: current.version } });
    render(await fetchCase());
    notice("notice", done.unchanged ? t("action.unchanged")
      : done.took_over_from ? t("action.took_over", done.took_over_from)
      : done.on_behalf_of ? t("action.on_behalf", done.on_behalf_of) : t("action.done"));
    return true;
  } catch (exc) {
    if (exc.status === 409) conflict(exc.body?.current_version ?? "?");
    else notice("notice", errorText(exc), "warning");
    return false;
  }
}

async function loadMembers(c) {
  const teams = await api("/api/teams");
  members = Object.fromEntries(teams.filter((team) => c.tasks.some((task) => task.team === team.id))
    .map((team) => [team.id, team.members]));
}

async function poll() {
  if (document.hidden || !current) return;
  try {
    const latest = await fetchCase();
    if (latest.version !== current.version) conflict(latest.version);
  } catch { /* the next poll tries again */ }
}

async function main() {
  me = await startPage();
  if (!me) return;
  try {
    const c = await fetchCase();
    await loadMembers(c);
    render(c);
    await initReplies(c, me, () => fetchCase().then(render));
  } catch (exc) {
    notice("notice", errorText(exc), "warning");
    return;
  }
  document.getElementById("note-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = document.getElementById("note-text").value.trim();
    if (text) act({ action: "note", text }).then((ok) => { if (ok) document.getElementById("note-text").value = ""; });
  });
  document.getElementById("relabel-form").addEventListener("submit", (e) => {
    e.preventDefault();
    act({ action: "relabel", labels: [...new FormData(e.target).getAll("labels")] });
  });
  setInterval(refreshBadges, 1000);
  setInterval(poll, POLL_MS);
}

main();
