// Which variables each expression can see (docs/reference.md, "Variables"), by the rules the
// interpreter applies: a list shares its scope with later siblings; switch cases, try, catch
// and repeat bodies write into the enclosing scope; foreach iterations, parallel and race
// branches and compensations work on a copy. A variable counts as known at a point when some
// path through the definition can have set it there (a `switch` case, an `if`ed node).
import type { ExprField } from "../nodes/types.js";
import type { DefinitionModel, ModelList, ModelNode } from "./model.js";

/** Bound for the whole run. */
export const ROOT_VARIABLES = ["input", "workflow"] as const;
/** Variables flowdsl binds in some places only (and what they are, for messages). */
export const PLACE_VARIABLES: Readonly<Record<string, string>> = {
  response: "the HTTP response, inside an http node's `result`",
  result: "a node's result, inside its `compensate` steps (and a foreach's `collect`)",
  error: "the caught error, inside a `catch` handler",
  attempt: "the iteration number, inside a `repeat`",
};

export interface FieldScope {
  /** The node whose field it is; undefined for the definition's `output`. */
  node: ModelNode | undefined;
  field: ExprField;
  known: ReadonlySet<string>;
}

const writesCache = new WeakMap<ModelList, ReadonlySet<string>>();

/** Names a list writes into the scope it runs in (its own and its shared children's). */
export function writesOf(list: ModelList): ReadonlySet<string> {
  let w = writesCache.get(list);
  if (w) return w;
  const out = new Set<string>();
  for (const m of list.nodes) {
    if (m.as !== undefined) out.add(m.as);
    for (const d of m.declares) if (d.scope === "after") out.add(d.name);
    for (const e of m.edges) {
      if (e.scope !== "shared") continue;
      for (const b of e.binds) out.add(b);
      for (const x of writesOf(e.list)) out.add(x);
    }
  }
  w = out;
  writesCache.set(list, w);
  return w;
}

/** Every expression field of the definition with the variables known where it is evaluated. */
export function fieldScopes(model: DefinitionModel, output: unknown): FieldScope[] {
  const out: FieldScope[] = [];
  const known = new Set<string>(ROOT_VARIABLES);
  walk(model.root, known, out);
  for (const x of writesOf(model.root)) known.add(x);
  if (output !== undefined) out.push({ node: undefined, field: { at: ["output"], value: output, mode: "template", inStep: false }, known });
  return out;
}

function walk(list: ModelList, outer: ReadonlySet<string>, out: FieldScope[]): void {
  const known = new Set(outer);
  for (const m of list.nodes) {
    if (m.if !== undefined) out.push({ node: m, field: { at: ["if"], value: m.if, mode: "expression", inStep: false }, known: new Set(known) });
    let bodyWrites: ReadonlySet<string> = new Set();
    const sequence = m.edges.find((e) => e.edge === "sequence");
    for (const e of m.edges) {
      const base = new Set(known);
      for (const b of e.binds) base.add(b);
      // A compensation sees the scope as it was after its node, `as` included.
      if (e.edge === "compensation" && m.as !== undefined) base.add(m.as);
      // A catch handler runs after some of the try's steps did.
      if (e.edge === "catch" && sequence) for (const x of writesOf(sequence.list)) base.add(x);
      // A loop body sees, from its second iteration on, what the body itself wrote.
      if (e.loop && e.scope === "shared") for (const x of writesOf(e.list)) base.add(x);
      walk(e.list, base, out);
      if (e.edge === "body") bodyWrites = new Set([...e.binds, ...writesOf(e.list)]);
    }
    for (const f of m.expressions) {
      const s = new Set(known);
      for (const v of f.sees ?? []) s.add(v);
      if (f.seesBody) for (const v of bodyWrites) s.add(v);
      out.push({ node: m, field: f, known: s });
    }
    for (const e of m.edges) {
      if (e.scope !== "shared") continue;
      for (const b of e.binds) known.add(b);
      for (const x of writesOf(e.list)) known.add(x);
    }
    for (const d of m.declares) if (d.scope === "after") known.add(d.name);
    if (m.as !== undefined) known.add(m.as);
  }
}

/** Nodes that set a variable anywhere (for "it is set by …, but not before this point"). */
export function settersOf(model: DefinitionModel, name: string): ModelNode[] {
  return model.nodes.filter((m) => m.as === name || m.declares.some((d) => d.name === name) || m.edges.some((e) => e.binds.includes(name)));
}
