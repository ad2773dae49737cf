// Real Chromium for anything a person looks at, driven by playwright-core: Debian's chromium
// when the machine has it (/usr/bin/chromium), else the build @sparticuz/chromium ships in its
// npm package, so `npm install` stays the whole set-up.
import { existsSync } from "node:fs";
import chromium from "@sparticuz/chromium";
import { chromium as playwright } from "playwright-core";
import type { Browser } from "playwright-core";

const DEBIAN_CHROMIUM = "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  if (existsSync(DEBIAN_CHROMIUM)) return playwright.launch({ executablePath: DEBIAN_CHROMIUM, headless: true, args: ["--no-sandbox"] });
  return playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: true });
}
