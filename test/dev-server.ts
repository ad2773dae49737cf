// Runs the project as a new user would: `npm start` (wrangler dev on the local engine) in a
// throwaway copy of the project, on a free port, with its own .wrangler/ state.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
export const LOCAL_TOKEN = "dev-token";
const COPIED = ["bin", "definitions", "schema", "scripts", "src", "package.json", "tsconfig.json", "wrangler.jsonc"];

export function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "flowdsl-dev-"));
  for (const f of COPIED) cpSync(join(root, f), join(dir, f), { recursive: true, filter: (src) => !src.includes("/src/generated/definitions.ts") && !src.includes("/src/generated/input-validators.ts") });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export interface DevServer {
  dir: string;
  port: number;
  url: string;
  proc: ChildProcess;
  log(): string;
  /** Stops the whole process group: "SIGINT" is a graceful Ctrl-C, "SIGKILL" a crash. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startDev(dir: string, port?: number, readyTimeoutMs = 90_000): Promise<DevServer> {
  const p = port ?? (await freePort());
  let output = "";
  const proc = spawn("npm", ["start", "--", "--port", String(p), "--ip", "127.0.0.1"], {
    cwd: dir,
    detached: true,
    env: { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH ?? ""}`, API_TOKEN: "", CI: "true", WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`npm start exited ${proc.exitCode}:\n${output}`);
    try {
      const r = await fetch(`${url}/workflows`, { headers: { authorization: `Bearer ${LOCAL_TOKEN}` } });
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`npm start did not answer within ${readyTimeoutMs} ms:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    dir,
    port: p,
    url,
    proc,
    log: () => output,
    async stop(signal: NodeJS.Signals = "SIGINT") {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once("exit", () => r()));
      try {
        process.kill(-proc.pid!, signal);
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-proc.pid!, "SIGKILL");
        } catch {
          /* gone */
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
      // wrangler's workerd child may outlive npm for a moment; wait until the port is free.
      for (let i = 0; i < 100; i++) {
        try {
          await fetch(`${url}/workflows`);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
