// The web page (docs/reference.md, "The web page"): plain DOM, no framework, bundled into the
// Worker by the build (no CDN). Hash routes: #/ (definitions), #/workflows/<name>,
// #/instances/<id>. The token is asked once, kept in sessionStorage, sent as a header, never
// put in a URL; so the live stream is read with fetch (EventSource cannot send headers).
import { toSvg } from "../cli/graph-svg.js";
import type { Graph } from "../model/graph.js";

const TOKEN_KEY = "flowdsl-token";
const $ = <T extends Element>(sel: string, root: ParentNode = document): T | null => root.querySelector<T>(sel);
const main = (): HTMLElement => $<HTMLElement>("main")!;
const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const pretty = (v: unknown): string => esc(JSON.stringify(v, null, 2) ?? "null");

let stopFollowing: (() => void) | undefined;

function token(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, { method, headers: { authorization: `Bearer ${token()}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const e = (data as { error?: { code: string; message: string } } | null)?.error;
    if (res.status === 401) askToken(e?.message ?? "The token was refused.");
    throw new Error(e ? `${e.code}: ${e.message}` : `${res.status}`);
  }
  return data as T;
}

function askToken(why?: string): void {
  const bar = $<HTMLElement>("#token")!;
  bar.hidden = false;
  $<HTMLElement>("#token-why")!.textContent = why ?? "";
  $<HTMLInputElement>("input[name=token]")!.focus();
}

function showError(e: unknown): void {
  const box = $<HTMLElement>("#error")!;
  box.textContent = e instanceof Error ? e.message : String(e);
  box.hidden = false;
}

// ---- graph ----

/** Lays out and draws a graph (dagre), then marks each drawn node with its state. */
export function renderGraph(graph: Graph): string {
  return toSvg(graph);
}

function paintStates(root: ParentNode, states: Map<string, string>): void {
  for (const g of root.querySelectorAll<SVGGElement>("g.node")) {
    const path = g.dataset.node ?? "";
    if (path.startsWith("/")) g.dataset.state = states.get(path) ?? "pending";
  }
}

// ---- pages ----

async function definitionsPage(): Promise<void> {
  const defs = await api<Array<{ name: string; description: string; hash: string }>>("GET", "/workflows");
  main().innerHTML = `<h1>Workflows</h1><table class="list"><thead><tr><th>name</th><th>description</th></tr></thead><tbody>${defs
    .map((d) => `<tr><td><a href="#/workflows/${encodeURIComponent(d.name)}">${esc(d.name)}</a></td><td>${esc(d.description)}</td></tr>`)
    .join("")}</tbody></table>`;
}

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  description?: string;
  default?: unknown;
}

/** A start form from the input schema's top-level properties; anything else as JSON. */
function startForm(schema: Schema | null): string {
  const props = schema?.properties ?? {};
  const required = new Set(schema?.required ?? []);
  const fields = Object.entries(props).map(([k, p]) => {
    const type = Array.isArray(p.type) ? p.type[0] : p.type;
    const label = `<label for="f-${esc(k)}">${esc(k)}${required.has(k) ? " *" : ""}</label>`;
    const hint = p.description ? `<small>${esc(p.description)}</small>` : "";
    let input: string;
    if (p.enum) input = `<select id="f-${esc(k)}" name="${esc(k)}" data-type="enum">${p.enum.map((v) => `<option value='${esc(JSON.stringify(v))}'>${esc(String(v))}</option>`).join("")}</select>`;
    else if (type === "boolean") input = `<input type="checkbox" id="f-${esc(k)}" name="${esc(k)}" data-type="boolean">`;
    else if (type === "number" || type === "integer") input = `<input type="number" id="f-${esc(k)}" name="${esc(k)}" data-type="number"${type === "integer" ? ' step="1"' : ""}${required.has(k) ? " required" : ""}>`;
    else if (type === "string") input = `<input type="text" id="f-${esc(k)}" name="${esc(k)}" data-type="string"${required.has(k) ? " required" : ""}>`;
    else input = `<textarea id="f-${esc(k)}" name="${esc(k)}" data-type="json" rows="3" placeholder="JSON"></textarea>`;
    return `<div class="field">${label}${input}${hint}</div>`;
  });
  const free = Object.keys(props).length === 0 ? `<div class="field"><label for="f-params">params (JSON)</label><textarea id="f-params" name="__params" data-type="params" rows="4">{}</textarea></div>` : "";
  return `<form id="start">${fields.join("")}${free}<button type="submit">Start</button></form>`;
}

function readForm(form: HTMLFormElement): unknown {
  const params = form.querySelector<HTMLTextAreaElement>('[data-type="params"]');
  if (params) return JSON.parse(params.value || "{}") as unknown;
  const out: Record<string, unknown> = {};
  for (const el of form.querySelectorAll<HTMLInputElement>("[data-type]")) {
    const t = el.dataset.type;
    if (t === "boolean") setOwn(out, el.name, el.checked);
    else if (el.value === "") continue;
    else if (t === "number") setOwn(out, el.name, Number(el.value));
    else if (t === "enum" || t === "json") setOwn(out, el.name, JSON.parse(el.value) as unknown);
    else setOwn(out, el.name, el.value);
  }
  return out;
}

async function definitionPage(name: string): Promise<void> {
  const [d, graph, instances] = await Promise.all([
    api<{ name: string; description: string; hash: string; input: Schema | null; source?: string }>("GET", `/workflows/${encodeURIComponent(name)}`),
    api<Graph>("GET", `/workflows/${encodeURIComponent(name)}/graph`),
    api<Array<{ id: string; status: string; created: string }>>("GET", `/workflows/${encodeURIComponent(name)}/instances`),
  ]);
  const lines = (d.source ?? "").split("\n");
  main().innerHTML = `<h1>${esc(d.name)}</h1><p>${esc(d.description)} <code>${esc(d.hash)}</code></p>
    <div class="cols"><section class="graph">${renderGraph(graph)}</section>
    <section><h2>Start</h2>${startForm(d.input)}<h2>Recent instances</h2><table class="list" id="instances"><tbody>${instances
      .map((i) => `<tr><td><a href="#/instances/${encodeURIComponent(i.id)}">${esc(i.id)}</a></td><td class="status-${esc(i.status)}">${esc(i.status)}</td><td>${esc(i.created)}</td></tr>`)
      .join("")}</tbody></table></section></div>
    <h2>Input schema</h2><pre class="json">${pretty(d.input)}</pre>
    <h2>Definition</h2><pre class="yaml">${lines.map((l, i) => `<span class="ln">${i + 1}</span>${esc(l)}`).join("\n")}</pre>`;
  $<HTMLFormElement>("#start")!.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      try {
        const started = await api<{ id: string }>("POST", `/workflows/${encodeURIComponent(name)}`, readForm(ev.target as HTMLFormElement));
        location.hash = `#/instances/${encodeURIComponent(started.id)}`;
      } catch (e) {
        showError(e);
      }
    })();
  });
}

interface HistoryNode {
  path: string;
  kind: string;
  name: string;
  step: string;
  state: string;
  attempts: number;
  started: string;
  ended: string | null;
  error?: { name: string; message: string };
}
interface HistoryAnswer {
  id: string;
  name: string;
  status: string;
  waitingFor: unknown;
  nodes: HistoryNode[];
  events: Array<{ type: string; output?: unknown; error?: unknown }>;
  graph: Graph;
  input: unknown;
}

/** The latest state of each drawn node (a node in a loop shows its latest iteration). */
function statesOf(nodes: HistoryNode[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of nodes) m.set(n.path, n.state);
  return m;
}

async function instancePage(id: string): Promise<void> {
  const h = await api<HistoryAnswer>("GET", `/instances/${encodeURIComponent(id)}/history`);
  const status = await api<{ status: string; output: unknown; error: unknown; waitingFor: unknown }>("GET", `/instances/${encodeURIComponent(id)}`);
  main().innerHTML = `<h1>${esc(h.name)} <small>${esc(id)}</small></h1>
    <p>Status: <b id="status" class="status-${esc(status.status)}">${esc(status.status)}</b> <span id="waiting"></span></p>
    <div class="actions">
      <form id="event"><input name="type" placeholder="event type" required><input name="payload" placeholder='payload JSON, e.g. {"by":"Ada"}'><button>Send event</button></form>
      <button data-op="pause">Pause</button><button data-op="resume">Resume</button>
      <button data-op="terminate">Terminate</button><label><input type="checkbox" id="compensate"> with compensation</label>
      <select id="from"><option value="">restart from the start</option>${h.graph.nodes
        .filter((n) => n.path)
        .map((n) => `<option value="${esc(n.path!)}">${esc(n.label)} (${esc(n.path!)})</option>`)
        .join("")}</select><button data-op="restart">Restart</button>
    </div>
    <div class="cols"><section class="graph" id="graph">${renderGraph(h.graph)}</section>
    <section><h2>Timeline</h2><table class="list" id="timeline"><thead><tr><th>step</th><th>state</th><th>attempts</th><th>started</th><th>duration</th></tr></thead><tbody></tbody></table></section></div>
    <h2>Input</h2><pre class="json">${pretty(h.input)}</pre>
    <h2>Output</h2><pre class="json" id="output"></pre>
    <h2>Error</h2><pre class="json" id="err"></pre>`;
  const update = async (): Promise<void> => {
    const [hist, s] = await Promise.all([api<HistoryAnswer>("GET", `/instances/${encodeURIComponent(id)}/history`), api<{ status: string; output: unknown; error: unknown; waitingFor: unknown }>("GET", `/instances/${encodeURIComponent(id)}`)]);
    paintStates($<HTMLElement>("#graph")!, statesOf(hist.nodes));
    const st = $<HTMLElement>("#status")!;
    st.textContent = s.status;
    st.className = `status-${s.status}`;
    $<HTMLElement>("#waiting")!.textContent = s.waitingFor ? `waiting for ${JSON.stringify(s.waitingFor)}` : "";
    $<HTMLElement>("#output")!.textContent = JSON.stringify(s.output, null, 2);
    $<HTMLElement>("#err")!.textContent = JSON.stringify(s.error, null, 2);
    $<HTMLElement>("#timeline tbody")!.innerHTML = hist.nodes
      .map((n) => {
        const ms = n.ended ? Date.parse(n.ended) - Date.parse(n.started) : Date.now() - Date.parse(n.started);
        return `<tr data-node="${esc(n.path)}"><td>${esc(n.step)}</td><td class="state-${esc(n.state)}">${esc(n.state)}</td><td>${n.attempts}</td><td>${esc(n.started.slice(11, 23))}</td><td>${ms} ms${n.ended ? "" : "…"}</td></tr>`;
      })
      .join("");
  };
  await update();
  for (const b of document.querySelectorAll<HTMLButtonElement>("button[data-op]")) {
    b.addEventListener("click", () => {
      const op = b.dataset.op!;
      const body = op === "terminate" ? { compensate: $<HTMLInputElement>("#compensate")!.checked } : op === "restart" && $<HTMLSelectElement>("#from")!.value ? { from: $<HTMLSelectElement>("#from")!.value } : undefined;
      api("POST", `/instances/${encodeURIComponent(id)}/${op}`, body).then(() => setTimeout(() => void update(), 300), showError);
    });
  }
  $<HTMLFormElement>("#event")!.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = ev.target as HTMLFormElement;
    const type = (f.elements.namedItem("type") as HTMLInputElement).value;
    const raw = (f.elements.namedItem("payload") as HTMLInputElement).value;
    let payload: unknown = null;
    try {
      payload = raw ? (JSON.parse(raw) as unknown) : null;
    } catch {
      showError(new Error("The payload is not JSON."));
      return;
    }
    api("POST", `/instances/${encodeURIComponent(id)}/events/${encodeURIComponent(type)}`, payload).catch(showError);
  });
  follow(id, update);
}

/** Reads the Server-Sent Events stream with fetch (a header, not the URL, carries the token). */
function follow(id: string, onEvent: () => Promise<void>): void {
  const controller = new AbortController();
  stopFollowing = () => controller.abort();
  let pending: ReturnType<typeof setTimeout> | undefined;
  const soon = (): void => {
    clearTimeout(pending);
    pending = setTimeout(() => void onEvent().catch(() => undefined), 100);
  };
  void (async () => {
    try {
      const res = await fetch(`/instances/${encodeURIComponent(id)}/history?follow=true`, { headers: { authorization: `Bearer ${token()}` }, signal: controller.signal });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buf = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        if (buf.includes("\n\n")) {
          buf = buf.slice(buf.lastIndexOf("\n\n") + 2);
          soon();
        }
      }
      soon();
    } catch {
      /* navigated away */
    }
  })();
}

async function route(): Promise<void> {
  stopFollowing?.();
  stopFollowing = undefined;
  $<HTMLElement>("#error")!.hidden = true;
  const hash = location.hash || "#/";
  const parts = hash.slice(2).split("/").map(decodeURIComponent);
  try {
    if (!token()) {
      askToken();
      main().innerHTML = "<p>Enter the API token to see the workflows.</p>";
      return;
    }
    if (parts[0] === "workflows" && parts[1]) await definitionPage(parts[1]);
    else if (parts[0] === "instances" && parts[1]) await instancePage(parts[1]);
    else await definitionsPage();
  } catch (e) {
    showError(e);
  }
}

function start(): void {
  const input = $<HTMLInputElement>("input[name=token]")!;
  input.value = token();
  $<HTMLElement>("#token")!.hidden = token() !== "";
  $<HTMLFormElement>("#token-form")!.addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    $<HTMLElement>("#token")!.hidden = true;
    void route();
  });
  window.addEventListener("hashchange", () => void route());
  void route();
}

// The bench measures the layout of large graphs in the browser through this.
(window as unknown as { flowdsl: unknown }).flowdsl = { renderGraph };
start();
