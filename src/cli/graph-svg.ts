// The picture as SVG: dagre (a maintained graph layout library) places nodes and routes edges;
// this file only draws what it computed. Each drawn node carries data-node (its path),
// data-name and data-state, as the web page's will.
import dagre from "@dagrejs/dagre";
import type { Graph, Shape } from "../model/graph.js";

const CHAR_WIDTH = 7;
const NODE_HEIGHT = 36;
const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function toSvg(graph: Graph): string {
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
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" font-family="sans-serif" font-size="12">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
  ];
  graph.edges.forEach((e, i) => {
    const le = g.edge({ v: e.from, w: e.to, name: `e${i}` }) as { points: Array<{ x: number; y: number }>; x?: number; y?: number };
    const d = le.points.map((p, j) => `${j === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    out.push(`<path d="${d}" fill="none" stroke="#555" stroke-width="1.2"${e.dashed ? ' stroke-dasharray="5,4"' : ""} marker-end="url(#arrow)"/>`);
    if (e.label && le.x !== undefined && le.y !== undefined) out.push(`<text x="${le.x.toFixed(1)}" y="${(le.y + 4).toFixed(1)}" text-anchor="middle" fill="#333" font-size="10">${esc(e.label)}</text>`);
  });
  for (const n of graph.nodes) {
    const ln = g.node(n.id) as { x: number; y: number; width: number; height: number };
    const x = ln.x - ln.width / 2;
    const y = ln.y - ln.height / 2;
    out.push(`<g class="node" data-node="${esc(n.path ?? n.id)}" data-name="${esc(n.name)}" data-state="pending">${shapeOf(n.shape, x, y, ln.width, ln.height)}<text x="${ln.x.toFixed(1)}" y="${(ln.y + 4).toFixed(1)}" text-anchor="middle">${esc(n.label)}</text></g>`);
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}

function shapeOf(shape: Shape, x: number, y: number, w: number, h: number): string {
  const style = 'fill="#f4f6fb" stroke="#3b4a6b" stroke-width="1.2"';
  const cx = x + w / 2;
  const cy = y + h / 2;
  switch (shape) {
    case "start":
    case "end":
      return `<circle cx="${cx}" cy="${cy}" r="${h / 2}" fill="#f4f6fb" stroke="#3b4a6b" stroke-width="${shape === "end" ? 3 : 1.2}"/>`;
    case "decision":
      return `<polygon points="${cx},${y} ${x + w},${cy} ${cx},${y + h} ${x},${cy}" ${style}/>`;
    case "loop":
      return `<polygon points="${x + 10},${y} ${x + w - 10},${y} ${x + w},${cy} ${x + w - 10},${y + h} ${x + 10},${y + h} ${x},${cy}" ${style}/>`;
    case "wait":
      return `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${h / 2}" ${style}/>`;
    case "fork":
    case "join":
      return `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="2" fill="#e8ecf5" stroke="#3b4a6b" stroke-width="2"/>`;
    case "stop":
      return `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" fill="#fbeaea" stroke="#8a2b2b" stroke-width="1.2"/>`;
    case "child":
      return `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" ${style} stroke-dasharray="4,2"/>`;
    default:
      return `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" ${style}/>`;
  }
}
