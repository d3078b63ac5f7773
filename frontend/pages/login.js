// Sign-in, step 1: DNI + phone → POST /api/login → code.html.
import { initPage, api, t, showFormError, clearFieldErrors, showMessage, showFieldErrors, nextParam } from "../app.js";
import { normalizeId, normalizePhone, savePending } from "./login-state.js";

const { session } = await initPage({ page: "login" });
const next = nextParam();
if (session.authenticated) location.replace(next || "./");

const form = document.getElementById("login-form");
const summary = document.getElementById("form-message");
const submit = document.getElementById("login-submit");

try {
  const pre = JSON.parse(sessionStorage.getItem("electx.loginPrefill") || "null");
  if (pre) {
    form.id_number.value = pre.id_number || "";
    form.phone.value = pre.phone || "";
  }
} catch {
  /* nothing to pre-fill */
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearFieldErrors(form);
  showMessage(summary, "");
  const body = { id_number: normalizeId(form.id_number.value), phone: normalizePhone(form.phone.value) };
  const missing = {};
  for (const [k, v] of Object.entries(body)) if (!v) missing[k] = { code: "required" };
  if (Object.keys(missing).length) {
    showFieldErrors(form, missing);
    showMessage(summary, t("errors.summary"), "error");
    return;
  }
  submit.disabled = true;
  try {
    const r = await api("/api/login", { method: "POST", body });
    savePending({ ...body, expires_in: r?.expires_in, resend_after: r?.resend_after });
    location.assign(next ? `code.html?next=${encodeURIComponent(next)}` : "code.html");
  } catch (e) {
    showFormError(form, summary, e);
    submit.disabled = false;
  }
});
