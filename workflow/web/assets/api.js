// Calls to the REST API with the bearer token of this browser tab.
const TOKEN = "vigie.token";

export function token() { return sessionStorage.getItem(TOKEN); }
export function setToken(value) { sessionStorage.setItem(TOKEN, value); }
export function logout() { sessionStorage.removeItem(TOKEN); location.assign("/login"); }

export function requireLogin() {
  if (!token()) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    return false;
  }
  return true;
}

// FastAPI says why: a sentence, or a list of {loc, msg} for a request it could not validate.
function describe(status, detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
  return `HTTP ${status}`;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body?.detail));
    this.status = status;
    this.body = body;
  }
}

export async function api(path, { method = "GET", body, form } = {}) {
  const headers = { Accept: "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  let payload;
  if (form) payload = new URLSearchParams(form);
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const response = await fetch(path, { method, headers, body: payload });
  const json = response.status !== 204 && response.headers.get("content-type")?.includes("json");
  const data = json ? await response.json() : null;
  if (response.status === 401 && !form) { logout(); throw new ApiError(401, data); }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
