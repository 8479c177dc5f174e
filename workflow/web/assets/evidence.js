// Evidence as a person can act on it: what the detectors found (the phrase, and what kind of
// thing it is) first; the model's features only under "also weighed", and only the ones a reader
// can find in the text (never a stopword, a fragment or a placeholder such as $TICKER).
import { el, labelChip, severityBadge } from "./common.js";
import { detectorName, labelName, t } from "./i18n.js";

const STOPWORDS = new Set((
  "les des une est pas que qui dans pour par sur avec son ses aux été être avoir ont mais plus " +
  "tout tous très bien fait comme elle ils nous vous leur sont cette ces car donc ainsi encore " +
  "déjà toujours jamais rien peu trop aussi après avant sans sous chez entre vers quand comment " +
  "the and for are but not you yet all any can had her was one our out his has have from they " +
  "this that with what when will would there their been were which them then than into just " +
  "your about more some only also very still even much such here where who why how its it's"
).split(" "));

// Where a finding was, when not in the text ("... (in the author's bio)" from the detector).
const WHERE = { "the author's bio": "bio", "the post's geotag": "place", "the post's media": "media" };

function where(ev) {
  const found = /\(in (.+)\)$/.exec(ev.detail || "");
  return found && WHERE[found[1]] ? t(`ev.where.${WHERE[found[1]]}`) : "";
}

function findAll(text, needle) {
  const found = [];
  const lower = text.toLowerCase();
  const target = needle.toLowerCase();
  for (let i = lower.indexOf(target); i >= 0 && found.length < 5; i = lower.indexOf(target, i + target.length)) {
    const before = i === 0 ? " " : lower[i - 1];
    const after = lower[i + target.length] ?? " ";
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) found.push({ start: i, end: i + target.length });
  }
  return found;
}

// A model feature worth showing: whole words of the text, not only stopwords, 3 letters or more.
export function usefulFeature(feature, text) {
  if (!feature || !text || !/^[\p{L}\p{N}' -]+$/u.test(feature)) return false;
  const words = feature.toLowerCase().split(/[\s'-]+/).filter(Boolean);
  if (!words.some((w) => (w.match(/\p{L}/gu) || []).length >= 3 && !STOPWORDS.has(w))) return false;
  return findAll(text, feature).length > 0;
}

// The words around a feature in the text, so it reads as a phrase and not as a bare token.
function inContext(text, feature) {
  const [hit] = findAll(text, feature);
  const from = text.lastIndexOf(" ", Math.max(0, hit.start - 25)) + 1;
  const to = text.indexOf(" ", Math.min(text.length, hit.end + 25));
  const end = to < 0 ? text.length : to;
  return el("q", { translate: "no" }, from > 0 ? "… " : "", text.slice(from, hit.start), el("strong", { text: text.slice(hit.start, hit.end) }),
    text.slice(hit.end, end), end < text.length ? " …" : "");
}

// The post text with each finding (and useful model feature) marked, and why in the tooltip.
export function highlighted(text, labels) {
  const marks = [];
  for (const lv of labels || []) {
    for (const ev of lv.evidence || []) {
      const why = `${labelName(lv.label)} — ${detectorName(ev.detector)}`;
      if (ev.kind === "span" && Number.isInteger(ev.start) && ev.end > ev.start && ev.end <= text.length) {
        marks.push({ start: ev.start, end: ev.end, why, kind: "span", label: lv.label });
      } else if (ev.kind === "feature" ? usefulFeature(ev.text, text) : ev.text && ev.text.length > 2) {
        for (const m of findAll(text, ev.text)) marks.push({ ...m, why, kind: ev.kind, label: lv.label });
      }
    }
  }
  marks.sort((a, b) => a.start - b.start || (a.kind === "span" ? -1 : 1));
  const out = [];
  let at = 0;
  for (const mark of marks) {
    if (mark.start < at) continue;
    out.push(text.slice(at, mark.start));
    out.push(el("mark", { class: `ev ev-${mark.kind}`, title: mark.why, "data-label": mark.label, tabindex: "0" },
      text.slice(mark.start, mark.end)));
    at = mark.end;
  }
  out.push(text.slice(at));
  return out;
}

// Per label: the findings (detector's name for what it is, the phrase, where), then what the
// model also weighed.
export function evidenceList(labels, text) {
  return el("ul", { class: "evidence" }, (labels || []).map((lv) => {
    const found = (lv.evidence || []).filter((ev) => ev.detector !== "model");
    const model = (lv.evidence || []).filter((ev) => ev.detector === "model");
    const features = model.filter((ev) => ev.kind === "feature" && usefulFeature(ev.text, text));
    const score = model.find((ev) => ev.kind === "rule");
    const weighed = [...features.map((ev) => el("li", { class: "feature" }, inContext(text, ev.text))),
      ...(score && score.weight != null ? [el("li", { text: t("ev.model_score", `${Math.round(score.weight * 100)} %`) })] : [])];
    return el("li", { "data-evidence": lv.label },
      labelChip(lv.label, lv.score), " ", severityBadge(lv.severity),
      found.length ? el("p", { class: "ev-head", text: t("ev.found") }) : "",
      found.length ? el("ul", { class: "found" }, found.map((ev) => el("li", {},
        el("strong", { text: detectorName(ev.detector) }), ev.text ? " " : "", ev.text ? el("q", { translate: "no", text: ev.text }) : "",
        where(ev) ? ` (${where(ev)})` : ""))) : "",
      weighed.length ? el("p", { class: "ev-head", text: t("ev.weighed") }) : "",
      weighed.length ? el("ul", { class: "weighed" }, weighed) : "");
  }));
}
