// The picture as SVG: dagre (a maintained graph layout library) places nodes and routes edges;
// this file only draws what it computed. The drawing is a tree of elements (tag, attributes,
// text), never markup: the CLI serializes it with escaping (toSvg), and the web page builds DOM
// nodes from it, so a node name is always text (docs/reference.md, "Hostile input"). Each drawn
// node carries data-node (its path), data-name and data-state.
import dagre from "@dagrejs/dagre";
import type { Graph, Shape } from "../model/graph.js";

const CHAR_WIDTH = 7;
const NODE_HEIGHT = 36;
export const SVG_NS = "http://www.w3.org/2000/svg";

/** One SVG element: attributes are values, `text` is character data; neither is ever parsed. */
export interface SvgElement {
  tag: string;
  attrs: Readonly<Record<string, string>>;
  children?: readonly SvgElement[];
  text?: string;
}

const el = (tag: string, attrs: Record<string, string | number>, children?: SvgElement[], text?: string): SvgElement => ({
  tag,
  attrs: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, String(v)])),
  ...(children ? { children } : {}),
  ...(text !== undefined ? { text } : {}),
});

/** Lays out the graph and draws it as an element tree. */
export function drawGraph(graph: Graph): SvgElement {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 30, ranksep: 40, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) {
    const round = n.shape === "start" || n.shape === "end";
    g.setNode(n.id, { width: round ? 56 : Math.max(80, n.label.length * CHAR_WIDTH + 28), height: round ? 56 : NODE_HEIGHT });
  }
  graph.edges.forEach((e, i) => g.setEdge(e.from, e.to, { label: e.label ?? "", width: e.label ? e.label.length * 6 + 8 : 0, height: e.label ? 14 : 0, labelpos: "c" }, `e${i}`));
  dagre.layout(g);
  const { width = 0, height = 0 } = g.graph();
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  const children: SvgElement[] = [el("defs", {}, [el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, [el("path", { d: "M0,0 L10,5 L0,10 z", fill: "#555" })])])];
  graph.edges.forEach((e, i) => {
    const le = g.edge({ v: e.from, w: e.to, name: `e${i}` }) as { points: Array<{ x: number; y: number }>; x?: number; y?: number };
    const d = le.points.map((p, j) => `${j === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    children.push(el("path", { d, fill: "none", stroke: "#555", "stroke-width": 1.2, ...(e.dashed ? { "stroke-dasharray": "5,4" } : {}), "marker-end": "url(#arrow)" }));
    if (e.label && le.x !== undefined && le.y !== undefined) children.push(el("text", { x: le.x.toFixed(1), y: (le.y + 4).toFixed(1), "text-anchor": "middle", fill: "#333", "font-size": 10 }, undefined, e.label));
  });
  for (const n of graph.nodes) {
    const ln = g.node(n.id) as { x: number; y: number; width: number; height: number };
    const x = ln.x - ln.width / 2;
    const y = ln.y - ln.height / 2;
    const label = el("text", { x: ln.x.toFixed(1), y: (ln.y + 4).toFixed(1), "text-anchor": "middle" }, undefined, n.label);
    children.push(el("g", { class: "node", "data-node": n.path ?? n.id, "data-name": n.name, "data-state": "pending" }, [shapeOf(n.shape, x, y, ln.width, ln.height), label]));
  }
  return el("svg", { xmlns: SVG_NS, width: w, height: h, viewBox: `0 0 ${w} ${h}`, "font-family": "sans-serif", "font-size": 12 }, children);
}

const escapeText = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeAttr = (s: string): string => escapeText(s).replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/** The element tree as SVG text (the CLI's `--format svg`, and the README's pictures). */
export function serializeSvg(e: SvgElement, depth = 0): string {
  const attrs = Object.entries(e.attrs).map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join("");
  const inner = (e.children ?? []).map((c) => serializeSvg(c, depth + 1)).join(depth === 0 ? "\n" : "") + (e.text !== undefined ? escapeText(e.text) : "");
  if (inner === "") return `<${e.tag}${attrs}/>`;
  return depth === 0 ? `<${e.tag}${attrs}>\n${inner}\n</${e.tag}>` : `<${e.tag}${attrs}>${inner}</${e.tag}>`;
}

export function toSvg(graph: Graph): string {
  return serializeSvg(drawGraph(graph)) + "\n";
}

function shapeOf(shape: Shape, x: number, y: number, w: number, h: number): SvgElement {
  const style = { fill: "#f4f6fb", stroke: "#3b4a6b", "stroke-width": 1.2 };
  const cx = x + w / 2;
  const cy = y + h / 2;
  switch (shape) {
    case "start":
    case "end":
      return el("circle", { cx, cy, r: h / 2, fill: "#f4f6fb", stroke: "#3b4a6b", "stroke-width": shape === "end" ? 3 : 1.2 });
    case "decision":
      return el("polygon", { points: `${cx},${y} ${x + w},${cy} ${cx},${y + h} ${x},${cy}`, ...style });
    case "loop":
      return el("polygon", { points: `${x + 10},${y} ${x + w - 10},${y} ${x + w},${cy} ${x + w - 10},${y + h} ${x + 10},${y + h} ${x},${cy}`, ...style });
    case "wait":
      return el("rect", { x, y, width: w, height: h, rx: h / 2, ...style });
    case "fork":
    case "join":
      return el("rect", { x, y, width: w, height: h, rx: 2, fill: "#e8ecf5", stroke: "#3b4a6b", "stroke-width": 2 });
    case "stop":
      return el("rect", { x, y, width: w, height: h, rx: 4, fill: "#fbeaea", stroke: "#8a2b2b", "stroke-width": 1.2 });
    case "child":
      return el("rect", { x, y, width: w, height: h, rx: 4, ...style, "stroke-dasharray": "4,2" });
    default:
      return el("rect", { x, y, width: w, height: h, rx: 4, ...style });
  }
}
