// The public dashboard and the admin page against a real dev node and gateway: live
// turnout while votes come in, the verified results once the node's off-chain tallier
// has published the tally, and an election created through the admin page.
// Screenshots: build/screenshots/<test>.png. Run: node --test tests/browser/
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import * as B from "./lib/browser.mjs";
import * as S from "./lib/system.mjs";

const OPTIONS = ["Parque", "Biblioteca", "Carril bici"];
// Three voters: choices and who they are (for the turnout breakdowns).
const VOTERS = [
  { choice: 0, province: "28", gender: "female" },
  { choice: 1, province: "08", gender: "male" },
  { choice: 0, province: "28", gender: "female" },
];
let node, gw, browser, key, election, dash, httpVoters;

before(async () => {
  S.requireBinaries();
  node = await S.startNode();
  await S.settleAll([S.startGateway(node), B.launchBrowser()], (v) => ([gw, browser] = v));
  key = S.electionKey();
  // Test shortcut for `electx-node election-key install`: the tallier's key goes into the
  // running node's off-chain storage over the unsafe RPC.
  await S.E.installKeyViaRpc(node.api, key.secret, key.publicKey);
  // A short election: opens in ~2 blocks, closes 15 blocks (90 s) later, then the
  // off-chain worker tallies it.
  election = await S.createElection(gw, {
    title: "Presupuestos participativos (prueba)",
    options: OPTIONS,
    publicKey: key.publicKey,
    opensInSec: 12,
    lengthSec: 90,
  });
  // Signed in now: the gateway puts voters on the roll of scheduled elections at sign-in
  // (a registrar transaction, ~15 s), so they can vote as soon as it opens.
  httpVoters = VOTERS.map((w) => new S.HttpVoter(gw, B.makeVoter({ province: w.province, gender: w.gender })));
  await Promise.all(httpVoters.map((hv) => hv.signUpAndIn()));
});

after(async () => {
  await browser?.close().catch(() => {});
  await gw?.stop();
  await node?.stop();
  if (key) fs.rmSync(path.dirname(key.file), { recursive: true, force: true });
});

describe("dashboard, while voting is open", () => {
  test("turnout updates live (total, province, gender, over time) without a reload", { timeout: 180_000 }, async () => {
    const voters = httpVoters;
    await S.waitForElection(gw, election.id, (e) => e.phase === "open", { what: "phase open" });
    dash = await B.newPage(browser, gw.url);
    await dash.goto(`dashboard.html?election=${election.id}`);
    await dash.locator("#turnout").waitFor({ state: "visible" });
    assert.equal(await dash.textContent("#stat-voted"), "0");
    assert.equal(await dash.inputValue("#election"), String(election.id));
    await dash.evaluate(() => (window.__sameDocument = true));

    const votes = await Promise.all(voters.map((hv, i) => hv.vote(election.id, VOTERS[i].choice)));
    await dash.waitForFunction(() => document.getElementById("stat-voted").textContent === "3", null, { timeout: 60_000 });
    await Promise.all(voters.map((hv, i) => hv.waitForVote(votes[i].id)));
    await dash.waitForFunction(() => document.getElementById("stat-chain").textContent === "3", null, { timeout: 60_000 });
    assert.equal(await dash.evaluate(() => window.__sameDocument), true, "no reload");

    const madrid = dash.locator('#by-province tr[data-province="28"]');
    assert.match(await madrid.textContent(), /Madrid\s*2/);
    assert.match(await dash.locator('#by-province tr[data-province="08"]').textContent(), /1/);
    assert.match(await dash.locator('#by-gender tr[data-gender="female"]').textContent(), /Mujer\s*2/);
    assert.match(await dash.locator('#by-gender tr[data-gender="male"]').textContent(), /Hombre\s*1/);
    assert.equal(await dash.isVisible("#time-chart"), true, "the over-time chart is drawn");
    assert.match(await dash.getAttribute("#time-chart", "aria-label"), /3/);
    assert.equal(await dash.isVisible("#results-pending"), true, "no results before the tally");
    await B.screenshot(dash, "dashboard-turnout");
    B.assertNoPageErrors(dash);
  });
});

// Runs while the dashboard's election is open and then waits for its tally.
describe("admin page", () => {
  test("the admin creates an election through the page and it shows up", { timeout: 90_000 }, async () => {
    const page = await B.newPage(browser, gw.url);
    await page.goto("admin.html");
    // Without a token the list asks for one.
    await page.locator("#list-message").waitFor({ state: "visible" });
    await page.fill("#admin_token", S.ADMIN_TOKEN);
    await page.click("#token-save");
    assert.equal(await page.evaluate(() => sessionStorage.getItem("electx.adminToken")), S.ADMIN_TOKEN);
    // The short election from before() is listed with its admin counts.
    await page.locator(`#admin-elections-body tr[data-election="${election.id}"]`).waitFor();

    const title = "Elección creada desde el navegador";
    const times = await page.evaluate(() => {
      const p = (n) => String(n).padStart(2, "0");
      const local = (d) =>
        `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
      const now = Date.now();
      return { opens: local(new Date(now + 3600_000)), closes: local(new Date(now + 7200_000)) };
    });
    await page.fill("#title", title);
    await page.fill("#options", "Opción A\nOpción B\n\nOpción C\n");
    await page.fill("#opens_at", times.opens);
    await page.fill("#closes_at", times.closes);
    await page.check("#allow_revote");
    await page.fill("#public_key", key.publicKey);
    await page.click("#create-submit");
    const msg = page.locator("#create-message.message-success");
    await msg.waitFor({ timeout: 60_000 });
    const id = Number(await msg.getAttribute("data-election-id"));
    assert.ok(Number.isInteger(id) && id !== election.id, `new election id ${id}`);
    const row = page.locator(`#admin-elections-body tr[data-election="${id}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(title));
    await B.screenshot(page, "admin-created");

    // It is a real election on the chain: the public API lists it with its options.
    const listed = (await (await fetch(`${gw.url}/api/elections`)).json()).find((e) => e.id === id);
    assert.ok(listed, "the new election is in GET /api/elections");
    assert.equal(listed.title, title);
    assert.deepEqual(listed.options, ["Opción A", "Opción B", "Opción C"]);
    assert.equal(listed.allow_revote, true);
    assert.equal(listed.phase, "scheduled");

    // A bad public key is shown on its field.
    await page.fill("#title", "Otra");
    await page.fill("#options", "A\nB");
    await page.fill("#public_key", "0x1234");
    await page.click("#create-submit");
    await page.locator("#public_key-error").waitFor({ state: "visible" });
    assert.equal(await page.getAttribute("#public_key", "aria-invalid"), "true");
    await B.screenshot(page, "admin-field-error");
    B.assertNoPageErrors(page);
    await page.context().close();
  });
});

describe("dashboard, after the tally", () => {
  test("after the close, the tallied results show as bar and pie charts, marked verified", { timeout: 240_000 }, async (t) => {
    if (!dash) return t.skip("the turnout test did not run");
    await dash.locator("#results-verified").waitFor({ state: "visible", timeout: 210_000 });
    assert.equal(await dash.isVisible("#results-unverified"), false);
    assert.equal(await dash.isVisible("#results-pending"), false);
    const rows = await dash.locator("#results-table tr").evaluateAll((trs) =>
      trs.map((tr) => [...tr.cells].slice(0, 2).map((c) => c.textContent)),
    );
    assert.deepEqual(rows, [
      ["Parque", "2"],
      ["Biblioteca", "1"],
      ["Carril bici", "0"],
    ]);
    assert.equal(await dash.textContent("#stat-phase"), "Escrutada");
    for (const id of ["bar-chart", "pie-chart"]) {
      const box = await dash.locator(`#${id}`).boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, `${id} is drawn`);
    }
    await dash.waitForTimeout(300); // let the charts paint before the screenshot
    await B.screenshot(dash, "dashboard-results-verified");
    // English on the same page, without a reload.
    await dash.click('button[data-lang="en"]');
    assert.equal(await dash.textContent("#results-verified"), "✓ Verified");
    assert.equal(await dash.getAttribute("html", "lang"), "en");
    await B.screenshot(dash, "dashboard-results-en");
    B.assertNoPageErrors(dash);
    await dash.context().close();
  });
});
