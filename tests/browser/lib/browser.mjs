// Browser side of the ElectX browser tests: Debian's Chromium driven by playwright-core,
// screenshots, test voters, and the page flows (register, sign in, vote) the tests share.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "../../..");
export const SCREENSHOTS = path.join(ROOT, "build/screenshots");
export const CHROMIUM = process.env.ELECTX_CHROMIUM || "/usr/bin/chromium";

export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run scripts/setup.d/30-browser.sh (or set ELECTX_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A new browser context on `baseURL` (its own cookies and storage, i.e. one person)
 * and a page in it. Page errors and failed API calls are collected in `page.problems`.
 */
export async function newPage(browser, baseURL, { width = 1100, height = 900 } = {}) {
  const context = await browser.newContext({ baseURL, viewport: { width, height }, locale: "es-ES" });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) page.problems.push(`console: ${m.text()}`);
  });
  return page;
}

/** Full-page screenshot into build/screenshots/<name>.png. */
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Fails on JavaScript errors the page raised (not on expected 4xx answers). */
export function assertNoPageErrors(page) {
  const errs = page.problems.filter((p) => p.startsWith("pageerror"));
  assert.deepEqual(errs, [], "the page raised JavaScript errors");
}

// ---------------------------------------------------------------------------------------
// Test voters: valid, unique DNI and mobile numbers.

const LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";
const FIRST_NAMES = ["Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Leo", "Julia", "Daniel", "Irene", "Álvaro"];
let seq = 0;

/** A valid DNI for `n` (8 digits + check letter). */
export function dni(n) {
  const num = String(n % 1e8).padStart(8, "0");
  return num + LETTERS[Number(num) % 23];
}

/** A fresh voter. Phones differ in their last two digits within a run (the outbox masks the rest). */
export function makeVoter(overrides = {}) {
  seq += 1;
  const base = (Date.now() % 1e6) * 100 + seq; // unique across runs that share a gateway DB
  return {
    id_number: dni(40_000_000 + base),
    full_name: `${FIRST_NAMES[seq % FIRST_NAMES.length]} Prueba Navegador`, // letters only: the gateway checks
    phone: `+346${String(10_000_000 + ((base * 7919) % 89_999_900)).slice(0, 6)}${String(seq % 100).padStart(2, "0")}`,
    province: "28",
    gender: seq % 2 ? "female" : "male",
    date_of_birth: "1990-05-17",
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------
// Page flows

/** Fills and submits register.html; does not wait for the outcome. */
export async function fillRegistration(page, v) {
  await page.goto("register.html");
  await page.waitForFunction(() => document.querySelectorAll("#province option").length > 1);
  await page.fill("#id_number", v.id_number);
  await page.fill("#full_name", v.full_name);
  await page.fill("#phone", v.phone);
  await page.selectOption("#province", v.province);
  await page.selectOption("#gender", v.gender);
  await page.fill("#date_of_birth", v.date_of_birth);
  await page.click("#register-submit");
}

export async function register(page, v) {
  await fillRegistration(page, v);
  await page.waitForSelector("#register-done:not([hidden])");
}

/** login.html → code.html; resolves once the code page shows its countdown. */
export async function requestCode(page, v, { next } = {}) {
  await page.goto(next ? `login.html?next=${encodeURIComponent(next)}` : "login.html");
  await page.fill("#id_number", v.id_number);
  await page.fill("#phone", v.phone);
  await Promise.all([page.waitForURL(/code\.html/), page.click("#login-submit")]);
  await page.waitForSelector("#code-area:not([hidden])");
}

/**
 * Reads the newest code sent to `phone` from the dev outbox page (dev-sms.html), in a
 * second tab of the same context; `notCode` skips a code already seen.
 */
export async function readCodeFromOutbox(page, phone, { notCode = null, name = null, timeout = 15_000 } = {}) {
  const outbox = await page.context().newPage();
  try {
    await outbox.goto("dev-sms.html");
    const tail = phone.slice(-2);
    const handle = await outbox.waitForFunction(
      ({ tail, notCode }) => {
        for (const tr of document.querySelectorAll("#sms-list tr")) {
          if (tr.dataset.to.endsWith(tail) && tr.dataset.code) return tr.dataset.code !== notCode ? tr.dataset.code : null;
        }
        return null;
      },
      { tail, notCode },
      { timeout, polling: 250 },
    );
    const code = await handle.jsonValue();
    if (name) await screenshot(outbox, name);
    return code;
  } finally {
    await outbox.close();
  }
}

/** Types `code` on code.html and submits it. */
export async function enterCode(page, code) {
  await page.fill("#code", code);
  await page.click("#code-submit");
}

/** register → sign in → code from the outbox; ends signed in on the `next` page (or home). */
export async function signUpAndIn(page, v, { next } = {}) {
  await register(page, v);
  await requestCode(page, v, { next });
  const code = await readCodeFromOutbox(page, v.phone);
  await Promise.all([page.waitForURL((u) => !/code\.html/.test(u.pathname)), enterCode(page, code)]);
}
