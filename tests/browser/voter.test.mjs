// Voter-facing pages against a real dev node and gateway: registration errors, the full
// journey (register → sign in with the SMS code from the dev outbox → ballot → confirm →
// progress → receipt), a refused double vote, wrong/expired codes and the resend button.
// Screenshots: build/screenshots/<test>.png. Run: node --test tests/browser/
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import * as B from "./lib/browser.mjs";
import * as S from "./lib/system.mjs";

const OPTIONS = ["Sí", "No", "En blanco"];
let node, gw, gwShort, browser, key, election;
// The journey's voter and page, reused by the double-vote test.
let journey = null;

before(async () => {
  S.requireBinaries();
  node = await S.startNode();
  await S.settleAll(
    [
      S.startGateway(node),
      // Short code timers, for the expired-code and resend tests.
      S.startGateway(node, { codeTtlSeconds: 10, codeResendSeconds: 5 }),
      B.launchBrowser(),
    ],
    (v) => ([gw, gwShort, browser] = v),
  );
  key = S.electionKey();
  election = await S.createElection(gw, {
    title: "Consulta de prueba del navegador",
    options: OPTIONS,
    publicKey: key.publicKey,
    opensInSec: 12,
    lengthSec: 1200,
  });
});

after(async () => {
  await browser?.close().catch(() => {});
  await Promise.all([gw?.stop(), gwShort?.stop()]);
  await node?.stop();
  if (key) fs.rmSync(path.dirname(key.file), { recursive: true, force: true });
});

describe("registration", () => {
  test("bad DNI letter, non-Spanish phone and under 18 show errors next to their fields", { timeout: 60_000 }, async () => {
    const page = await B.newPage(browser, gw.url);
    const teen = new Date();
    teen.setFullYear(teen.getFullYear() - 15);
    const v = B.makeVoter({
      id_number: "12345678A", // the letter of 12345678 is Z
      phone: "+33612345678",
      date_of_birth: teen.toISOString().slice(0, 10),
    });
    await B.fillRegistration(page, v);
    for (const [field, pattern] of [
      ["id_number", /letra no corresponde/],
      ["phone", /móvil español/],
      ["date_of_birth", /18 años/],
    ]) {
      const err = page.locator(`#${field}-error`);
      await err.waitFor({ state: "visible" });
      assert.match(await err.textContent(), pattern, field);
      assert.equal(await page.getAttribute(`#${field}`, "aria-invalid"), "true", `${field} aria-invalid`);
      assert.match(await page.getAttribute(`#${field}`, "aria-describedby"), new RegExp(`${field}-error`));
    }
    // The good fields are not marked.
    assert.equal(await page.getAttribute("#full_name", "aria-invalid"), null);
    assert.equal(await page.isVisible("#register-done"), false);
    await B.screenshot(page, "register-field-errors");
    B.assertNoPageErrors(page);
    await page.context().close();
  });
});

describe("the voter's journey", () => {
  test("register → sign in with the outbox code → ballot → confirm → progress → receipt", { timeout: 180_000 }, async () => {
    const page = await B.newPage(browser, gw.url);
    const v = B.makeVoter();
    await B.register(page, v);
    await B.screenshot(page, "journey-1-registered");

    const next = `ballot.html?election=${election.id}`;
    await B.requestCode(page, v, { next });
    assert.match(await page.textContent("#countdown"), /^[12]:\d\d$/);
    assert.equal(await page.isDisabled("#resend"), true, "resend is disabled at first");
    assert.equal(await page.isVisible("#dev-sms-link"), true, "dev mode links the SMS outbox");
    await B.screenshot(page, "journey-2-code");

    const code = await B.readCodeFromOutbox(page, v.phone, { name: "journey-3-outbox" });
    assert.match(code, /^\d{6}$/);
    await S.waitForElection(gw, election.id, (e) => e.phase === "open", { what: "phase open" });
    await Promise.all([page.waitForURL(/ballot\.html/), B.enterCode(page, code)]);
    // The header names the voter by first name and initial ("Lucía P.").
    assert.match(await page.textContent("#signed-in"), new RegExp(`${v.full_name.split(" ")[0]} P\\.`));

    await page.locator("#ballot-form").waitFor({ state: "visible" });
    assert.equal(await page.textContent("#ballot-title"), election.title);
    assert.equal(await page.locator("input[name=choice]").count(), OPTIONS.length);
    // By keyboard: arrows pick the option, Tab reaches Vote, Enter opens the dialog
    // with the focus on Confirm.
    const focused = () => page.evaluate(() => document.activeElement?.id);
    await page.focus("#choice-0");
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.isChecked("#choice-1"), true);
    await B.screenshot(page, "journey-4-ballot");
    await page.keyboard.press("Tab");
    assert.equal(await focused(), "vote-button");
    await page.keyboard.press("Enter");
    await page.locator("#confirm-dialog[open]").waitFor();
    assert.equal(await page.textContent("#confirm-choice"), "No");
    assert.equal(await focused(), "confirm-ok");
    await B.screenshot(page, "journey-5-confirm");
    // Escape cancels and keeps the choice; voting again reopens the dialog.
    await page.keyboard.press("Escape");
    assert.equal(await page.isVisible("#confirm-dialog"), false);
    assert.equal(await page.isChecked("#choice-1"), true);
    await page.click("#vote-button");
    await page.locator("#confirm-dialog[open]").waitFor();
    await Promise.all([page.waitForURL(/vote\.html\?id=/), page.keyboard.press("Enter")]);

    await page.locator("#progress-section").waitFor({ state: "visible" });
    await B.screenshot(page, "journey-6-progress");
    await page.locator("#receipt").waitFor({ state: "visible", timeout: 120_000 });
    assert.equal(await page.getAttribute("#progress", "data-status"), "finalized");
    for (const id of ["step-sent", "step-block", "step-final"]) {
      assert.equal(await page.getAttribute(`#${id}`, "data-state"), "done", id);
    }
    assert.match(await page.textContent("#r-tracker"), /^0x[0-9a-f]{64}$/);
    assert.match(await page.textContent("#r-block"), /^#\d/);
    assert.match(await page.textContent("#r-block-hash"), /^0x[0-9a-f]{64}$/);
    assert.match(await page.textContent("#r-extrinsic"), /^\d+$/);
    assert.match(await page.getAttribute("#r-explorer", "href"), /^https:\/\/polkadot\.js\.org\/apps\//);
    assert.match(await page.textContent("#r-verify"), /electx-verify/);
    assert.match(await page.textContent("#r-election"), new RegExp(election.title));
    await B.screenshot(page, "journey-7-receipt");
    B.assertNoPageErrors(page);
    journey = { page, voter: v, voteId: new URL(page.url()).searchParams.get("id") };
  });

  test("a second vote is refused: the already-voted page links the receipt", { timeout: 60_000 }, async (t) => {
    if (!journey) return t.skip("the journey did not finish");
    const { page, voteId } = journey;
    await page.goto(`ballot.html?election=${election.id}`);
    await page.locator("#already-voted").waitFor({ state: "visible" });
    assert.equal(await page.isVisible("#ballot-form"), false);
    assert.match(await page.getAttribute("#already-receipt", "href"), new RegExp(`vote\\.html\\?id=${voteId}`));
    await B.screenshot(page, "double-vote-refused");
    // The gateway refuses it too (a fresh request_id is a new ballot).
    const r = await page.evaluate(async (id) => {
      const csrf = document.cookie.match(/(?:^|; )electx_csrf=([^;]*)/)[1];
      const res = await fetch(`/api/elections/${id}/ballots`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": decodeURIComponent(csrf) },
        body: JSON.stringify({ choice: 0, request_id: crypto.randomUUID() }),
      });
      return { status: res.status, body: await res.json() };
    }, election.id);
    assert.equal(r.status, 409);
    assert.equal(r.body.code, "already_voted");
    // Signing out ends the session: the ballot page sends to sign-in.
    await page.click("#logout");
    await page.waitForURL((u) => u.pathname === "/");
    await page.goto(`ballot.html?election=${election.id}`);
    await page.waitForURL(/login\.html\?next=/);
    await page.context().close();
  });

  test("registering the same DNI again is refused on the DNI field", { timeout: 60_000 }, async (t) => {
    if (!journey) return t.skip("the journey did not finish");
    const page = await B.newPage(browser, gw.url);
    await B.fillRegistration(page, { ...journey.voter, phone: B.makeVoter().phone });
    const err = page.locator("#id_number-error");
    await err.waitFor({ state: "visible" });
    assert.match(await err.textContent(), /Ya hay un votante registrado con este DNI/);
    await B.screenshot(page, "register-duplicate");
    await page.context().close();
  });
});

describe("the sign-in code", () => {
  test("a wrong code says how many attempts are left; then the right code signs in", { timeout: 60_000 }, async () => {
    const page = await B.newPage(browser, gw.url);
    const v = B.makeVoter();
    await B.register(page, v);
    await B.requestCode(page, v);
    const code = await B.readCodeFromOutbox(page, v.phone);
    await B.enterCode(page, code === "000000" ? "111111" : "000000");
    const err = page.locator("#code-error");
    await err.waitFor({ state: "visible" });
    assert.match(await err.textContent(), /Código incorrecto\. Le quedan 4 intentos/);
    assert.equal(await page.getAttribute("#code", "aria-invalid"), "true");
    await B.screenshot(page, "code-wrong");
    await Promise.all([page.waitForURL((u) => u.pathname === "/"), B.enterCode(page, code)]);
    await page.locator("#signed-in").waitFor();
    await page.locator("#my-votes").waitFor({ state: "visible" });
    await B.screenshot(page, "code-right-home");
    B.assertNoPageErrors(page);
    await page.context().close();
  });

  test("resend: disabled at first, enabled after resend_after, sends a new code", { timeout: 60_000 }, async () => {
    const page = await B.newPage(browser, gwShort.url);
    const v = B.makeVoter();
    await B.register(page, v);
    await B.requestCode(page, v);
    assert.equal(await page.isDisabled("#resend"), true);
    assert.match(await page.textContent("#resend"), /Reenviar código \(0:0\d\)/);
    await B.screenshot(page, "resend-disabled");
    const first = await B.readCodeFromOutbox(page, v.phone);
    await page.waitForFunction(() => !document.getElementById("resend").disabled, null, { timeout: 10_000 });
    assert.equal((await page.textContent("#resend")).trim(), "Reenviar código");
    await B.screenshot(page, "resend-enabled");
    await page.click("#resend");
    await page.locator("#code-message.message-success").waitFor();
    assert.match(await page.textContent("#code-message"), /código nuevo/);
    assert.equal(await page.isDisabled("#resend"), true, "disabled again after a resend");
    const second = await B.readCodeFromOutbox(page, v.phone, { notCode: first });
    assert.notEqual(second, first);
    await Promise.all([page.waitForURL((u) => u.pathname === "/"), B.enterCode(page, second)]);
    await page.context().close();
  });

  test("an expired code: the page says so, a new code is sent and the countdown restarts", { timeout: 60_000 }, async () => {
    const page = await B.newPage(browser, gwShort.url);
    const v = B.makeVoter();
    await B.register(page, v);
    await B.requestCode(page, v);
    const old = await B.readCodeFromOutbox(page, v.phone);
    // The countdown runs out (the test gateway's codes live 10 s).
    await page.waitForFunction(() => document.getElementById("countdown").textContent === "0:00", null, { timeout: 15_000 });
    await page.locator("#code-message").waitFor({ state: "visible" });
    assert.match(await page.textContent("#code-message"), /ha caducado/);
    await B.screenshot(page, "code-expired-countdown");
    await B.enterCode(page, old);
    await page.waitForFunction(() => /había caducado/.test(document.getElementById("code-message").textContent));
    assert.notEqual(await page.textContent("#countdown"), "0:00", "the countdown restarted");
    await B.screenshot(page, "code-expired-resent");
    const fresh = await B.readCodeFromOutbox(page, v.phone, { notCode: old });
    await Promise.all([page.waitForURL((u) => u.pathname === "/"), B.enterCode(page, fresh)]);
    await page.context().close();
  });
});
