// Drives the relay's fleet dashboard in headless Chromium (Debian's /usr/bin/chromium) for
// DashboardBrowserTest. Usage: node dashboard.cjs OPERATOR_URL VIEWER_URL SCREENSHOT
// Prints one JSON line per check ({"check": name, ...}); asks the test to stop a device with
// {"stop": id} on stdout and waits for a line on stdin. Exits non-zero on the first failure.
"use strict";
const { chromium } = require("playwright-core");
const readline = require("readline");

const [operatorUrl, viewerUrl, screenshot] = process.argv.slice(2);
const stdin = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => stdin.once("line", resolve));
const report = (o) => console.log(JSON.stringify(o));

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on("pageerror", (e) => { errors.push(e.message); console.error("page error:", e.message); });
    page.on("console", (m) => { if (m.type() === "error") console.error("page console:", m.text()); });
    await page.goto(operatorUrl);
    const card = (id) => page.locator(`article.device[data-device="${id}"]`);

    await page.waitForFunction(() => document.querySelectorAll("article.device.online").length === 3, null, { timeout: 30000 });
    const ids = await page.$$eval("article.device", (els) => els.map((e) => e.dataset.device));
    report({ check: "devices", ids, address: await page.evaluate(() => location.href) });

    // The counter's chart: it reports every 5 s. The other series report by exception (a random
    // walk inside its deadband can stay quiet for longer than the wait).
    const chart = card("dev-1").locator('.chart[data-series="ctr/count"]');
    await chart.waitFor();
    const before = Number(await chart.getAttribute("data-points"));
    await page.waitForFunction((n) => Number(document.querySelector('article[data-device="dev-1"] .chart[data-series="ctr/count"]').dataset.points) > n, before, { timeout: 20000 });
    report({ check: "chart", series: await chart.getAttribute("data-series"), before,
      after: Number(await chart.getAttribute("data-points")) });

    await card("dev-1").locator('button[data-cmd="ping"]').click();
    await card("dev-1").locator(".result.succeeded").waitFor({ timeout: 20000 });
    report({ check: "ping", result: await card("dev-1").locator(".result").textContent() });

    // A snapshot from the simulated camera, shown inline; then one large enough to come in chunks.
    const snap = card("dev-1").locator('button[data-cmd="camera.snapshot"]');
    await snap.waitFor({ state: "visible", timeout: 30000 });
    await snap.click();
    const img = (id, width) => page.waitForFunction(([id, width]) => {
      const i = document.querySelector(`article[data-device="${id}"] .camera img`);
      return i && i.complete && (width ? i.naturalWidth === width : i.naturalWidth > 0);
    }, [id, width], { timeout: 60000 });
    await img("dev-1", 0);
    report({ check: "snapshot", width: await card("dev-1").locator(".camera img").evaluate((i) => i.naturalWidth) });
    await card("dev-2").locator('.free input[name="name"]').fill("camera.snapshot");
    await card("dev-2").locator('.free input[name="args"]').fill('{"width": 1920, "height": 1080, "quality": 100}');
    await card("dev-2").locator(".free button").click();
    await img("dev-2", 1920);
    report({ check: "chunked", caption: await card("dev-2").locator(".camera figcaption").textContent() });

    const pump = card("dev-3").locator('input[data-output="pump"]');
    await pump.waitFor({ timeout: 20000 });
    const was = await pump.isChecked();
    await pump.click();
    await card("dev-3").locator(".result.succeeded").waitFor({ timeout: 20000 });
    // The next status message from the device must carry the new state too.
    const statusBefore = await page.evaluate(() => Date.now());
    await page.waitForTimeout(3500);
    report({ check: "output", was, now: await pump.isChecked(), after: statusBefore,
      result: await card("dev-3").locator(".result").textContent() });

    // A backlog replayed after an outage (architecture.md §5) shows message by message.
    report({ replay: "dev-1" });
    await nextLine();
    const replayed = () => [...document.querySelectorAll("#log li")].map((li) => li.textContent)
      .filter((t) => /buffer\.dropped seq 9001\.\.9002|command replay-probe-1/.test(t));
    await page.waitForFunction(() => [...document.querySelectorAll("#log li")]
      .filter((li) => /buffer\.dropped seq 9001\.\.9002|command replay-probe-1/.test(li.textContent)).length === 2,
    null, { timeout: 20000 });
    report({ check: "replay", lines: await page.evaluate(replayed) });

    report({ stop: "dev-2" });
    await nextLine();
    await page.waitForFunction(() => document.querySelector('article[data-device="dev-2"]').classList.contains("offline"), null, { timeout: 20000 });
    report({ check: "offline", seen: await card("dev-2").locator(".seen").textContent() });

    await page.screenshot({ path: screenshot, fullPage: true });

    const viewer = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await viewer.goto(viewerUrl);
    await viewer.waitForFunction(() => document.querySelectorAll("article.device").length >= 3, null, { timeout: 20000 });
    report({ check: "viewer", role: await viewer.locator("#role").textContent(),
      controlsHidden: await viewer.locator('article[data-device="dev-1"] .controls').isHidden(),
      pumpDisabled: await viewer.locator('article[data-device="dev-3"] input[data-output="pump"]').isDisabled(),
      fitsPhone: await viewer.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth) });
    await viewer.screenshot({ path: screenshot.replace(/\.png$/, "-phone.png"), fullPage: false });

    report({ check: "errors", errors });
  } finally {
    await browser.close();
    stdin.close();
  }
})().catch((e) => { report({ failed: String(e && e.message || e) }); process.exit(1); });
