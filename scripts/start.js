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

/** The address callbacks reach this server at: the --port and --ip given to wrangler, if any. */
function publicUrl() {
  const flag = (name) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  return process.env.PUBLIC_URL || `http://${flag("--ip") ?? "localhost"}:${flag("--port") ?? "8787"}`;
}

const args = [
  "dev",
  "--var", `API_TOKEN:${token}`,
  "--var", "ALLOW_PRIVATE_HOSTS:true",
  // wrangler's local engine strands instances that were sleeping or waiting across a restart or
  // reload; the Worker wakes them when asked (src/api/recovery.ts). Deployed Workers never set this.
  "--var", "FLOWDSL_LOCAL_RECOVERY:true",
  // One calm line per step attempt instead of JSON (src/interpreter/log.ts).
  "--var", "FLOWDSL_LOG:pretty",
  // $callbackUrl locally: a documented secret and this server's address (set your own when deployed).
  "--var", `CALLBACK_SECRET:${process.env.CALLBACK_SECRET || "local-callback-secret"}`,
  "--var", `PUBLIC_URL:${publicUrl()}`,
  "--show-interactive-dev-session=false",
  ...process.argv.slice(2),
];
// Same process group as npm: Ctrl-C (or a signal to the group) reaches wrangler and workerd.
const child = spawn(bin("wrangler"), args, { cwd: root, stdio: ["inherit", "pipe", "pipe"] });
console.log(`npm start: API token for local requests: Authorization: Bearer ${token}`);

// After the server is ready, and after every reload, wake instances a restart stranded.
let origin = "http://localhost:8787";
const portArg = process.argv.indexOf("--port");
if (portArg >= 0 && process.argv[portArg + 1]) origin = `http://localhost:${process.argv[portArg + 1]}`;
let recovering = Promise.resolve();
function recover(reason) {
  recovering = recovering.then(async () => {
    for (let attempt = 0; attempt < 60; attempt++) {
      try {
        const r = await fetch(`${origin}/__flowdsl/recover`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
        if (r.ok) {
          const report = await r.json();
          if (report.woken.length > 0) console.log(`npm start: ${reason}: woke ${report.woken.length} instance(s) that were sleeping or waiting: ${report.woken.join(", ")}`);
          return;
        }
      } catch {
        /* not listening yet */
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    console.error("npm start: could not reach the Worker to wake stranded instances");
  });
}
/**
 * A failure a workflow expects (a retried attempt, a caught error, an instance that ends
 * errored) reaches workerd as an exception and wrangler prints it as a red "Uncaught Error"
 * with a stack. flowdsl's own calm line already said it, so such a report (it carries
 * flowdsl's marker) and its stack lines are left out, and so are the engine's reports of a
 * pause, resume or terminate someone asked for; every other line passes unchanged.
 */
const EXPECTED_FAILURE = /Uncaught (\(in promise\) )?Error: (.*⟦flowdsl \{|Aborting engine: User called )/;
const STACK_LINE = /^\s+at /;
function scan(stream, out) {
  let pending = "";
  let skippingStack = false;
  stream.on("data", (chunk) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (EXPECTED_FAILURE.test(line)) {
        skippingStack = true;
        continue;
      }
      if (skippingStack && STACK_LINE.test(line)) continue;
      skippingStack = false;
      out.write(line + "\n");
      const ready = /Ready on (https?:\/\/[^\s]+)/.exec(line);
      if (ready) {
        origin = ready[1].replace(/\/$/, "");
        recover("started");
      } else if (line.includes("updated and ready")) recover("reloaded");
    }
  });
}
scan(child.stdout, process.stdout);
scan(child.stderr, process.stderr);

// A changed definition (or wrangler.jsonc) is rebuilt into src/generated/ and
// wrangler.generated.jsonc, which makes wrangler reload the Worker.
let timer;
const rebuildOn = (what) => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    console.log(`npm start: ${what} changed; rebuilding definitions`);
    if (!build()) console.error("npm start: the running Worker keeps the last valid build until the definitions validate.");
  }, 150);
};
const watchers = [
  watch(join(root, "definitions"), (_event, file) => {
    if (file && /\.ya?ml$/.test(file) && !/\.test\.ya?ml$/.test(file)) rebuildOn(file);
  }),
  watch(join(root, "wrangler.jsonc"), () => rebuildOn("wrangler.jsonc")),
];
const watcher = { close: () => watchers.forEach((w) => w.close()) };

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
