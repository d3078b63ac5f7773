// Shared code of the ElectX voter frontend: the API client (cookies + double-submit
// CSRF), the page header/footer, form error display and formatting helpers.
// Every page script imports initPage() from here. No framework, no build step.
import { t, getLang, setLang, applyI18n, onLangChange, locale, has, LANGS } from "./i18n.js";

export { t, getLang, onLangChange, locale, has };

// ---------------------------------------------------------------------------------------
// API client

/** A non-2xx answer (or no answer: status 0, code "network"). `body` is the JSON error. */
export class ApiError extends Error {
  constructor(status, body) {
    const b = body && typeof body === "object" ? body : {};
    super(b.message || `HTTP ${status}`);
    this.status = status;
    this.body = b;
    this.code = b.code || (status === 0 ? "network" : `http_${status}`);
    this.fields = b.fields && typeof b.fields === "object" ? b.fields : {};
  }
}

export function getCookie(name) {
  for (const part of document.cookie.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

async function rawRequest(path, { method = "GET", body, headers = {} } = {}) {
  const h = { Accept: "application/json", ...headers };
  if (body !== undefined) h["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: h,
      body: body !== undefined ? JSON.stringify(body) : undefined,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, { code: "network", message: String(e && e.message) });
  }
  let data = null;
  const text = res.status === 204 ? "" : await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    const ra = res.headers.get("Retry-After");
    if (err.body.retry_after === undefined && ra && /^\d+$/.test(ra)) err.body.retry_after = Number(ra);
    throw err;
  }
  return { status: res.status, data };
}

/**
 * Calls the API; resolves with the parsed JSON (null for 204), rejects with ApiError.
 * POST/DELETE send the `electx_csrf` cookie back as `X-CSRF-Token` (fetching
 * /api/session first if the cookie is missing) and retry once on `csrf_failed`.
 * `adminToken` sends `Authorization: Bearer` instead (admin routes take no CSRF).
 * With `withStatus` it resolves with `{ status, data }`.
 */
export async function api(path, { method = "GET", body, adminToken, withStatus = false } = {}) {
  const unsafe = method !== "GET" && method !== "HEAD";
  const attempt = async () => {
    const headers = {};
    if (adminToken !== undefined) {
      headers.Authorization = `Bearer ${adminToken}`;
    } else if (unsafe) {
      let token = getCookie("electx_csrf");
      if (!token) {
        await getSession(true);
        token = getCookie("electx_csrf");
      }
      if (token) headers["X-CSRF-Token"] = token;
    }
    return rawRequest(path, { method, body, headers });
  };
  let r;
  try {
    r = await attempt();
  } catch (e) {
    if (!(e instanceof ApiError && e.code === "csrf_failed" && unsafe && adminToken === undefined)) throw e;
    await getSession(true);
    r = await attempt();
  }
  return withStatus ? r : r.data;
}

let sessionPromise = null;
/** `GET /api/session` (cached per page; `force` refetches). Never rejects. */
export function getSession(force = false) {
  if (!sessionPromise || force) {
    sessionPromise = rawRequest("/api/session")
      .then((r) => r.data || { authenticated: false })
      .catch(() => ({ authenticated: false, dev_mode: false }));
  }
  return sessionPromise;
}

let metaPromise = null;
/** `GET /api/meta` (cached per page). Rejects with ApiError. */
export function getMeta() {
  if (!metaPromise) {
    metaPromise = api("/api/meta");
    metaPromise.catch(() => (metaPromise = null));
  }
  return metaPromise;
}

// ---------------------------------------------------------------------------------------
// Messages

/** A translated message for an ApiError (or any error). */
export function errorMessage(err) {
  if (!(err instanceof ApiError)) return t("error.generic", { code: String(err && err.message) });
  const vars = { n: err.body.retry_after ?? "?", detail: err.body.error || err.body.pallet_error || err.message, code: err.code };
  if (has(`error.${err.code}`)) return t(`error.${err.code}`, vars);
  return err.message && err.status !== 0 ? err.message : t("error.generic", vars);
}

/** A translated message for a field error `{code, message}` of field `name`. */
export function fieldMessage(name, fe) {
  const code = fe && fe.code;
  if (code && has(`field.${code}.${name}`)) return t(`field.${code}.${name}`);
  if (code && has(`field.${code}`)) return t(`field.${code}`);
  return (fe && fe.message) || t("field.invalid_format");
}

/** Shows `text` in a message box (`kind`: error | success | info | warning); empty hides it. */
export function showMessage(el, text, kind = "error") {
  if (!el) return;
  el.textContent = text || "";
  el.hidden = !text;
  el.className = `message message-${kind}`;
}

/** Clears every field error of `form`. */
export function clearFieldErrors(form) {
  for (const p of form.querySelectorAll(".field-error")) {
    p.textContent = "";
    p.hidden = true;
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

/**
 * Shows `fields` (`{name: {code, message}}`) next to their inputs (`#<name>-error`);
 * returns the names it could not place. Focuses the first invalid field.
 */
export function showFieldErrors(form, fields) {
  const unplaced = [];
  let first = null;
  for (const [name, fe] of Object.entries(fields || {})) {
    const p = form.querySelector(`#${CSS.escape(name)}-error`);
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!p) {
      unplaced.push(name);
      continue;
    }
    p.textContent = fieldMessage(name, fe);
    p.hidden = false;
    if (input) {
      input.setAttribute("aria-invalid", "true");
      first ??= input;
    }
  }
  if (first) first.focus();
  return unplaced;
}

/** Shows an ApiError on a form: field errors by their fields, the rest in `summaryEl`. */
export function showFormError(form, summaryEl, err) {
  clearFieldErrors(form);
  if (err instanceof ApiError && Object.keys(err.fields).length) {
    const unplaced = showFieldErrors(form, err.fields);
    const extra = unplaced.map((n) => `${n}: ${fieldMessage(n, err.fields[n])}`).join(" ");
    showMessage(summaryEl, `${t("errors.summary")}${extra ? " " + extra : ""}`, "error");
  } else {
    showMessage(summaryEl, errorMessage(err), "error");
    summaryEl?.focus?.();
  }
}

// ---------------------------------------------------------------------------------------
// Formatting

export function formatDateTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(d);
}

export function formatTime(d) {
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(d);
}

export function formatNumber(n) {
  return typeof n === "number" ? new Intl.NumberFormat(locale()).format(n) : "—";
}

export function formatPercent(part, whole) {
  if (!whole) return "—";
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(part / whole);
}

/** Seconds as m:ss. */
export function mmss(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function phaseLabel(phase) {
  return has(`phase.${phase}`) ? t(`phase.${phase}`) : String(phase);
}

export function genderLabel(g) {
  return has(`gender.${g}`) ? t(`gender.${g}`) : String(g);
}

/** `el("a", {href, class: "x"}, "text", child…)`; text is always set as text. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** A "Copy" button for `text`. */
export function copyButton(getText, label = t("copy")) {
  const b = el("button", { type: "button", class: "button button-small button-secondary" }, label);
  b.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(getText());
      b.textContent = t("copied");
      setTimeout(() => (b.textContent = label), 2000);
    } catch {
      /* no clipboard access: the text stays selectable */
    }
  });
  return b;
}

/** Positive integer query parameter, or null. */
export function intParam(name) {
  const v = new URLSearchParams(location.search).get(name);
  return v !== null && /^\d+$/.test(v) ? Number(v) : null;
}

/** A same-site relative `next` target from the query, or null (no open redirects). */
export function nextParam() {
  const v = new URLSearchParams(location.search).get("next");
  if (!v || !/^[a-z-]+\.html(\?[\w=&%.-]*)?$/i.test(v)) return null;
  return v;
}

export function redirectToLogin() {
  const here = location.pathname.split("/").pop() + location.search;
  location.replace(`login.html?next=${encodeURIComponent(here)}`);
}

// ---------------------------------------------------------------------------------------
// Header and footer

/** Each language named in itself (the switch reads the same in every language). */
const LANG_NAMES = { es: "Español", en: "English" };

const NAV = [
  { page: "home", href: "/", key: "nav.home" },
  { page: "register", href: "/register.html", key: "nav.register", anon: true },
  { page: "login", href: "/login.html", key: "nav.login", anon: true },
  { page: "dashboard", href: "/dashboard.html", key: "nav.dashboard" },
];

function renderHeader(header, page, session) {
  header.replaceChildren();
  const bar = el("div", { class: "container header-bar" });
  const brand = el(
    "a",
    { class: "brand", href: "/" },
    el("span", { class: "brand-mark", "aria-hidden": "true" }, "✓"),
    el("span", { class: "brand-name" }, t("brand")),
    el("span", { class: "brand-tagline" }, t("brand.tagline")),
  );
  const nav = el("nav", { class: "site-nav", "aria-label": t("nav.label") });
  const ul = el("ul");
  const items = NAV.filter((n) => !(n.anon && session.authenticated));
  if (session.dev_mode) items.push({ page: "dev-sms", href: "/dev-sms.html", key: "nav.devSms" });
  for (const n of items) {
    const a = el("a", { href: n.href }, t(n.key));
    if (n.page === page) a.setAttribute("aria-current", "page");
    ul.append(el("li", {}, a));
  }
  nav.append(ul);

  const tools = el("div", { class: "header-tools" });
  const langGroup = el("div", { class: "lang-switch", role: "group", "aria-label": t("lang.switch") });
  for (const lang of LANGS) {
    const b = el(
      "button",
      { type: "button", lang, "aria-pressed": String(getLang() === lang), "data-lang": lang, "aria-label": LANG_NAMES[lang], title: LANG_NAMES[lang] },
      lang.toUpperCase(),
    );
    b.addEventListener("click", () => setLang(lang));
    langGroup.append(b);
  }
  tools.append(langGroup);
  if (session.authenticated) {
    const who = el("span", { class: "signed-in", id: "signed-in" }, t("nav.signedInAs", { name: session.voter?.name ?? "" }));
    const out = el("button", { type: "button", class: "button button-small button-secondary", id: "logout" }, t("nav.logout"));
    out.addEventListener("click", async () => {
      out.disabled = true;
      try {
        await api("/api/logout", { method: "POST" });
      } catch {
        /* the server session may already be gone: leave anyway */
      }
      location.assign("./");
    });
    tools.append(who, out);
  }
  bar.append(brand, nav, tools);
  header.append(bar);
}

function renderFooter(footer) {
  footer.replaceChildren(
    el(
      "div",
      { class: "container" },
      el("p", {}, t("footer.text")),
      el("p", {}, el("a", { href: "/admin.html" }, t("nav.admin")), " · ", el("a", { href: "/api/openapi.json" }, t("footer.api"))),
    ),
  );
}

/**
 * Sets the page up: language, header, footer. Resolves with `{ session }`.
 * With `requireAuth`, a visitor without a session is sent to the sign-in page (and the
 * promise never resolves).
 */
export async function initPage({ page, requireAuth = false } = {}) {
  applyI18n(document);
  const header = document.getElementById("site-header");
  const footer = document.getElementById("site-footer");
  let session = { authenticated: false, dev_mode: false };
  const draw = () => {
    if (header) renderHeader(header, page, session);
    if (footer) renderFooter(footer);
  };
  draw();
  session = await getSession();
  if (requireAuth && !session.authenticated) {
    redirectToLogin();
    return new Promise(() => {});
  }
  draw();
  onLangChange(draw);
  return { session };
}
