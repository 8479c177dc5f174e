// « Réfléchissez avant de poster »: what Vigie would flag in a draft, and the policy for each label.
// The draft is sent to the check and nowhere else; this page keeps nothing.
import { api } from "./api.js";
import { el, labelChip, severityBadge, startPage } from "./common.js";
import { evidenceList, highlighted } from "./evidence.js";
import { currentLang, labelName, t } from "./i18n.js";

let guidance = {};

function show(text, verdict) {
  const labels = verdict.labels || [];
  document.getElementById("draft-summary").textContent = labels.length ? t("draft.flagged", labels.length) : t("draft.clean");
  document.getElementById("draft-preview").replaceChildren(...highlighted(text, labels));
  document.getElementById("draft-labels").replaceChildren(...labels.map((lv) => el("article", { class: "task", "data-label": lv.label },
    el("h3", {}, labelChip(lv.label), " ", severityBadge(lv.severity), " ", el("small", { text: t("draft.score", `${Math.round(lv.score * 100)} %`) })),
    el("p", { class: "guidance" }, el("strong", { text: `${t("draft.guidance")} : ` }), guidance[lv.label]?.[currentLang()] ?? labelName(lv.label)),
    evidenceList([lv], text))));
  document.getElementById("draft-result").hidden = false;
}

async function check(event) {
  event.preventDefault();
  const error = document.getElementById("draft-error");
  error.hidden = true;
  const text = document.getElementById("draft-text").value;
  const lang = document.getElementById("draft-lang").value || undefined;
  try {
    show(text, await api("/api/draft-check", { method: "POST", body: { text, lang } }));
  } catch (exc) {
    error.textContent = exc.status === 404 ? t("draft.unavailable") : t("error.generic", exc.message);
    error.hidden = false;
  }
}

async function main() {
  if (!(await startPage())) return;
  guidance = await (await fetch("/assets/vigie/guidance.json")).json();
  document.getElementById("draft-form").addEventListener("submit", check);
}

main();
