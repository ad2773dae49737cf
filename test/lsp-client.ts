// A minimal LSP client for the real yaml-language-server (stdio, JSON-RPC with
// Content-Length framing), configured the way VS Code's YAML extension configures it.
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname;

export interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  severity?: number;
  source?: string;
}
export interface CompletionItem {
  label: string;
  kind?: number;
  insertText?: string;
  textEdit?: { newText: string };
  documentation?: string | { value: string };
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class YamlLanguageServer {
  private proc: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private diagnostics = new Map<string, Diagnostic[]>();
  private diagnosticWaiters: Array<{ uri: string; version: number; resolve: (d: Diagnostic[]) => void }> = [];
  private versions = new Map<string, number>();
  private published = new Map<string, number>();
  readonly schemaUri: string;

  constructor() {
    this.schemaUri = pathToFileURL(root + "schema/workflow.schema.json").href;
    this.proc = spawn(process.execPath, [root + "node_modules/yaml-language-server/bin/yaml-language-server", "--stdio"], { stdio: "pipe" });
    this.proc.stdout.on("data", (d: Buffer) => this.onData(d));
    this.proc.stderr.on("data", () => {});
  }

  private send(msg: unknown): void {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...(msg as object) }), "utf8");
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  private onData(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString());
      const len = Number(m?.[1] ?? 0);
      if (this.buffer.length < headerEnd + 4 + len) return;
      const msg = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + len).toString("utf8")) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } };
      this.buffer = this.buffer.subarray(headerEnd + 4 + len);
      this.onMessage(msg);
    }
  }

  private onMessage(msg: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } }): void {
    if (msg.method && msg.id !== undefined) {
      // A request from the server.
      let result: unknown = null;
      if (msg.method === "workspace/configuration") {
        const items = (msg.params as { items: Array<{ section?: string }> }).items;
        result = items.map((i) => (i.section === "yaml" ? this.yamlSettings() : i.section === "[yaml]" ? {} : null));
      }
      this.send({ id: msg.id, result });
      return;
    }
    if (msg.method === "textDocument/publishDiagnostics") {
      const p = msg.params as { uri: string; diagnostics: Diagnostic[]; version?: number };
      this.diagnostics.set(p.uri, p.diagnostics);
      const v = p.version ?? this.versions.get(p.uri) ?? 0;
      this.published.set(p.uri, v);
      this.diagnosticWaiters = this.diagnosticWaiters.filter((w) => {
        if (w.uri === p.uri && v >= w.version) {
          w.resolve(p.diagnostics);
          return false;
        }
        return true;
      });
      return;
    }
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    }
  }

  yamlSettings(): unknown {
    return { schemas: { [this.schemaUri]: ["definitions/*.yaml", "*.yaml"] }, validate: true, completion: true, hover: true, format: { enable: false }, schemaStore: { enable: false } };
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    this.send({ id, method, params });
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      setTimeout(() => {
        if (this.pending.delete(id)) reject(new Error(`${method} timed out`));
      }, 20_000);
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  async initialize(): Promise<void> {
    await this.request("initialize", {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: {
          completion: { completionItem: { snippetSupport: true, documentationFormat: ["markdown", "plaintext"] } },
          hover: { contentFormat: ["markdown", "plaintext"] },
          publishDiagnostics: { versionSupport: true },
        },
      },
      initializationOptions: {},
    });
    this.notify("initialized", {});
    this.notify("workspace/didChangeConfiguration", { settings: { yaml: this.yamlSettings() } });
  }

  /** Opens (or replaces) a document (under definitions/, or at an absolute path) and returns its diagnostics once published. */
  async open(name: string, text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
    const uri = pathToFileURL(name.startsWith("/") ? name : root + "definitions/" + name).href;
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const done = new Promise<Diagnostic[]>((resolve) => this.diagnosticWaiters.push({ uri, version, resolve }));
    if (version === 1) this.notify("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version, text } });
    else this.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
    return { uri, diagnostics: await done };
  }

  async completion(uri: string, line: number, character: number): Promise<CompletionItem[]> {
    const r = await this.request<{ items: CompletionItem[] } | CompletionItem[] | null>("textDocument/completion", { textDocument: { uri }, position: { line, character } });
    return Array.isArray(r) ? r : (r?.items ?? []);
  }

  async hover(uri: string, line: number, character: number): Promise<string> {
    const r = await this.request<{ contents: string | { value: string } | Array<string | { value: string }> } | null>("textDocument/hover", { textDocument: { uri }, position: { line, character } });
    if (!r) return "";
    const c = r.contents;
    return Array.isArray(c) ? c.map((x) => (typeof x === "string" ? x : x.value)).join("\n") : typeof c === "string" ? c : c.value;
  }

  async close(): Promise<void> {
    try {
      await this.request("shutdown", null);
      this.notify("exit", null);
    } catch {
      /* already gone */
    }
    this.proc.kill();
  }
}
