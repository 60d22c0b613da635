// SPDX-License-Identifier: Apache-2.0
// The dashboard in a real browser: Playwright (playwright-core, installed
// by scripts/install-deps into tests/server/browser/) drives Debian's
// chromium, headless, with a fresh profile.  It signs in with a token,
// opens State XA, checks the MUF chart (the server's SVG, with its
// sigma bands) and the NRTA chart, submits a report through the API as
// the operator and sees it appear after a refresh, and saves screenshots.
// No console error and no CSP violation may occur.
//
//   node browser.mjs CUSTOS_BINARY SOURCE_DIR OUT_DIR
// Exit status 0 ok, 1 failure, 77 skipped (no chromium or playwright-core).
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [bin, src, out] = process.argv.slice(2);
if (!bin || !src || !out) {
  console.error("usage: node browser.mjs CUSTOS_BINARY SOURCE_DIR OUT_DIR");
  process.exit(2);
}
const CHROMIUM = process.env.CUSTOS_CHROMIUM || "/usr/bin/chromium";
const require = createRequire(join(src, "tests/server/browser/package.json"));
let chromium;
try {
  ({ chromium } = require("playwright-core"));
} catch (e) {
  console.error("browser test skipped: playwright-core not installed (scripts/install-deps)");
  process.exit(77);
}
if (!existsSync(CHROMIUM)) {
  console.error(`browser test skipped: no ${CHROMIUM} (scripts/install-deps)`);
  process.exit(77);
}

const work = mkdtempSync(join(tmpdir(), "custos-browser-"));
mkdirSync(out, { recursive: true });
const db = join(work, "demo.db");
execFileSync("sh", [join(src, "tests/server/demo-db.sh"), bin, db], { stdio: "inherit" });
const tokens = Object.fromEntries(readFileSync(db + ".tokens", "utf8").trim().split("\n")
  .map((l) => l.split(" ")));

let server, browser, context;
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); console.log((ok ? "ok   " : "FAIL ") + what); };

async function startServer() {
  server = spawn(bin, ["serve", db, "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let buf = "";
    server.stdout.on("data", (d) => {
      buf += d;
      const m = buf.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) resolve(Number(m[1]));
    });
    server.on("exit", (c) => reject(new Error("server exited with " + c)));
    setTimeout(() => reject(new Error("server did not start")), 10000);
  });
}

async function main() {
  const port = await startServer();
  const base = `http://127.0.0.1:${port}`;
  context = await chromium.launchPersistentContext(join(work, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(60000); // a loaded machine may take its time
  const problems = [];
  // HTTP errors the dashboard expects (a wrong token, MBAs without a
  // measurement model for NRTA) are logged by chromium as "Failed to load
  // resource"; script errors and CSP violations are what must not happen.
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  // offline: nothing may be fetched from anywhere but the server
  // slowXA: the next reply about one of XA's MBAs held back 1.5 s, to
  // navigate away while XA's page is still loading
  let slowXA = false, askedXAPS = false, heldAt = 0;
  // holdXA: the next reply about one of XA's MBAs held back until the
  // promise is kept (heldUrl says which); tokenless: every API request made
  // without a token, held back until the analyst has signed in
  let holdXA = null, heldUrl = "", heldDone = false, analystIn;
  const untilAnalyst = new Promise((ok) => { analystIn = ok; });
  const tokenless = [];
  let tokenlessDone = 0;
  const ended = (rq) => {
    if (rq.url() === heldUrl) heldDone = true;
    if (tokenless.includes(rq.url().slice(base.length))) tokenlessDone++;
  };
  page.on("requestfinished", ended);
  page.on("requestfailed", ended);
  await page.route("**/*", async (r) => {
    const url = r.request().url();
    if (!url.startsWith(base)) return r.abort();
    if (url.startsWith(base + "/api/") && url !== base + "/api/health" &&
        !r.request().headers().authorization) {
      tokenless.push(url.slice(base.length));
      await untilAnalyst;
    }
    if (holdXA && url.includes("mba=XA%2F")) {
      const until = holdXA;
      holdXA = null;
      heldUrl = url;
      await until;
    }
    if (url.includes("/api/reports?mba=XA%2FXAPS")) askedXAPS = true;
    if (slowXA && url.includes("mba=XA%2F")) {
      slowXA = false;
      await new Promise((ok) => setTimeout(ok, 1500));
      heldAt = Date.now();
    }
    return r.continue().catch(() => {});
  });

  await page.goto(base + "/");
  check(await page.isVisible("#login"), "the sign-in form is shown");
  await page.fill("#token", "cst1.inspector.not-the-token");
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#login-error:not([hidden])");
  check((await page.textContent("#login-error")).includes("invalid or revoked token"),
    "a wrong token is refused");

  await page.fill("#token", tokens.inspector);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#state-list a[data-state=XA]");
  check((await page.textContent("#who")) === "inspector (inspector)", "signed in as the inspector");
  await page.click("#state-list a[data-state=XA]");

  const muf = '.panel[data-mba="XA/XAFF"] .muf-chart svg';
  await page.waitForSelector(muf, { timeout: 60000 });
  const title = await page.textContent(muf + " title");
  check(title === "MUF, XA/XAFF", "the MUF chart of XA/XAFF is drawn (" + title + ")");
  check(await page.locator(muf + " g.band").count() === 2, "with its +-2 and +-3 sigma bands");
  check(await page.locator(muf + " g.series circle").count() >= 4, "and a point per period");  // 4 balance periods in 2026
  const nrta = '.panel[data-mba="XA/XAFS"] .nrta-chart svg';
  await page.waitForSelector(nrta, { timeout: 60000 });
  check(await page.locator(nrta + " path.alarm").count() > 0,
    "Page's test on XA/XAFS shows its alarms");
  // an MBA balancing two categories (reprocessing: enriched U and Pu) has a chart for each
  const rp = '.panel[data-mba="XA/XARP"] .nrta-chart';
  await page.waitForSelector(rp + '[data-element="P"] svg', { timeout: 60000 });
  const rpTitle = await page.textContent(rp + '[data-element="P"] svg title');
  check(rpTitle === "Page's test on SITMUF, XA/XARP, category P",
    "XA/XARP has Page's test on its plutonium (" + rpTitle + ")");
  check(await page.locator(rp + " svg").count() === 2, "and on its enriched uranium");
  await page.waitForSelector("#verify-status.ok", { timeout: 60000 });
  check((await page.textContent("#verify-status")).startsWith("Ledger intact"), "the chain is intact");
  await page.locator(muf).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(out, "dashboard-xa.png"), fullPage: false });

  // a report submitted through the API appears after a refresh
  const rows = '.panel[data-mba="XA/XAFF"] table.reports tbody tr';
  const before = await page.textContent(rows + ":first-child td:first-child");
  // XAFF's next report after the example's year (21 reports, the last
  // ICR ending 2026-12-30): a waste discard in January 2027
  const report = "001:OI/XA;22#002:1/1#003:20270204#006:TEST,B#010:I#015:20261231/20270131#" +
    "207:XAF1#307:XAFF#309:N#407:C#411:LD#412:20270115#430:T/Q/N/D#446:LW-2701#" +
    "469:M#470:1#630:150.5G#670:6.7G#\n";
  const res = await fetch(base + "/api/reports", {
    method: "POST", body: report, headers: { Authorization: "Bearer " + tokens.operator } });
  const body = await res.json();
  check(res.status === 201, "the operator's report is stored (" + res.status + " " + JSON.stringify(body) + ")");
  check(before !== "XA;22", "it was not there before (" + before + ")");
  await page.click("#refresh");
  // (polled from outside: the page's CSP forbids the eval of waitForFunction)
  let now = "";
  for (let i = 0; i < 300 && now !== "XA;22"; i++) {
    await page.waitForTimeout(200);
    now = await page.textContent(rows + ":first-child td:first-child").catch(() => "");
  }
  check(now === "XA;22", "and appears in the dashboard after a refresh (" + now + ")");
  await page.locator('.panel[data-mba="XA/XAFF"] table.reports').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(out, "dashboard-report.png") });

  // the inspector signs out while XA's page is still loading (one reply
  // held back until then), and the analyst signs in: the old page asks
  // nothing more (it asked without a token, and the 401 answering it once
  // the analyst was in signed the analyst out: server/browser timed out
  // under ASan waiting for XT's link) and the analyst starts from an empty page
  let release;
  holdXA = new Promise((ok) => { release = ok; });
  await page.click("#refresh");
  for (let i = 0; i < 600 && !heldUrl; i++) await page.waitForTimeout(100);
  check(heldUrl !== "", "XA's page is loading when the inspector signs out");
  await page.click("#logout");
  check(await page.locator("#state-list a, #mba-panels .panel").count() === 0,
    "signing out empties the page");
  release();
  for (let i = 0; i < 600 && !heldDone; i++) await page.waitForTimeout(100);
  await page.waitForTimeout(500); // the old page's next step, if it takes one
  await page.fill("#token", tokens.analyst);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#state-list a[data-state=XT]");
  analystIn();
  // the replies to anything held, and a moment for the page to act on them
  for (let i = 0; i < 600 && tokenlessDone < tokenless.length; i++) await page.waitForTimeout(100);
  await page.waitForTimeout(500);
  check(await page.isVisible("#app") && (await page.textContent("#who")) === "analyst (analyst)",
    "a reply to the signed-out page does not sign the analyst out");
  check(tokenless.length === 0, "signed out, the page asks nothing (" + tokenless.join(" ") + ")");

  // an analyst sees the State-level conclusions of XT and only its compartments
  // first XA, whose page is still loading (slowed) when the analyst moves on
  slowXA = true;
  askedXAPS = false;
  heldAt = 0;
  await page.click("#state-list a[data-state=XA]");
  await page.waitForTimeout(300);
  await page.click("#state-list a[data-state=XT]");
  await page.waitForSelector("#evaluation li");
  // once the held reply is through, a page that does not stop would go on
  // loading XA: wait until it asked for its last MBA's reports (XAPS) or
  // for 3 s, and a moment more for the replies
  for (let i = 0; i < 600 && !(heldAt && (askedXAPS || Date.now() - heldAt > 3000)); i++)
    await page.waitForTimeout(100);
  await page.waitForTimeout(1500);
  check(await page.locator("#evaluation li").count() > 0 &&
    await page.locator('.panel[data-mba^="XA/"]').count() === 0 &&
    (await page.textContent("#state-title")) === "State XT",
    "a State left while loading writes nothing into the next one's page");
  await page.waitForSelector("#info table");
  const items = await page.locator("#info tbody tr").count();
  check(items === 2, `the analyst sees 2 of 3 information items (${items})`);
  check((await page.textContent("#info")).includes("1 item(s) outside your compartments"),
    "and is told one is outside its compartments");
  check(await page.locator("#paths tbody tr").count() > 0, "the acquisition paths are listed");
  await page.screenshot({ path: join(out, "dashboard-xt.png"), fullPage: true });

  check(problems.length === 0, "no console error or CSP violation" +
    (problems.length ? ": " + problems.join(" | ") : ""));
}

try {
  await main();
} catch (e) {
  failures.push(String(e && e.stack || e));
  console.error(e);
} finally {
  if (context) await context.close().catch(() => {});
  if (server) {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`browser test: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log("browser test: ok; screenshots in " + out);
