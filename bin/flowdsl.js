#!/usr/bin/env node
// The CLI runs from the TypeScript source, so there is no separate build to forget: on first
// use (and whenever a source file changed) esbuild bundles src/cli/main.ts into a cache file,
// which later runs import directly. Loading one bundle is about 0.3 s faster than transpiling
// each module on the fly; when the bundle cannot be made, tsx runs the source as before.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname;

/** Size and mtime of every source file the CLI can reach: any edit makes a new bundle. */
function sourceKey() {
  const h = createHash("sha256");
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        h.update(`${p}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  walk(join(root, "src"));
  walk(join(root, "schema"));
  h.update(process.version);
  return h.digest("hex").slice(0, 16);
}

async function bundled() {
  // Under node_modules, so the bundle's bare imports (yaml, ajv …) resolve to the project's.
  const dir = join(root, "node_modules/.cache/flowdsl");
  const file = join(dir, `cli-${sourceKey()}.mjs`);
  if (existsSync(file)) return file;
  const { build } = await import("esbuild");
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(root, "src/cli/main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    packages: "external",
    outfile: tmp,
    logLevel: "silent",
    absWorkingDir: root,
    banner: { js: "/* generated — do not edit: bin/flowdsl.js bundles src/cli/main.ts here. */" },
  });
  renameSync(tmp, file);
  // Bundles of earlier sources are of no further use.
  for (const old of readdirSync(dir)) if (old.startsWith("cli-") && join(dir, old) !== file && !old.endsWith(".tmp")) rmSync(join(dir, old), { force: true });
  return file;
}

let main;
try {
  ({ main } = await import(pathToFileURL(await bundled()).href));
} catch {
  // No esbuild, or node_modules not writable: run the source through tsx.
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
