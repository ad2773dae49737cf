#!/usr/bin/env node
// `npm start`: build the definitions, run the Worker under `wrangler dev` on the local
// Workflows engine (state under .wrangler/), and rebuild when a definition changes.
// Flags after `--` go to wrangler dev: `npm start -- --port 9000`.
import { spawn, spawnSync } from "node:child_process";
import { watch } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
/** The documented local token; set API_TOKEN in the environment to use another. */
export const LOCAL_TOKEN = "dev-token";
const token = process.env.API_TOKEN || LOCAL_TOKEN;
const bin = (name) => join(root, "node_modules/.bin", name);

function build() {
  const r = spawnSync(bin("tsx"), [join(root, "scripts/build.ts")], { cwd: root, stdio: "inherit" });
  return r.status === 0;
}

if (!build()) {
  console.error("npm start: fix the definitions above, then start again.");
  process.exit(1);
}

const args = ["dev", "--var", `API_TOKEN:${token}`, "--var", "ALLOW_PRIVATE_HOSTS:true", "--show-interactive-dev-session=false", ...process.argv.slice(2)];
// Same process group as npm: Ctrl-C (or a signal to the group) reaches wrangler and workerd.
const child = spawn(bin("wrangler"), args, { cwd: root, stdio: "inherit" });
console.log(`npm start: API token for local requests: Authorization: Bearer ${token}`);

// A changed definition is rebuilt into src/generated/, which makes wrangler reload the Worker.
let timer;
const watcher = watch(join(root, "definitions"), (_event, file) => {
  if (!file || !/\.ya?ml$/.test(file)) return;
  clearTimeout(timer);
  timer = setTimeout(() => {
    console.log(`npm start: ${file} changed; rebuilding definitions`);
    if (!build()) console.error("npm start: the running Worker keeps the last valid build until the definitions validate.");
  }, 150);
});

// Ctrl-C reaches wrangler from the terminal itself; a SIGTERM sent to this process alone is passed on.
process.on("SIGINT", () => watcher.close());
process.on("SIGTERM", () => {
  watcher.close();
  child.kill("SIGTERM");
});
child.on("exit", (code, signal) => {
  watcher.close();
  process.exit(code ?? (signal ? 1 : 0));
});
