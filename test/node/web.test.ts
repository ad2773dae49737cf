// The web page in real Chromium against the real `npm start`: the token asked once and kept in
// sessionStorage (never in a URL), definitions, a definition's picture and start form, an
// instance's live graph and timeline, sending its event; screenshots under test-output/.
import { mkdirSync, writeFileSync } from "node:fs";
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

/** Markup everywhere a definition and its params carry text: each would set window.__xss if it ever ran. */
const HOSTILE = `name: xss
description: "<img src=x onerror=\\"window.__xss='description'\\"> tries markup"
input:
  type: object
  properties:
    tier:
      type: string
      enum: ["' onmouseover='window.__xss=1' x='", "<script>window.__xss='option'</script>"]
      description: "<b onmouseover=\\"window.__xss='hint'\\">hint</b>"
    "<img src=x onerror=window.__xss='key'>": { type: string }
steps:
  - set: "<svg onload=window.__xss='node'>"
    values: { echoed: "{% $input %}" }
output: "{% $echoed %}"
`;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  const dir = copyProject();
  writeFileSync(join(dir, "definitions/xss.yaml"), HOSTILE);
  [dev, browser] = await Promise.all([startDev(dir), launchBrowser()]);
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

  it("serves a CSP without 'unsafe-inline' that allows only its own script, never framed", async () => {
    const res = await fetch(dev.url + "/");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    for (const d of ["frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"]) expect(csp).toContain(d);
    // A script someone slips into the page does not run: only the page's own hash is allowed.
    // Runs in the page (the tests are type-checked without the DOM library).
    type Doc = { createElement(t: string): { textContent: string }; body: { append(e: unknown): void } };
    await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: Doc }).document;
      const s = doc.createElement("script");
      s.textContent = "window.__csp = 'ran'";
      doc.body.append(s);
    });
    expect(await page.evaluate(() => (globalThis as unknown as { __csp?: string }).__csp)).toBeUndefined();
    const refused = consoleErrors.findIndex((m) => /Content Security Policy/.test(m));
    expect(refused).toBeGreaterThanOrEqual(0);
    consoleErrors.splice(refused, 1);
  });

  it("shows markup from a definition and its params as text; no script from them runs", async () => {
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(dev.url + "/#/workflows/xss");
    await page.locator("#start select").waitFor();
    await page.locator("#start select").hover();
    for (const o of await page.locator("#start option").all()) await o.hover({ force: true }).catch(() => undefined);
    await page.locator("#start small").hover();
    expect(await page.locator("main p").first().textContent()).toContain(`<img src=x onerror="window.__xss='description'"> tries markup`);
    expect(await page.locator("#start option").evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value))).toEqual([JSON.stringify("' onmouseover='window.__xss=1' x='"), JSON.stringify("<script>window.__xss='option'</script>")]);
    expect(await page.locator("#start label").allTextContents()).toContain("<img src=x onerror=window.__xss='key'>");
    expect(await page.locator("g.node[data-node='/steps/0']").getAttribute("data-name")).toBe("<svg onload=window.__xss='node'>");
    expect(await page.locator("main img, main script, main b, section.graph svg svg").count()).toBe(0);
    await page.screenshot({ path: join(shots, "web-hostile-definition.png"), fullPage: true });
    // Params with markup, started from the form, shown on the instance page as text.
    await page.locator("#start input[type=text]").first().fill("<img src=x onerror=window.__xss='param'>");
    await page.locator("#start button").click();
    await page.waitForURL(/#\/instances\//);
    await page.locator("#status.status-complete").waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator("#output").textContent(), { timeout: 10_000 }).toContain("<img src=x onerror=window.__xss='param'>");
    expect(await page.locator("main img").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: join(shots, "web-hostile-instance.png"), fullPage: true });
  });
});
