import { api, setToken } from "./api.js";
import { applyI18n, t } from "./i18n.js";

applyI18n();
document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("login-error");
  error.hidden = true;
  const form = new FormData(event.target);
  try {
    const result = await api("/api/auth/token", { method: "POST", form: { username: form.get("username"), password: form.get("password") } });
    setToken(result.access_token);
    const next = new URLSearchParams(location.search).get("next");
    location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : "/queue");
  } catch (exc) {
    error.textContent = exc.status === 401 ? t("login.failed") : t("error.generic", exc.message);
    error.hidden = false;
  }
});
