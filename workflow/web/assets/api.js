// Calls to the REST API with this browser's session cookie (HttpOnly: scripts never see the
// session itself). Changes carry the CSRF cookie's value in X-CSRF-Token (double submit).
const CSRF_COOKIE = "vigie_csrf";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

function csrfToken() {
  const found = document.cookie.split("; ").find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  return found ? decodeURIComponent(found.slice(CSRF_COOKIE.length + 1)) : null;
}

function toLogin() {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

export async function logout() {
  try { await api("/api/auth/logout", { method: "POST" }); } catch { /* already ended */ }
  location.assign("/login");
}

// The CSRF cookie lives as long as the session cookie: without it, nobody is logged in here.
export function requireLogin() {
  if (!csrfToken()) { toLogin(); return false; }
  return true;
}

// Only a path of this site: one leading "/", no backslash, no control character, same origin
// once the browser has parsed it (browsers drop tabs and read "\" as "/").
export function safeNext(next) {
  if (!next || !next.startsWith("/") || next.startsWith("//")) return null;
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return null;
  const url = new URL(next, location.origin);
  return url.origin === location.origin ? url.pathname + url.search + url.hash : null;
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
  if (!SAFE.has(method) && csrfToken()) headers["X-CSRF-Token"] = csrfToken();
  let payload;
  if (form) payload = new URLSearchParams(form);
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  const json = response.status !== 204 && response.headers.get("content-type")?.includes("json");
  const data = json ? await response.json() : null;
  if (response.status === 401 && !form && path !== "/api/auth/logout") { toLogin(); throw new ApiError(401, data); }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
