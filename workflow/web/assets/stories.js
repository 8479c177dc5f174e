// Rumour stories: the list beside the queue's cases, and one story's page (/stories/{id}).
import { api } from "./api.js";
import { el, errorText, notice, severityBadge, startPage, when } from "./common.js";
import { t } from "./i18n.js";

const STATES = ["emerging", "spreading", "addressed", "debunked", "closed"];

async function list() {
  const stories = await api("/api/stories?limit=50");
  const open = stories.filter((s) => s.state !== "closed");
  document.getElementById("story-rows").replaceChildren(...open.map((s) => el("tr", {},
    el("td", {}, el("a", { href: `/stories/${s.id}`, translate: "no", text: s.claim })),
    el("td", {}, t(`story.${s.state}`), " ", severityBadge(s.severity)),
    el("td", { text: String(s.volume) }),
    el("td", { text: String(s.reach) }),
    el("td", { text: when(s.last_at) }))));
  document.getElementById("stories-empty").hidden = open.length > 0;
}

async function page(id) {
  let story;
  try {
    story = await api(`/api/stories/${id}`);
  } catch (exc) {
    notice("notice", errorText(exc), "error");
    return;
  }
  const head = [
    el("h1", { translate: "no", text: story.claim }),
    el("p", {}, t(`story.${story.state}`), " ", severityBadge(story.severity), " · ",
      `${t("stories.volume")} : ${story.volume} · ${t("stories.reach")} : ${story.reach}`),
    el("p", {}, `${t("stories.first")} : ${when(story.first_at)} · ${t("stories.last")} : ${when(story.last_at)}`),
  ];
  if (story.case_id) head.push(el("p", {}, el("a", { href: `/cases/${story.case_id}`, text: t("stories.case", story.case_id) })));
  if (story.answer_url) head.push(el("p", {}, el("a", { href: story.answer_url, rel: "noopener", text: t("stories.answer") })));
  document.getElementById("story-head").replaceChildren(...head);
  document.getElementById("story-terms").textContent = story.terms.map((term) => term.replace(/^=/, "")).join(" · ");
  document.getElementById("story-hours").replaceChildren(...story.volume_by_hour.map((p) =>
    el("li", { text: `${when(p.hour)} : ${p.posts}` })));
  document.getElementById("story-history").replaceChildren(...story.history.map((h) =>
    el("li", {}, `${when(h.at)} · ${t(`story.${h.state}`)} · `, el("span", { translate: "no", text: h.actor }))));
  document.getElementById("story-posts").replaceChildren(...story.posts.map((p) => el("li", { class: "post" },
    el("p", { class: "meta", translate: "no" }, `${p.platform} · @${p.author_handle || "?"} · ${when(p.created_at)}`),
    p.text === null ? el("p", { text: t("stories.gone") }) : el("p", { translate: "no", text: p.text }),
    el("p", { class: "meta", translate: "no", text: t("stories.shared", p.shared.map((s) => s.replace(/^=/, "")).join(", ")) }))));
  const select = document.getElementById("s-state");
  select.replaceChildren(...STATES.map((s) => el("option", { value: s, text: t(`story.${s}`) })));
  select.value = story.state;
  document.getElementById("s-url").value = story.answer_url || "";
}

async function save(id, form) {
  const body = { state: form.state.value };
  if (form.answer_url.value) body.answer_url = form.answer_url.value;
  try {
    await api(`/api/stories/${id}/state`, { method: "POST", body });
    notice("notice", t("action.done"));
    await page(id);
  } catch (exc) {
    notice("notice", errorText(exc), "error");
  }
}

const match = location.pathname.match(/^\/stories\/(\d+)$/);
if (match) {
  const form = document.getElementById("story-state");
  form.addEventListener("submit", (event) => { event.preventDefault(); save(match[1], form); });
  startPage().then((me) => me && page(match[1]));
} else if (document.getElementById("story-rows")) {
  // The queue page starts the page itself (queue.js); the list only needs the session.
  list().catch(() => { document.getElementById("stories").hidden = true; });
}
