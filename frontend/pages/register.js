// Voter registration: POST /api/register, field errors next to their fields.
import {
  initPage, api, t, getMeta, genderLabel, onLangChange, showFormError, clearFieldErrors,
  showMessage, showFieldErrors, el, errorMessage,
} from "../app.js";
import { normalizeId, normalizePhone } from "./login-state.js";

await initPage({ page: "register" });

const form = document.getElementById("register-form");
const summary = document.getElementById("form-message");
const submit = document.getElementById("register-submit");
const provinceSel = document.getElementById("province");
const genderSel = document.getElementById("gender");
let meta = null;

// The latest birth date of an adult today (a hint for the date picker; the server decides).
const today = new Date();
document.getElementById("date_of_birth").max = today.toISOString().slice(0, 10);

function fillSelects() {
  if (!meta) return;
  const pv = provinceSel.value;
  const gv = genderSel.value;
  provinceSel.replaceChildren(
    el("option", { value: "" }, t("register.province.choose")),
    ...[...meta.provinces]
      .sort((a, b) => a.name.localeCompare(b.name, "es"))
      .map((p) => el("option", { value: p.code }, p.name)),
  );
  genderSel.replaceChildren(
    el("option", { value: "" }, t("register.gender.choose")),
    ...meta.genders.map((g) => el("option", { value: g }, genderLabel(g))),
  );
  provinceSel.value = pv;
  genderSel.value = gv;
}

try {
  meta = await getMeta();
  fillSelects();
} catch (e) {
  showMessage(summary, errorMessage(e), "error");
}
onLangChange(fillSelects);

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearFieldErrors(form);
  showMessage(summary, "");
  const data = Object.fromEntries(new FormData(form));
  const body = {
    id_number: normalizeId(data.id_number || ""),
    full_name: (data.full_name || "").trim().replace(/\s+/g, " "),
    phone: normalizePhone(data.phone || ""),
    province: data.province || "",
    gender: data.gender || "",
    date_of_birth: data.date_of_birth || "",
  };
  // Only "required" is checked here; the server checks the rest and says which field.
  const missing = {};
  for (const [k, v] of Object.entries(body)) if (!v) missing[k] = { code: "required" };
  if (Object.keys(missing).length) {
    showFieldErrors(form, missing);
    showMessage(summary, t("errors.summary"), "error");
    return;
  }
  submit.disabled = true;
  submit.textContent = t("register.sending");
  try {
    await api("/api/register", { method: "POST", body });
    // Pre-fill the sign-in form of this tab.
    sessionStorage.setItem("electx.loginPrefill", JSON.stringify({ id_number: body.id_number, phone: body.phone }));
    form.hidden = true;
    const done = document.getElementById("register-done");
    done.hidden = false;
    done.focus();
  } catch (e) {
    showFormError(form, summary, e);
  } finally {
    submit.disabled = false;
    submit.textContent = t("register.submit");
  }
});
