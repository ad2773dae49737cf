// The web page in real Chromium against the real `npm start`: the token asked once and kept in
// sessionStorage (never in a URL), definitions, a definition's picture and start form, an
// instance's live graph and timeline, sending its event; screenshots under test-output/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { copyProject, LOCAL_TOKEN, startDev } from "../dev-server.js";
import type { DevServer } from "../dev-server.js";
import { launchBrowser } from "../browser.js";

const root = new URL("../..", import.meta.url).pathname;
const shots = join(root, "test-output");
let dev: DevServer;
let browser: Browser;
let page: Page;
const requested: string[] = [];
/** Anything the page reports as an error fails the suite. */
const consoleErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  [dev, browser] = await Promise.all([startDev(copyProject()), launchBrowser()]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("request", (r) => requested.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
}, 180_000);
afterAll(async () => {
  expect(consoleErrors).toEqual([]);
  await browser?.close();
  await dev?.stop("SIGINT");
}, 30_000);

describe("the web page", () => {
  it("loads without the token, asks for it once, then lists the definitions", async () => {
    const res = await page.goto(dev.url + "/");
    expect(res?.status()).toBe(200);
    expect(res?.headers()["content-type"]).toMatch(/^text\/html/);
    await page.locator("input[name=token]").fill(LOCAL_TOKEN);
    await page.locator("#token-form button").click();
    await page.locator('a[href="#/workflows/hello"]').waitFor();
    expect(await page.locator("table.list tbody tr").count()).toBeGreaterThanOrEqual(25);
    expect(await page.evaluate(() => sessionStorage.getItem("flowdsl-token"))).toBe(LOCAL_TOKEN);
    await page.screenshot({ path: join(shots, "web-definitions.png") });
  });

  it("shows a definition: its picture with every node, its YAML with line numbers, a start form from its schema", async () => {
    await page.locator('a[href="#/workflows/hello"]').click();
    await page.locator("g.node[data-node='/steps/3']").waitFor();
    const drawn = await page.locator("g.node").evaluateAll((gs) => gs.map((g) => [g.getAttribute("data-node"), g.getAttribute("data-name"), g.getAttribute("data-state")]));
    expect(drawn.filter(([n]) => n?.startsWith("/") === true)).toEqual([
      ["/steps/0", "greeting", "pending"],
      ["/steps/1", "stamp", "pending"],
      ["/steps/2", "pause", "pending"],
      ["/steps/3", "approval", "pending"],
    ]);
    expect(await page.locator("pre.yaml .ln").count()).toBeGreaterThan(10);
    expect(await page.locator("#start input[name=name]").getAttribute("required")).not.toBeNull();
    await page.screenshot({ path: join(shots, "web-definition.png"), fullPage: true });
  });

  it("starts an instance from the form; its graph follows it live; the event sent from the page completes it", async () => {
    await page.locator("#start input[name=name]").fill("Web");
    await page.locator("#start button").click();
    await page.waitForURL(/#\/instances\//);
    await page.locator("g.node[data-node='/steps/3'][data-state='waiting']").waitFor({ timeout: 20_000 });
    expect(await page.locator("g.node[data-node='/steps/1']").getAttribute("data-state")).toBe("complete");
    expect(await page.locator("#timeline tbody tr").count()).toBe(3);
    await page.screenshot({ path: join(shots, "web-instance-waiting.png"), fullPage: true });
    await page.locator("#event input[name=type]").fill("approve");
    await page.locator("#event input[name=payload]").fill('{"by":"Page"}');
    await page.locator("#event button").click();
    await page.locator("#status.status-complete").waitFor({ timeout: 20_000 });
    await page.locator("g.node[data-node='/steps/3'][data-state='complete']").waitFor();
    expect(JSON.parse((await page.locator("#output").textContent()) ?? "null")).toEqual({ greeting: "Hello, Web!", approvedBy: "Page" });
    await page.screenshot({ path: join(shots, "web-instance-complete.png"), fullPage: true });
    // The token travelled in headers only, never in a URL.
    expect(requested.filter((u) => u.includes(LOCAL_TOKEN))).toEqual([]);
  });
});
