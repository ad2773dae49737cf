// A real HTTP server on 127.0.0.1 standing in for the outside world in tests. Behaviour is
// scripted per path via POST /__script; every call is recorded and can be read back.
import { createServer } from "node:http";
import type { Server } from "node:http";

export interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** One scripted answer; `times` answers then falls through to the next (last one repeats). */
export interface Scripted {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
  delayMs?: number;
}

export interface MockServer {
  port: number;
  close(): Promise<void>;
}

export async function startMockServer(port = 0): Promise<MockServer> {
  const scripts = new Map<string, Scripted[]>();
  const calls: Recorded[] = [];
  // Requests in flight per first path segment (each test uses its own), and the most seen at once.
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
        const text = typeof payload === "string" ? payload : JSON.stringify(payload ?? null);
        res.writeHead(status, { "content-type": typeof payload === "string" ? "text/plain" : "application/json", ...headers });
        res.end(text);
      };
      if (url.pathname === "/__script" && req.method === "POST") {
        const s = JSON.parse(body) as Record<string, Scripted[]>;
        for (const [path, answers] of Object.entries(s)) scripts.set(path, answers.map((a) => ({ ...a })));
        return send(200, { ok: true });
      }
      if (url.pathname === "/__calls") {
        const prefix = url.searchParams.get("prefix") ?? "";
        return send(200, calls.filter((c) => c.path.startsWith(prefix)));
      }
      if (url.pathname === "/__stats") {
        const prefix = url.searchParams.get("prefix") ?? "";
        return send(200, { maxInFlight: maxInFlight.get(prefix) ?? 0 });
      }
      if (url.pathname === "/__reset") {
        const prefix = url.searchParams.get("prefix") ?? "";
        for (const k of [...scripts.keys()]) if (k.startsWith(prefix)) scripts.delete(k);
        for (let i = calls.length - 1; i >= 0; i--) if (calls[i]!.path.startsWith(prefix)) calls.splice(i, 1);
        return send(200, { ok: true });
      }
      calls.push({ method: req.method ?? "GET", path: url.pathname + url.search, headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body });
      const group = "/" + (url.pathname.split("/")[1] ?? "");
      const now = (inFlight.get(group) ?? 0) + 1;
      inFlight.set(group, now);
      maxInFlight.set(group, Math.max(now, maxInFlight.get(group) ?? 0));
      const answers = scripts.get(url.pathname);
      let a: Scripted = { status: 200, body: { path: url.pathname, method: req.method, echo: body ? safeJson(body) : null } };
      if (answers && answers.length > 0) {
        a = answers[0]!;
        if (a.times !== undefined && answers.length > 1) {
          a.times--;
          if (a.times <= 0) answers.shift();
        }
      }
      const delay = a.delayMs ?? Number(url.searchParams.get("delay") ?? 0);
      setTimeout(() => {
        inFlight.set(group, (inFlight.get(group) ?? 1) - 1);
        send(a.status, a.body ?? null, a.headers);
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const addr = server.address();
  return {
    port: typeof addr === "object" && addr ? addr.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
