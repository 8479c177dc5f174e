// The policy acknowledgement an employee opens from the signed link of a reminder e-mail: no
// queue account. The link is kept for this tab only and leaves the address bar at once.
import { el, when } from "./common.js";
import { applyI18n, loadNames, t } from "./i18n.js";

const LINK = "vigie.policy-link";

async function call(path, link, body) {
  const response = await fetch(path, {
    method: body ? "POST" : "GET",
    headers: { Accept: "application/json", "X-Vigie-Policy-Link": link, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw Object.assign(new Error(data?.detail || `HTTP ${response.status}`), { status: response.status });
  return data;
}

function say(message, warning = false) {
  const hello = document.getElementById("ack-hello");
  hello.textContent = message;
  hello.className = warning ? "notice warning" : "notice";
  hello.hidden = false;
}

function showStanding(standing) {
  const line = standing.status === "current"
    ? t("ack.current", standing.accepted_version, when(standing.accepted_at), when(standing.due_at))
    : t(`ack.${standing.status}`, when(standing.due_at));
  document.getElementById("ack-standing").textContent = line;
}

async function main() {
  applyI18n();
  await loadNames();
  const bar = document.getElementById("topbar");
  bar.replaceChildren(el("span", { class: "brand" }, "Vigie"), el("button", { type: "button", class: "link", "data-lang-switch": true }));
  applyI18n(bar);
  const params = new URLSearchParams(location.search);
  if (params.get("link")) {
    sessionStorage.setItem(LINK, params.get("link"));
    history.replaceState(null, "", "/acknowledge");
  }
  const link = sessionStorage.getItem(LINK);
  let mine;
  try {
    if (!link) throw Object.assign(new Error("no link"), { status: 401 });
    mine = await call("/api/staff-policy/me", link);
  } catch (exc) {
    say(exc.status === 401 ? t("ack.link_invalid") : t("error.generic", exc.message), true);
    return;
  }
  say(t("ack.hello", mine.standing.name));
  document.getElementById("ack-policy").replaceChildren(t("ack.policy", mine.policy.version), " ",
    el("a", { href: mine.policy.url, rel: "noopener noreferrer", target: "_blank", text: t("staff.read_policy") }));
  showStanding(mine.standing);
  document.getElementById("ack-form-box").hidden = false;
  document.getElementById("ack-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const standing = await call("/api/staff-policy/acknowledgements", link, { version: mine.policy.version });
      showStanding(standing);
      say(t("ack.thanks", standing.name));
      document.getElementById("ack-form").hidden = true;
    } catch (exc) {
      say(exc.status === 422 ? t("ack.changed") : t("error.generic", exc.message), true);
    }
  });
}

main();
