// The sign-in in progress, kept in this tab's sessionStorage between login.html and
// code.html: the DNI and phone (to verify and to resend) and the two deadlines.
const KEY = "electx.pendingLogin";

export function normalizePhone(v) {
  let p = String(v).replace(/[\s\-().]/g, "");
  if (p.startsWith("0034")) p = "+34" + p.slice(4);
  if (/^[67]\d{8}$/.test(p)) p = "+34" + p;
  return p;
}

export function normalizeId(v) {
  return String(v).replace(/[\s\-.]/g, "").toUpperCase();
}

/** Saves the pending sign-in; `expires_in`/`resend_after` are seconds from now. */
export function savePending({ id_number, phone, expires_in, resend_after }) {
  const now = Date.now();
  const p = {
    id_number,
    phone,
    expires_at: now + (Number(expires_in) || 120) * 1000,
    resend_at: now + (Number(resend_after) || 30) * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(p));
  return p;
}

export function loadPending() {
  try {
    const p = JSON.parse(sessionStorage.getItem(KEY) || "null");
    return p && p.id_number && p.phone ? p : null;
  } catch {
    return null;
  }
}

export function updatePending(changes) {
  const p = { ...loadPending(), ...changes };
  sessionStorage.setItem(KEY, JSON.stringify(p));
  return p;
}

export function clearPending() {
  sessionStorage.removeItem(KEY);
}
