// What every page shares: the top bar, badges, time formats, refusals in the reader's language.
import { api, logout, requireLogin } from "./api.js";
import { applyI18n, currentLang, labelName, loadNames, t } from "./i18n.js";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export async function startPage() {
  applyI18n();
  if (!requireLogin()) return null;
  const [me] = await Promise.all([api("/api/auth/me"), loadNames()]);
  const bar = document.getElementById("topbar");
  bar.replaceChildren(
    el("a", { href: "/queue", class: "brand" }, "Vigie"),
    el("nav", { "aria-label": "Vigie" },
      el("a", { href: "/queue", text: t("nav.queue") }),
      el("a", { href: "/draft-check", text: t("nav.draft") }),
      ["lead", "admin"].includes(me.role) ? el("a", { href: "/staff", text: t("nav.staff") }) : "",
      me.role === "admin" ? el("a", { href: "/settings", text: t("nav.settings") }) : ""),
    el("span", { class: "who", text: t("nav.user", me.username, t(`role.${me.role}`)) }),
    el("button", { type: "button", class: "link", "data-lang-switch": true }),
    el("button", { type: "button", class: "link", onclick: logout, text: t("nav.logout") }),
  );
  applyI18n(bar);
  return me;
}

// A refusal in the reader's language: the kind of refusal is ours, the server's reason (in
// English) follows only when it says what to fix (a request it could not accept).
export function errorText(exc) {
  if (exc instanceof TypeError) return t("error.network");
  if ([403, 404, 503].includes(exc.status)) return t(`error.${exc.status}`);
  return t("error.generic", exc.message);
}

export function notice(id, message, kind = "") {
  const box = document.getElementById(id);
  box.className = `notice ${kind}`.trim();
  box.textContent = message;
  box.hidden = !message;
}

export function duration(ms) {
  const minutes = Math.floor(Math.abs(ms) / 60000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, "0")}`;
  return `${Math.floor(hours / 24)} j`.replace(" j", currentLang() === "en" ? " d" : " j");
}

export function when(iso) {
  return new Date(iso).toLocaleString(currentLang() === "en" ? "en-CA" : "fr-CA",
    { dateStyle: "medium", timeStyle: "short" });
}

// A deadline badge that counts down; refreshBadges() updates every badge on the page.
export function slaBadge(state, due) {
  const badge = el("span", { class: `badge sla-${state}`, "data-sla": state, "data-due": due || "" });
  renderBadge(badge);
  return badge;
}

function renderBadge(badge) {
  const { sla, due } = badge.dataset;
  let live = sla;
  let text = t(`sla.${sla}`);
  if (due && ["ok", "at_risk", "breached"].includes(sla)) {
    const left = new Date(due).getTime() - Date.now();
    if (left < 0) live = "breached";
    text = `${t(`sla.${live}`)} · ${left < 0 ? t("sla.late", duration(left)) : t("sla.left", duration(left))}`;
  } else if (!due && sla === "ok") {
    text = t("sla.none");
  }
  badge.className = `badge sla-${live}`;
  badge.textContent = text;
}

export function refreshBadges() { document.querySelectorAll("[data-sla]").forEach(renderBadge); }

export function severityBadge(severity) {
  return el("span", { class: `badge sev-${severity}`, text: t(`severity.${severity}`) });
}

export function labelChip(label, score) {
  const text = score === undefined ? labelName(label) : `${labelName(label)} ${Math.round(score * 100)} %`;
  return el("span", { class: `chip label-${label}`, text });
}

// Cases seen in this browser, for the "new" and "updated" markers of the queue.
export function seen() { return JSON.parse(localStorage.getItem("vigie.seen") || "{}"); }
export function markSeen(id, version) {
  const all = seen();
  all[id] = version;
  localStorage.setItem("vigie.seen", JSON.stringify(all));
}
