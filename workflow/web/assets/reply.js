// Answering from the case page: pick a template (French or English), edit, send (or ask for a
// second person's approval), hide a reply where the platform allows, or mark the case answered
// elsewhere; the case's replies with their state, the platform's link, approve/reject/retry.
import { api } from "./api.js";
import { el, errorText, notice, when } from "./common.js";
import { currentLang, labelName, t } from "./i18n.js";

const POLL_MS = 3000;
let caseId = null;
let me = null;
let data = null;
let onChange = () => {};

function sel(id) { return document.getElementById(id); }

function fillPosts(c) {
  const choose = sel("reply-post");
  const keep = choose.value;
  choose.replaceChildren(...c.posts.map((post) => el("option", { value: post.id, translate: "no",
    text: `@${post.author_handle} · ${post.text.slice(0, 60)}` })));
  if (keep && c.posts.some((p) => p.id === keep)) choose.value = keep;
}

function fillTemplates() {
  const lang = sel("reply-lang").value;
  const choose = sel("reply-template");
  const keep = choose.value;
  const mine = data.templates.filter((tpl) => tpl.lang === lang);
  choose.replaceChildren(el("option", { value: "", text: t("reply.no_template") }),
    ...mine.map((tpl) => el("option", { value: tpl.name, translate: "no", text: `${labelName(tpl.label)} · ${tpl.name}` })));
  if (mine.some((tpl) => tpl.name === keep)) choose.value = keep;
}

function pickTemplate() {
  const found = data.templates.find((tpl) => tpl.name === sel("reply-template").value && tpl.lang === sel("reply-lang").value);
  if (found) sel("reply-text").value = found.text;
  count();
}

function count() {
  const box = sel("reply-count");
  const length = sel("reply-text").value.trim().length;
  box.textContent = data.max_chars ? t("reply.count", length, data.max_chars) : "";
  box.className = data.max_chars && length > data.max_chars ? "count error" : "count hint";
}

function button(key, onclick, attrs = {}) {
  return el("button", { type: "button", text: t(key), onclick, ...attrs });
}

function replyItem(reply) {
  const mine = reply.requested_by === me.username;
  const actions = [];
  if (reply.state === "pending_approval") {
    const reason = el("input", { id: `reply-reason-${reply.id}`, placeholder: t("reply.reject_reason"), "aria-label": t("reply.reject_reason") });
    actions.push(button("reply.approve", () => decide(reply, "approve"), { disabled: mine, "data-reply-action": "approve" }),
      reason, button("reply.reject", () => decide(reply, "reject", reason.value.trim()), { disabled: mine, "data-reply-action": "reject" }));
    if (mine) actions.push(el("small", { class: "hint", text: t("reply.self") }));
  } else if (["failed", "unknown"].includes(reply.state)) {
    actions.push(button("reply.retry", () => decide(reply, "retry"), { "data-reply-action": "retry" }));
  }
  const link = /^https?:\/\//i.test(reply.url || "")
    ? el("a", { href: reply.url, rel: "noopener noreferrer", target: "_blank", text: t("reply.open") }) : "";
  return el("li", { class: "reply", "data-state": reply.state, "data-kind": reply.kind },
    el("p", { class: "meta" }, el("strong", { class: "reply-state", text: `${t(`reply.kind.${reply.kind}`)} · ${t(`reply.state.${reply.state}`)}` }),
      ` · ${t("reply.by", reply.requested_by, when(reply.requested_at))}`,
      reply.decided_by ? ` · ${t("reply.decided", reply.decided_by)}` : ""),
    reply.text ? el("blockquote", { class: "post-text", translate: "no", text: reply.text }) : "",
    reply.platform_post_id ? el("p", {}, link, " ", el("code", { translate: "no", class: "platform-id", text: reply.platform_post_id })) : "",
    reply.reason ? el("p", { class: "why" }, t("reply.reason", ""), el("span", { translate: "no", text: reply.reason })) : "",
    actions.length ? el("div", { class: "actions" }, actions) : "");
}

function render() {
  sel("reply-approval").hidden = !data.approval_required;
  sel("reply-approval").textContent = t("reply.approval");
  sel("reply-send").textContent = t(data.approval_required ? "reply.ask" : "reply.send");
  sel("reply-hide").hidden = data.hide !== null;
  const why = sel("reply-hide-note");
  why.hidden = data.hide === null;
  why.replaceChildren(t("reply.no_hide"), " ", el("span", { translate: "no", text: data.hide || "" }));
  fillTemplates();
  count();
  sel("replies").replaceChildren(...(data.replies.length ? data.replies.map(replyItem)
    : [el("li", { class: "empty", text: t("reply.none") })]));
}

async function load() {
  data = await api(`/api/cases/${caseId}/replies`);
  render();
}

async function send(body, done) {
  try {
    const made = await api(`/api/cases/${caseId}/replies`, { method: "POST", body: { ...body, post_id: sel("reply-post").value } });
    notice("notice", t(`reply.done.${made.state}`));
    await load();
    onChange();
    if (done) done();
  } catch (exc) {
    notice("notice", errorText(exc), "warning");
  }
}

async function decide(reply, decision, reason) {
  if (decision === "reject" && !reason) { notice("notice", t("reply.reason_needed"), "warning"); return; }
  try {
    const done = await api(`/api/cases/${caseId}/replies/decisions`, { method: "POST", body: { reply_id: reply.id, decision, reason } });
    notice("notice", t(`reply.done.${done.state}`));
    await load();
    onChange();
  } catch (exc) {
    notice("notice", errorText(exc), "warning");
  }
}

// Replies on their way are shown as they come back from the platform.
async function poll() {
  if (document.hidden || !data || !data.replies.some((r) => r.state === "queued")) return;
  try { await load(); } catch { /* the next poll tries again */ }
}

export function renderReplies(c) {
  if (caseId !== null) fillPosts(c);
}

export async function initReplies(c, who, changed) {
  caseId = c.id;
  me = who;
  onChange = changed;
  sel("reply-lang").value = currentLang();
  fillPosts(c);
  sel("reply-lang").addEventListener("change", () => { fillTemplates(); pickTemplate(); });
  sel("reply-template").addEventListener("change", pickTemplate);
  sel("reply-text").addEventListener("input", count);
  sel("reply-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = sel("reply-text").value.trim();
    if (!text) { notice("notice", t("reply.empty"), "warning"); return; }
    send({ kind: "reply", text, lang: sel("reply-lang").value, template: sel("reply-template").value || null },
      () => { sel("reply-text").value = ""; sel("reply-template").value = ""; count(); });
  });
  sel("reply-hide").addEventListener("click", () => send({ kind: "hide" }));
  sel("elsewhere-form").addEventListener("submit", (e) => {
    e.preventDefault();
    send({ kind: "elsewhere", text: sel("elsewhere-note").value.trim() }, () => { sel("elsewhere-note").value = ""; });
  });
  await load();
  setInterval(poll, POLL_MS);
}
