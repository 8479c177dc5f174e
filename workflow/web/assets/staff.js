// The staff programme for admins and leads: who accepted the social-media policy (current, due,
// overdue) and the highlights of the last 30 days, each with why it earned one.
import { api } from "./api.js";
import { el, errorText, notice, startPage, when } from "./common.js";
import { t, teamName } from "./i18n.js";

function statusBadge(status) {
  const sla = { current: "ok", due: "at_risk", overdue: "breached" }[status];
  return el("span", { class: `badge sla-${sla}`, "data-status": status, text: t(status === "due" ? "staff.due_soon" : `staff.${status}`) });
}

function rosterRow(s) {
  return el("tr", { "data-staff": s.staff_id },
    el("td", { translate: "no", text: s.name }),
    el("td", { text: s.team ? teamName(s.team) : "—" }),
    el("td", {}, s.accepted_version ? t("staff.accepted_on", s.accepted_version, when(s.accepted_at)) : t("staff.never")),
    el("td", { text: when(s.due_at) }),
    el("td", {}, statusBadge(s.status)));
}

// Evidence items come as { why, ... }: the words are the page's, what was found is the post's.
function reason(item) {
  const quoted = (text) => el("q", { translate: "no", text });
  switch (item.why) {
    case "reply_to": return [t("staff.why.reply_to"), " ", el("span", { translate: "no", text: `@${item.handle}` })];
    case "help_cue": return [t("staff.why.help_cue"), " ", quoted(item.text)];
    case "customer": return [t("staff.why.customer"), " ", quoted(item.text)];
    case "good_outcome": return [t("staff.why.good_outcome"), " ", quoted(item.text)];
    case "engagement": return [t("staff.why.engagement", item.reactions, item.ratio, item.usual, item.posts)];
    default: return [JSON.stringify(item)];
  }
}

function highlight(h) {
  return el("article", { class: "task", "data-kind": h.kind, "data-post": h.id },
    el("h3", {}, el("span", { class: "chip", text: t(`staff.kind.${h.kind}`) }), " ",
      el("span", { translate: "no", text: h.name }), " ", el("small", { text: when(h.posted_at) })),
    h.text ? el("blockquote", { class: "post-text", translate: "no", text: h.text }) : el("p", { text: t("staff.text_gone") }),
    el("ul", {}, h.evidence.map((item) => el("li", {}, reason(item)))),
    h.url ? el("a", { href: h.url, rel: "noopener noreferrer", target: "_blank", text: t("case.original") }) : "");
}

async function main() {
  const me = await startPage();
  if (!me) return;
  if (!["lead", "admin"].includes(me.role)) { notice("notice", t("staff.not_lead"), "warning"); return; }
  try {
    const [roster, highlights] = await Promise.all([api("/api/staff-policy"), api("/api/highlights?days=30")]);
    const info = document.getElementById("policy-info");
    if (roster.policy) {
      info.replaceChildren(t("staff.policy_version", roster.policy.version), " ",
        el("a", { href: roster.policy.url, rel: "noopener noreferrer", target: "_blank", text: t("staff.read_policy") }));
    } else {
      info.textContent = t("staff.no_policy");
    }
    const { current, due, overdue } = roster.counts;
    document.getElementById("policy-counts").textContent = t("staff.counts", current, due, overdue);
    document.getElementById("roster").replaceChildren(...roster.staff.map(rosterRow));
    document.getElementById("highlights").replaceChildren(
      ...(highlights.length ? highlights.map(highlight) : [el("p", { text: t("staff.no_highlights") })]));
    document.getElementById("staff").hidden = false;
  } catch (exc) {
    notice("notice", errorText(exc), "warning");
  }
}

main();
