// « Réfléchissez avant de poster »: what Vigie would flag in a draft, and the policy for each label.
// The draft is sent to the check and nowhere else; this page keeps nothing. An employee without a
// queue account comes with a signed link (?link=...), kept for this tab only.
import { api } from "./api.js";
import { el, labelChip, severityBadge, startPage, when } from "./common.js";
import { evidenceList, highlighted } from "./evidence.js";
import { applyI18n, currentLang, labelName, loadNames, t } from "./i18n.js";

const LINK = "vigie.draft-link";
let guidance = {};

function show(text, verdict) {
  const labels = verdict.labels || [];
  document.getElementById("draft-summary").textContent = labels.length ? t("draft.flagged", labels.length) : t("draft.clean");
  document.getElementById("draft-preview").replaceChildren(...highlighted(text, labels));
  document.getElementById("draft-labels").replaceChildren(...labels.map((lv) => el("article", { class: "task", "data-label": lv.label },
    el("h3", {}, labelChip(lv.label), " ", severityBadge(lv.severity), " ", el("small", { text: t("draft.score", `${Math.round(lv.score * 100)} %`) })),
    el("p", { class: "guidance" }, el("strong", { text: `${t("draft.guidance")}${t("punct.colon")}` }), guidance[lv.label]?.[currentLang()] ?? labelName(lv.label)),
    evidenceList([lv], text))));
  document.getElementById("draft-result").hidden = false;
}

// With a link: the check is asked with the link, not with a queue login.
async function checkWithLink(link, body) {
  const response = await fetch("/api/draft-check", { method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-Vigie-Draft-Link": link },
    body: JSON.stringify(body) });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw Object.assign(new Error(data?.detail || `HTTP ${response.status}`), { status: response.status });
  return data;
}

async function check(event) {
  event.preventDefault();
  const error = document.getElementById("draft-error");
  error.hidden = true;
  const text = document.getElementById("draft-text").value;
  const lang = document.getElementById("draft-lang").value || undefined;
  const link = sessionStorage.getItem(LINK);
  try {
    show(text, link ? await checkWithLink(link, { text, lang }) : await api("/api/draft-check", { method: "POST", body: { text, lang } }));
  } catch (exc) {
    error.textContent = exc.status === 404 ? t("draft.unavailable") : exc.status === 401 && link ? t("draft.link_invalid") : t("error.generic", exc.message);
    error.hidden = false;
  }
}

// The link's holder: named at the top; a bad or expired link says so and offers nothing else.
async function startWithLink(link) {
  applyI18n();
  await loadNames();
  const bar = document.getElementById("topbar");
  bar.replaceChildren(el("span", { class: "brand" }, "Vigie"), el("button", { type: "button", class: "link", "data-lang-switch": true }));
  applyI18n(bar);
  const response = await fetch("/api/draft-links/me", { headers: { Accept: "application/json", "X-Vigie-Draft-Link": link } });
  const hello = document.getElementById("draft-hello");
  if (!response.ok) {
    hello.textContent = t("draft.link_invalid");
    hello.className = "notice warning";
    hello.hidden = false;
    document.getElementById("draft-form").hidden = true;
    return false;
  }
  const holder = await response.json();
  hello.textContent = t("draft.hello", holder.name, when(holder.expires_at));
  hello.hidden = false;
  return true;
}

async function main() {
  const params = new URLSearchParams(location.search);
  if (params.get("link")) {
    sessionStorage.setItem(LINK, params.get("link"));
    history.replaceState(null, "", "/draft-check");  // the link leaves the address bar and history
  }
  const link = sessionStorage.getItem(LINK);
  if (!(link ? await startWithLink(link) : await startPage())) return;
  guidance = await (await fetch("/assets/vigie/guidance.json")).json();
  document.getElementById("draft-form").addEventListener("submit", check);
}

main();
