import { api, safeNext } from "./api.js";
import { applyI18n, t } from "./i18n.js";

applyI18n();
document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("login-error");
  error.hidden = true;
  const form = new FormData(event.target);
  try {
    await api("/api/auth/session", { method: "POST", form: { username: form.get("username"), password: form.get("password") } });
    location.assign(safeNext(new URLSearchParams(location.search).get("next")) || "/queue");
  } catch (exc) {
    error.textContent = exc.status === 401 ? t("login.failed") : t("error.generic", exc.message);
    error.hidden = false;
  }
});
