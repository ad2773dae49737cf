// The web page (docs/reference.md, "The web page"): plain DOM, no framework, bundled into the
// Worker by the build (no CDN). Hash routes: #/ (definitions), #/workflows/<name>,
// #/instances/<id>. The token is asked once, kept in sessionStorage, sent as a header, never
// put in a URL; so the live stream is read with fetch (EventSource cannot send headers).
//
// No markup is ever built from data: every element is made with createElement, every value
// goes in as an attribute or a text node (docs/reference.md, "Hostile input"). The CSP allows
// only this script, by its hash.
import { drawGraph, SVG_NS } from "../cli/graph-svg.js";
import type { SvgElement } from "../cli/graph-svg.js";
import type { Graph } from "../model/graph.js";
import { setOwn } from "../core/own.js";

const TOKEN_KEY = "flowdsl-token";
const $ = <T extends Element>(sel: string, root: ParentNode = document): T | null => root.querySelector<T>(sel);
const main = (): HTMLElement => $<HTMLElement>("main")!;

let stopFollowing: (() => void) | undefined;

type Child = Node | string | null | undefined | false;
/** An element with attributes (values, never markup) and children (strings become text nodes). */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === undefined) continue;
    e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}
const json = (v: unknown): string => JSON.stringify(v, null, 2) ?? "null";
const show = (...nodes: Node[]): void => main().replaceChildren(...nodes);

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

function svgNode(e: SvgElement): SVGElement {
  const node = document.createElementNS(SVG_NS, e.tag);
  for (const [k, v] of Object.entries(e.attrs)) if (k !== "xmlns") node.setAttribute(k, v);
  for (const c of e.children ?? []) node.append(svgNode(c));
  if (e.text !== undefined) node.append(e.text);
  return node;
}

/** Lays out and draws a graph (dagre) as DOM nodes; each drawn node is marked with its state later. */
export function renderGraph(graph: Graph): SVGElement {
  return svgNode(drawGraph(graph));
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
  const rows = defs.map((d) => h("tr", {}, h("td", {}, h("a", { href: `#/workflows/${encodeURIComponent(d.name)}` }, d.name)), h("td", {}, d.description)));
  show(h("h1", {}, "Workflows"), h("table", { class: "list" }, h("thead", {}, h("tr", {}, h("th", {}, "name"), h("th", {}, "description"))), h("tbody", {}, ...rows)));
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
function startForm(schema: Schema | null): HTMLFormElement {
  const props = schema?.properties ?? {};
  const required = new Set(schema?.required ?? []);
  const fields = Object.entries(props).map(([k, p], i) => {
    const type = Array.isArray(p.type) ? p.type[0] : p.type;
    const id = `f-${i}`;
    const req = required.has(k);
    let input: HTMLElement;
    if (p.enum) input = h("select", { id, name: k, "data-type": "enum" }, ...p.enum.map((v) => h("option", { value: JSON.stringify(v) }, String(v))));
    else if (type === "boolean") input = h("input", { type: "checkbox", id, name: k, "data-type": "boolean" });
    else if (type === "number" || type === "integer") input = h("input", { type: "number", id, name: k, "data-type": "number", step: type === "integer" ? "1" : undefined, required: req });
    else if (type === "string") input = h("input", { type: "text", id, name: k, "data-type": "string", required: req });
    else input = h("textarea", { id, name: k, "data-type": "json", rows: "3", placeholder: "JSON" });
    return h("div", { class: "field" }, h("label", { for: id }, k + (req ? " *" : "")), input, p.description ? h("small", {}, p.description) : null);
  });
  const free = Object.keys(props).length === 0 ? h("div", { class: "field" }, h("label", { for: "f-params" }, "params (JSON)"), h("textarea", { id: "f-params", name: "__params", "data-type": "params", rows: "4" }, "{}")) : null;
  return h("form", { id: "start" }, ...fields, free, h("button", { type: "submit" }, "Start"));
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

/** The YAML with a line number before each line, all of it text. */
function numberedSource(source: string): HTMLPreElement {
  const pre = h("pre", { class: "yaml" });
  source.split("\n").forEach((line, i) => {
    if (i > 0) pre.append("\n");
    pre.append(h("span", { class: "ln" }, String(i + 1)), line);
  });
  return pre;
}

async function definitionPage(name: string): Promise<void> {
  const [d, graph, instances] = await Promise.all([
    api<{ name: string; description: string; hash: string; input: Schema | null; source?: string }>("GET", `/workflows/${encodeURIComponent(name)}`),
    api<Graph>("GET", `/workflows/${encodeURIComponent(name)}/graph`),
    api<Array<{ id: string; status: string; created: string }>>("GET", `/workflows/${encodeURIComponent(name)}/instances`),
  ]);
  const form = startForm(d.input);
  const recent = instances.map((i) => h("tr", {}, h("td", {}, h("a", { href: `#/instances/${encodeURIComponent(i.id)}` }, i.id)), h("td", { class: `status-${i.status}` }, i.status), h("td", {}, i.created)));
  show(
    h("h1", {}, d.name),
    h("p", {}, d.description, " ", h("code", {}, d.hash)),
    h("div", { class: "cols" }, h("section", { class: "graph" }, renderGraph(graph)), h("section", {}, h("h2", {}, "Start"), form, h("h2", {}, "Recent instances"), h("table", { class: "list", id: "instances" }, h("tbody", {}, ...recent)))),
    h("h2", {}, "Input schema"),
    h("pre", { class: "json" }, json(d.input)),
    h("h2", {}, "Definition"),
    numberedSource(d.source ?? ""),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      try {
        const started = await api<{ id: string }>("POST", `/workflows/${encodeURIComponent(name)}`, readForm(form));
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
type StatusAnswer = { status: string; output: unknown; error: unknown; waitingFor: unknown };

/** The latest state of each drawn node (a node in a loop shows its latest iteration). */
function statesOf(nodes: HistoryNode[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of nodes) m.set(n.path, n.state);
  return m;
}

function timelineRow(n: HistoryNode): HTMLTableRowElement {
  const ms = n.ended ? Date.parse(n.ended) - Date.parse(n.started) : Date.now() - Date.parse(n.started);
  return h("tr", { "data-node": n.path }, h("td", {}, n.step), h("td", { class: `state-${n.state}` }, n.state), h("td", {}, String(n.attempts)), h("td", {}, n.started.slice(11, 23)), h("td", {}, `${ms} ms${n.ended ? "" : "…"}`));
}

async function instancePage(id: string): Promise<void> {
  const hist = await api<HistoryAnswer>("GET", `/instances/${encodeURIComponent(id)}/history`);
  const status = await api<StatusAnswer>("GET", `/instances/${encodeURIComponent(id)}`);
  const op = (name: string, label: string) => h("button", { "data-op": name }, label);
  const from = h("select", { id: "from" }, h("option", { value: "" }, "restart from the start"), ...hist.graph.nodes.filter((n) => n.path).map((n) => h("option", { value: n.path! }, `${n.label} (${n.path!})`)));
  const eventForm = h("form", { id: "event" }, h("input", { name: "type", placeholder: "event type", required: true }), h("input", { name: "payload", placeholder: 'payload JSON, e.g. {"by":"Ada"}' }), h("button", {}, "Send event"));
  show(
    h("h1", {}, hist.name, " ", h("small", {}, id)),
    h("p", {}, "Status: ", h("b", { id: "status", class: `status-${status.status}` }, status.status), " ", h("span", { id: "waiting" })),
    h("div", { class: "actions" }, eventForm, op("pause", "Pause"), op("resume", "Resume"), op("terminate", "Terminate"), h("label", {}, h("input", { type: "checkbox", id: "compensate" }), " with compensation"), from, op("restart", "Restart")),
    h(
      "div",
      { class: "cols" },
      h("section", { class: "graph", id: "graph" }, renderGraph(hist.graph)),
      h("section", {}, h("h2", {}, "Timeline"), h("table", { class: "list", id: "timeline" }, h("thead", {}, h("tr", {}, ...["step", "state", "attempts", "started", "duration"].map((t) => h("th", {}, t)))), h("tbody"))),
    ),
    h("h2", {}, "Input"),
    h("pre", { class: "json" }, json(hist.input)),
    h("h2", {}, "Output"),
    h("pre", { class: "json", id: "output" }),
    h("h2", {}, "Error"),
    h("pre", { class: "json", id: "err" }),
  );
  const update = async (): Promise<void> => {
    const [now, s] = await Promise.all([api<HistoryAnswer>("GET", `/instances/${encodeURIComponent(id)}/history`), api<StatusAnswer>("GET", `/instances/${encodeURIComponent(id)}`)]);
    paintStates($<HTMLElement>("#graph")!, statesOf(now.nodes));
    const st = $<HTMLElement>("#status")!;
    st.textContent = s.status;
    st.className = `status-${s.status}`;
    $<HTMLElement>("#waiting")!.textContent = s.waitingFor ? `waiting for ${JSON.stringify(s.waitingFor)}` : "";
    $<HTMLElement>("#output")!.textContent = JSON.stringify(s.output, null, 2);
    $<HTMLElement>("#err")!.textContent = JSON.stringify(s.error, null, 2);
    $<HTMLElement>("#timeline tbody")!.replaceChildren(...now.nodes.map(timelineRow));
  };
  await update();
  for (const b of document.querySelectorAll<HTMLButtonElement>("button[data-op]")) {
    b.addEventListener("click", () => {
      const name = b.dataset.op!;
      const body = name === "terminate" ? { compensate: $<HTMLInputElement>("#compensate")!.checked } : name === "restart" && from.value ? { from: from.value } : undefined;
      api("POST", `/instances/${encodeURIComponent(id)}/${name}`, body).then(() => setTimeout(() => void update(), 300), showError);
    });
  }
  eventForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const type = (eventForm.elements.namedItem("type") as HTMLInputElement).value;
    const raw = (eventForm.elements.namedItem("payload") as HTMLInputElement).value;
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
      show(h("p", {}, "Enter the API token to see the workflows."));
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
