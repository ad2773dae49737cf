// The picture of a definition (docs/reference.md, "Pictures"), from the model alone: one drawn
// node per model node (same path), flow edges in order, switch cases with their conditions,
// loops with their way back, parallel and race branches meeting again, catch handlers and
// compensations as dashed edges, child workflows. Renderers (Mermaid, DOT, SVG) only format it.
import type { DefinitionModel, ModelList, ModelNode, Shape } from "./model.js";

export type { Shape } from "./model.js";

export interface GraphNode {
  id: string;
  /** The model node's JSON pointer; null for start, end, joins and child definitions. */
  path: string | null;
  kind: string;
  name: string;
  label: string;
  shape: Shape;
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  /** Dashed: not the normal flow (an error handler, a compensation, a child's start). */
  dashed: boolean;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Where flow comes from into the next node: a node id and the label its edge carries. */
type Exit = { from: string; label?: string; dashed?: boolean };

export function graphOf(model: DefinitionModel): Graph {
  const nodes: GraphNode[] = [{ id: "start", path: null, kind: "start", name: "start", label: "start", shape: "start" }];
  const edges: GraphEdge[] = [];
  const connect = (exits: Exit[], to: string): void => {
    for (const e of exits) edges.push({ from: e.from, to, dashed: e.dashed === true, ...(e.label !== undefined ? { label: e.label } : {}) });
  };
  const add = (m: ModelNode): string => {
    const id = m.id;
    nodes.push({ id, path: m.id, kind: m.kind, name: m.name, label: `${m.kind}: ${m.name}`, shape: m.picture.shape ?? "step" });
    return id;
  };
  const children = new Set<string>();

  const flow = (list: ModelList, entry: Exit[]): Exit[] => {
    let exits = entry;
    for (const m of list.nodes) {
      const id = add(m);
      connect(exits, id);
      exits = nodeExits(m, id);
    }
    return exits;
  };

  const nodeExits = (m: ModelNode, id: string): Exit[] => {
    for (const e of m.edges) if (e.edge === "compensation") flow(e.list, [{ from: id, label: "undo", dashed: true }]);
    const pic = m.picture;
    if (pic.child) {
      const child = `workflow:${pic.child.definition}`;
      if (!children.has(child)) {
        children.add(child);
        nodes.push({ id: child, path: null, kind: "child", name: pic.child.definition, label: `workflow ${pic.child.definition}`, shape: "child" });
      }
      edges.push({ from: id, to: child, label: pic.child.wait ? "start, wait" : "start", dashed: true });
    }
    // The node's own child lists (not its compensation, drawn above).
    const lists = m.edges.filter((e) => e.edge !== "compensation");
    switch (pic.flow ?? "next") {
      case "choice": {
        const out: Exit[] = [];
        for (const e of lists) out.push(...flowOrSkip(e.list, { from: id, label: e.edge === "default" ? "default" : typeof e.when === "string" ? e.when : String(e.when) }));
        if (!lists.some((e) => e.edge === "default")) out.push({ from: id, label: "else" });
        return out;
      }
      case "loop": {
        const body = lists.find((e) => e.edge === "body");
        if (body) connect(flow(body.list, [{ from: id, ...(pic.label !== undefined ? { label: pic.label } : {}) }]), id);
        return [{ from: id, label: "done" }];
      }
      case "fork": {
        const join = `${id}/join`;
        nodes.push({ id: join, path: null, kind: "join", name: m.name, label: pic.label ?? "", shape: "join" });
        for (const e of lists) connect(flowOrSkip(e.list, { from: id, label: e.label ?? "" }), join);
        return [{ from: join }];
      }
      case "try": {
        const [steps, ...handlers] = lists;
        const out = steps ? flowOrSkip(steps.list, { from: id }) : [{ from: id }];
        for (const h of handlers) out.push(...flowOrSkip(h.list, { from: id, label: `catch ${h.errors?.join(", ") ?? "any"}`, dashed: true }));
        return out;
      }
      case "stop":
        return [];
      case "next":
        return [{ from: id }];
    }
  };

  /** A list's exits, or the entry itself when the list is empty. */
  const flowOrSkip = (list: ModelList, entry: Exit): Exit[] => (list.nodes.length === 0 ? [entry] : flow(list, [entry]));

  const end = flow(model.root, [{ from: "start" }]);
  nodes.push({ id: "end", path: null, kind: "end", name: "end", label: "end", shape: "end" });
  connect(end, "end");
  return { nodes, edges };
}

/** Mermaid flowchart (renders on GitHub). Ids are n0, n1 …; labels quoted and escaped. */
export function toMermaid(g: Graph): string {
  const short = new Map(g.nodes.map((n, i) => [n.id, `n${i}`]));
  const q = (s: string): string => `"${s.replace(/"/g, "#quot;").replace(/\n/g, " ")}"`;
  const shape = (n: GraphNode): string => {
    const l = q(n.label);
    switch (n.shape) {
      case "start":
      case "end":
        return `((${l}))`;
      case "decision":
        return `{${l}}`;
      case "loop":
        return `{{${l}}}`;
      case "fork":
      case "join":
        return `[/${l}\\]`;
      case "wait":
        return `([${l}])`;
      case "child":
        return `[[${l}]]`;
      case "stop":
        return `>${l}]`;
      default:
        return `[${l}]`;
    }
  };
  const lines = ["flowchart TD", ...g.nodes.map((n) => `  ${short.get(n.id)}${shape(n)}`)];
  for (const e of g.edges) {
    const arrow = e.dashed ? "-.->" : "-->";
    lines.push(`  ${short.get(e.from)} ${arrow}${e.label ? `|${q(e.label)}|` : ""} ${short.get(e.to)}`);
  }
  return lines.join("\n") + "\n";
}

/** Graphviz DOT. */
export function toDot(g: Graph, name: string): string {
  const q = (s: string): string => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  const SHAPE: Record<Shape, string> = { start: "circle", end: "doublecircle", step: "box", decision: "diamond", loop: "hexagon", fork: "trapezium", join: "invtrapezium", wait: "box", child: "box3d", stop: "octagon" };
  const lines = [`digraph ${q(name)} {`, "  rankdir=TB;", '  node [fontname="sans-serif", fontsize=11];', '  edge [fontname="sans-serif", fontsize=10];'];
  for (const n of g.nodes) lines.push(`  ${q(n.id)} [label=${q(n.label)}, shape=${SHAPE[n.shape]}${n.shape === "wait" ? ', style="rounded"' : ""}];`);
  for (const e of g.edges) lines.push(`  ${q(e.from)} -> ${q(e.to)} [${[e.label ? `label=${q(e.label)}` : "", e.dashed ? "style=dashed" : ""].filter(Boolean).join(", ")}];`);
  lines.push("}");
  return lines.join("\n") + "\n";
}
