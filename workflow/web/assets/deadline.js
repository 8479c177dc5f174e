// "Why this deadline", worded in the page's language from the codes the API returns (deadline.why).
import { currentLang, t } from "./i18n.js";

export function minutes(total) {
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  if (hours && rest) return t("unit.hmin", hours, String(rest).padStart(2, "0"));
  return hours ? t("unit.h", hours) : t("unit.min", rest);
}

// A budget of the brand file ("30m", "4h", "2d", "3bd") in words.
export function budget(text) {
  const found = /^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|bd)\s*$/.exec(text || "");
  if (!found) return text;
  const amount = Number(found[1]);
  if (found[2] === "bd") return t("unit.bd", amount);
  if (found[2] === "d") return t("unit.d", amount);
  return minutes(Math.round(amount * (found[2] === "h" ? 60 : 1)));
}

// Moments are on the calendar's wall clock already: dates are formatted as such (UTC, no shift).
function weekday(index) { return t("weekdays").split(",")[index]; }
function short(at) { return `${weekday(at.weekday)} ${at.time}`; }
function day(d) {
  const [year, month, date] = d.date.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date)).toLocaleDateString(currentLang() === "en" ? "en-CA" : "fr-CA",
    { weekday: "short", month: "short", day: "numeric", timeZone: "UTC" });
}
function full(at) { return `${day(at)} ${at.time} ${at.tz}`.trim(); }

function step({ code, params: p }) {
  switch (code) {
    case "received": return t("why.received", short(p.at));
    case "budget": return t(p.clock ? "why.budget.clock" : "why.budget.business", budget(p.budget), p.tz);
    case "budget_days": return t("why.budget_days", p.days);
    case "counted": {
      const end = p.until === "same_day" ? p.to.time : p.until === "midnight" ? "24:00" : short(p.to);
      return t("why.counted", minutes(p.minutes), short(p.from), end);
    }
    case "stopped_for": return t("why.stopped_for", minutes(p.minutes));
    case "closed": {
      const span = p.from.date === p.to.date ? day(p.from) : `${day(p.from)}–${day(p.to)}`;
      return t("why.closed", span, t(`why.reason.${p.reason}`, p.holiday_names?.[currentLang()] ?? p.holiday ?? ""));
    }
    case "pauses": return t("why.pauses", p.count);
    case "stopped_since": return p.at ? t("why.stopped_since", short(p.at)) : t("why.stopped_now");
    case "stopped": return t("why.stopped_now");
    default: return "";
  }
}

// The whole explanation, one sentence: "Échéance lun. 9:30 (lun. 12/1) EST : reçu ven. 17:10 ; ..."
export function explain(why) {
  if (!why) return "";
  const head = why.head.code === "due" ? t("why.due", full(why.head.params.at)) : t("why.paused");
  return head + t("punct.colon") + why.steps.map(step).filter(Boolean).join(t("punct.semicolon"));
}
