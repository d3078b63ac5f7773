// Sign-in, step 2: the 6-digit SMS code, with its countdown and the resend button.
import {
  initPage, api, t, getMeta, mmss, showMessage, clearFieldErrors, showFieldErrors, errorMessage,
  nextParam, onLangChange, ApiError,
} from "../app.js";
import { loadPending, savePending, updatePending, clearPending } from "./login-state.js";

const { session } = await initPage({ page: "code" });
const next = nextParam();
let pending = loadPending();

const form = document.getElementById("code-form");
const input = document.getElementById("code");
const submit = document.getElementById("code-submit");
const resend = document.getElementById("resend");
const countdown = document.getElementById("countdown");
const countdownLine = document.getElementById("countdown-line");
const msg = document.getElementById("code-message");

let meta = null;
let resendBlockedUntil = 0; // rate limit on resend (retry_after)
let verifyBlockedUntil = 0; // rate limit on verify (retry_after)
let expiredShown = false;
let busy = false;

/** "+34 6•• ••• •12": enough to recognise one's number on a shared screen. */
function maskPhone(phone) {
  const d = phone.replace(/\D/g, "").replace(/^34/, "");
  return d.length >= 9 ? `+34 ${d[0]}•• ••• •${d.slice(-2)}` : phone;
}

function renderIntro() {
  document.getElementById("code-intro").textContent = t("code.intro", { phone: maskPhone(pending.phone) });
}

function tick() {
  const now = Date.now();
  const left = (pending.expires_at - now) / 1000;
  countdown.textContent = mmss(left);
  countdownLine.classList.toggle("expired", left <= 0);
  if (left <= 0 && !expiredShown) {
    expiredShown = true;
    showMessage(msg, t("code.expired"), "warning");
  }
  const resendAt = Math.max(pending.resend_at, resendBlockedUntil);
  const wait = (resendAt - now) / 1000;
  resend.disabled = busy || wait > 0;
  resend.textContent = wait > 0 ? t("code.resendIn", { time: mmss(wait) }) : t("code.resend");
  const vwait = (verifyBlockedUntil - now) / 1000;
  submit.disabled = busy || vwait > 0;
}

/** Restarts both timers after the server sent a new code. */
function restart(expiresIn, resendAfter) {
  pending = updatePending({
    expires_at: Date.now() + (Number(expiresIn) || meta?.code_ttl_seconds || 120) * 1000,
    resend_at: Date.now() + (Number(resendAfter) || meta?.resend_after_seconds || 30) * 1000,
  });
  expiredShown = false;
  input.value = "";
  tick();
}

function fieldError(text) {
  clearFieldErrors(form);
  const p = document.getElementById("code-error");
  p.textContent = text;
  p.hidden = false;
  input.setAttribute("aria-invalid", "true");
  input.focus();
  input.select();
}

if (!pending) {
  document.getElementById("no-pending").hidden = false;
} else {
  document.getElementById("code-area").hidden = false;
  renderIntro();
  onLangChange(() => {
    renderIntro();
    tick();
  });
  tick();
  setInterval(tick, 250);
  input.focus();
  try {
    meta = await getMeta();
  } catch {
    meta = null;
  }
  if (meta?.dev_mode || session.dev_mode) document.getElementById("dev-sms-hint").hidden = false;
}

// Digits only (a pasted "123 456" becomes "123456").
input.addEventListener("input", () => {
  const digits = input.value.replace(/\D/g, "").slice(0, 6);
  if (digits !== input.value) input.value = digits;
});

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (busy || !pending) return;
  clearFieldErrors(form);
  const code = input.value.replace(/\D/g, "");
  if (!/^\d{6}$/.test(code)) {
    fieldError(t(code ? "field.invalid_format" : "field.required"));
    return;
  }
  busy = true;
  tick();
  try {
    await api("/api/login/verify", { method: "POST", body: { id_number: pending.id_number, code } });
    clearPending();
    sessionStorage.removeItem("electx.loginPrefill");
    showMessage(msg, t("code.signedIn"), "success");
    location.assign(next || "./");
    return;
  } catch (e) {
    handleVerifyError(e);
  } finally {
    busy = false;
    tick();
  }
});

function handleVerifyError(e) {
  const b = e instanceof ApiError ? e.body : {};
  switch (e.code) {
    case "invalid_code": {
      const n = b.attempts_left;
      showMessage(msg, "");
      fieldError(
        typeof n === "number" ? (n === 1 ? t("code.invalid.one") : t("code.invalid", { n })) : t("code.invalid.noCount"),
      );
      break;
    }
    case "code_expired":
      restart(b.expires_in, b.resend_after);
      showMessage(msg, t("code.expiredResent"), "info");
      input.focus();
      break;
    case "code_locked":
      input.value = "";
      showMessage(msg, t("code.locked"), "error");
      resend.focus();
      break;
    case "rate_limited":
      verifyBlockedUntil = Date.now() + (Number(b.retry_after) || 30) * 1000;
      showMessage(msg, t("code.rateLimited", { n: Number(b.retry_after) || 30 }), "error");
      break;
    case "validation_failed":
      showMessage(msg, "");
      if (e.fields.code) showFieldErrors(form, { code: e.fields.code });
      else showMessage(msg, errorMessage(e), "error");
      break;
    default:
      showMessage(msg, errorMessage(e), "error");
  }
}

resend.addEventListener("click", async () => {
  if (busy || !pending) return;
  busy = true;
  tick();
  clearFieldErrors(form);
  try {
    const r = await api("/api/login/resend", {
      method: "POST",
      body: { id_number: pending.id_number, phone: pending.phone },
    });
    pending = savePending({ id_number: pending.id_number, phone: pending.phone, expires_in: r?.expires_in ?? meta?.code_ttl_seconds, resend_after: r?.resend_after ?? meta?.resend_after_seconds });
    expiredShown = false;
    input.value = "";
    showMessage(msg, t("code.resent"), "success");
    input.focus();
  } catch (e) {
    if (e.code === "rate_limited") {
      const n = Number(e.body.retry_after) || 30;
      resendBlockedUntil = Date.now() + n * 1000;
      showMessage(msg, t("code.rateLimited", { n }), "error");
    } else {
      showMessage(msg, errorMessage(e), "error");
    }
  } finally {
    busy = false;
    tick();
  }
});
