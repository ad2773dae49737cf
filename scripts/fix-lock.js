#!/usr/bin/env node
// The npm registry reachable here lacks the darwin and windows builds of workerd, so
// `npm install` leaves them out of package-lock.json and `npm ci` then calls the lock out of
// sync. This adds their entries back (OS-gated and optional, so no machine fetches them
// unless it is that OS). Run after `npm install` changes the lock: `node scripts/fix-lock.js`.
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const OTHERS = [
  ["workerd-darwin-64", "darwin", "x64"],
  ["workerd-darwin-arm64", "darwin", "arm64"],
  ["workerd-windows-64", "win32", "x64"],
];
const added = [];
for (const [key, entry] of Object.entries(lock.packages)) {
  if (!key.endsWith("@cloudflare/workerd-linux-64")) continue;
  const prefix = key.slice(0, -"workerd-linux-64".length);
  for (const [name, os, cpu] of OTHERS) {
    if (lock.packages[prefix + name]) continue;
    const { integrity: _i, resolved: _r, ...rest } = entry;
    lock.packages[prefix + name] = { ...rest, os: [os], cpu: [cpu], optional: true };
    added.push(prefix + name);
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(path, JSON.stringify(lock, null, 2) + "\n");
console.log(added.length ? `fix-lock: added ${added.join(", ")}` : "fix-lock: nothing to add");
