// Settings for admins: users (role, teams, member, active, new password), team members
// (presence, capacity), API tokens and draft-check links; all through the REST API.
import { api } from "./api.js";
import { el, errorText, notice, startPage, when } from "./common.js";
import { t, teamName } from "./i18n.js";

const ROLES = ["viewer", "agent", "lead", "admin"];
let teams = [];
let users = [];

function options(select, values, name, chosen = []) {
  select.replaceChildren(...values.map((v) => el("option", { value: v, text: name(v), selected: chosen.includes(v) })));
  return select;
}

// Teams as checkboxes; in a user's row they fold under the names of the teams chosen.
function teamBoxes(chosen, legend) {
  return el("fieldset", { class: "team-boxes" }, el("legend", { class: "visually-hidden", text: legend }),
    teams.map((team) => el("label", { class: "check" },
      el("input", { type: "checkbox", value: team.id, checked: chosen.includes(team.id) }), teamName(team.id))));
}

function checkedTeams(box) {
  return [...box.querySelectorAll("input:checked")].map((input) => input.value);
}

function memberChoices() {
  return ["", ...new Set(teams.flatMap((team) => team.members.map((m) => m.id)))];
}

function memberName(id) {
  if (!id) return "—";
  const found = teams.flatMap((team) => team.members).find((m) => m.id === id);
  return found ? `${found.name} (${id})` : id;
}

async function done(message, work) {
  try {
    await work();
    notice("notice", message);
    await load();
  } catch (exc) {
    notice("notice", errorText(exc), "warning");
  }
}

function userRow(user) {
  const label = (key) => `${t(key)} (${user.username})`;
  const role = options(el("select", { "aria-label": label("settings.role") }), ROLES, (r) => t(`role.${r}`), [user.role]);
  const teamBox = teamBoxes(user.teams, label("settings.user_teams"));
  const teamFold = el("details", {}, el("summary", { text: user.teams.map(teamName).join(", ") || t("audit.none") }), teamBox);
  const member = options(el("select", { translate: "no", "aria-label": label("settings.member") }), memberChoices(), memberName, [user.member_id || ""]);
  const active = el("input", { type: "checkbox", checked: user.active, "aria-label": label("settings.active") });
  const password = el("input", { type: "password", minlength: 10, autocomplete: "new-password", "aria-label": label("settings.reset") });
  const save = () => done(t("settings.saved"), () => api(`/api/users/${encodeURIComponent(user.username)}`, { method: "PATCH", body: {
    role: role.value, teams: checkedTeams(teamBox), member_id: member.value || null, active: active.checked } }));
  const reset = () => done(t("settings.reset_done", user.username), () => api(`/api/users/${encodeURIComponent(user.username)}`,
    { method: "PATCH", body: { password: password.value } }));
  return el("tr", { "data-user": user.username, class: user.active ? "" : "inactive" },
    el("th", { scope: "row", text: user.username + (user.active ? "" : ` (${t("settings.inactive")})`) }),
    el("td", {}, role), el("td", {}, teamFold), el("td", {}, member), el("td", {}, active),
    el("td", {}, el("div", { class: "actions" },
      el("button", { type: "button", onclick: save, text: t("settings.save") }),
      password, el("button", { type: "button", onclick: reset, text: t("settings.reset") }))));
}

function memberRow(team, member) {
  const label = (key) => `${t(key)} (${member.name})`;
  const presence = options(el("select", { "aria-label": label("settings.presence") }), ["available", "away"], (p) => t(`presence.${p}`), [member.presence]);
  const capacity = el("input", { type: "number", min: 1, max: 1000, value: member.capacity, "aria-label": label("settings.capacity") });
  const save = () => done(t("settings.saved"), () => api(`/api/teams/${team.id}/members/${encodeURIComponent(member.id)}`,
    { method: "PATCH", body: { presence: presence.value, capacity: Number(capacity.value) } }));
  return el("tr", { "data-member": member.id },
    el("th", { scope: "row" }, member.name, member.lead ? ` · ${t("settings.lead")}` : ""),
    el("td", {}, presence), el("td", {}, capacity), el("td", { text: String(member.open_tasks) }),
    el("td", {}, el("button", { type: "button", onclick: save, text: t("settings.save") })));
}

function teamTables() {
  document.getElementById("teams").replaceChildren(...teams.map((team) => el("section", { "data-team": team.id },
    el("h3", { text: teamName(team.id) }),
    el("table", { class: "settings-table" },
      el("thead", {}, el("tr", {}, ...["settings.username", "settings.presence", "settings.capacity", "settings.load"]
        .map((key, i) => el("th", { scope: "col", text: i === 0 ? "" : t(key) })), el("th", { scope: "col" }))),
      el("tbody", {}, team.members.map((m) => memberRow(team, m)))),
    addMemberForm(team))));
}

// A new member of a team (a second person makes four-eyes review possible inside the team).
function addMemberForm(team) {
  const field = (key, attrs) => {
    const input = el("input", { id: `add-${key}-${team.id}`, required: true, ...attrs });
    return [el("div", {}, el("label", { for: input.id, text: t(`settings.new_${key}`) }), input), input];
  };
  const [idBox, id] = field("id", { pattern: "[A-Za-z0-9._\\-]+", maxlength: 64 });
  const [nameBox, name] = field("name", { maxlength: 200 });
  const [capacityBox, capacity] = field("capacity", { type: "number", min: 1, max: 1000, value: 20 });
  const form = el("form", { class: "filters", "aria-label": t("settings.add_member_to", teamName(team.id)) },
    idBox, nameBox, capacityBox, el("div", {}, el("button", { type: "submit", text: t("settings.add_member") })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    done(t("settings.saved"), () => api(`/api/teams/${team.id}/members`, { method: "POST",
      body: { id: id.value.trim(), name: name.value.trim(), capacity: Number(capacity.value) } }));
  });
  return form;
}

async function tokens() {
  const list = await api("/api/auth/tokens");
  document.getElementById("tokens").replaceChildren(...(list.length ? list.map((token) => el("tr", { "data-token": token.id },
    el("td", { text: token.name + (token.revoked ? ` (${t("settings.revoked")})` : "") }), el("td", { text: when(token.created_at) }),
    el("td", {}, token.revoked ? "" : el("button", { type: "button", text: t("settings.revoke"),
      onclick: () => done(t("settings.saved"), () => api(`/api/auth/tokens/${token.id}`, { method: "DELETE" })) }))))
    : [el("tr", {}, el("td", { colspan: 3, class: "empty", text: t("settings.no_tokens") }))]));
}

async function load() {
  [users, teams] = await Promise.all([api("/api/users"), api("/api/teams")]);
  document.getElementById("users").replaceChildren(...users.map(userRow));
  teamTables();
  document.getElementById("new-teams").replaceChildren(teamBoxes([], t("settings.user_teams")));
  options(document.getElementById("new-member"), memberChoices(), memberName);
  await tokens();
}

function forms() {
  options(document.getElementById("new-role"), ROLES, (r) => t(`role.${r}`), ["agent"]);
  document.getElementById("user-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const username = document.getElementById("new-username").value.trim();
    const body = { username, password: document.getElementById("new-password").value,
      role: document.getElementById("new-role").value,
      teams: checkedTeams(document.getElementById("new-teams")),
      member_id: document.getElementById("new-member").value || null };
    done(t("settings.created", username), async () => { await api("/api/users", { method: "POST", body }); event.target.reset(); });
  });
  document.getElementById("token-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { name: document.getElementById("token-name").value.trim() };  // tokens act as their maker only
    await done(t("settings.saved"), async () => {
      const issued = await api("/api/auth/tokens", { method: "POST", body });
      const shown = document.getElementById("token-shown");
      shown.replaceChildren(t("settings.token_shown", ""), el("span", { class: "secret", text: issued.token }));
      shown.hidden = false;
    });
  });
  document.getElementById("link-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { staff_id: document.getElementById("link-staff").value, days: Number(document.getElementById("link-days").value) };
    try {
      const issued = await api("/api/draft-links", { method: "POST", body });
      const url = `${location.origin}${issued.url}`;
      document.getElementById("link-shown").replaceChildren(t("settings.link_ready", issued.name, when(issued.expires_at)), " ",
        el("a", { class: "secret", href: url, text: url }));
      document.getElementById("link-shown").hidden = false;
    } catch (exc) {
      notice("notice", errorText(exc), "warning");
    }
  });
}

async function main() {
  const me = await startPage();
  if (!me) return;
  if (me.role !== "admin") { notice("notice", t("settings.not_admin"), "warning"); return; }
  document.getElementById("settings").hidden = false;
  forms();
  const staff = await api("/api/draft-links/staff");
  options(document.getElementById("link-staff"), staff.map((m) => m.id),
    (id) => { const m = staff.find((s) => s.id === id); return m.team ? `${m.name} · ${teamName(m.team)}` : m.name; });
  await load();
}

main();
