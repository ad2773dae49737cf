// Real Chromium for anything a person looks at: @sparticuz/chromium ships a Chromium build in
// its npm package (so `npm install` is the whole set-up), driven by playwright-core.
import chromium from "@sparticuz/chromium";
import { chromium as playwright } from "playwright-core";
import type { Browser } from "playwright-core";

export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: true });
}
