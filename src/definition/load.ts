// YAML text → plain JSON value plus a source map from JSON paths to file positions.
// Every failure becomes a Diagnostic with a position; nothing here throws on bad input.
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, isAlias, isCollection } from "yaml";
import type { Alias, Document, Node as YamlNode, Pair, Scalar } from "yaml";
import { pointer } from "../errors.js";
import type { DefinitionCode, Diagnostic, Position } from "../errors.js";

/** Definitions are small; a larger file is a mistake or an attack. */
export const MAX_DEFINITION_BYTES = 1024 * 1024;
export const isTooLarge = (bytes: number): boolean => bytes > MAX_DEFINITION_BYTES;
/**
 * How many alias expansions one document may have (the yaml library's alias-bomb guard): 100
 * aliases of a plain value pass, a 101st is refused; an alias of a map or list that itself
 * holds aliases counts as their expansions.
 */
export const MAX_ALIAS_COUNT = 100;
/** The yaml library counts the anchored node itself as one use. */
const YAML_MAX_ALIAS_COUNT = MAX_ALIAS_COUNT + 1;
/** Collections nested deeper than this are refused before anything walks them recursively. */
export const MAX_YAML_DEPTH = 64;

export type PathSegment = string | number;

export interface SourceMap {
  /** Position of the value at `path`; with `key`, of its map key. Falls back to the nearest ancestor. */
  locate(path: readonly PathSegment[], opts?: { key?: boolean }): Position;
  /** Source offset range of the scalar at `path`, with its raw source text. */
  scalar(path: readonly PathSegment[]): { start: number; source: string; node: Scalar } | undefined;
  positionOf(offset: number): Position;
}

export interface Loaded {
  file: string;
  value: unknown;
  map: SourceMap;
  diagnostics: Diagnostic[];
}

function diag(file: string, code: DefinitionCode, message: string, pos: Position, path = ""): Diagnostic {
  return { code, severity: "error", message, file, line: pos.line, col: pos.col, path };
}

const NO_MAP: SourceMap = {
  locate: () => ({ line: 1, col: 1 }),
  scalar: () => undefined,
  positionOf: () => ({ line: 1, col: 1 }),
};

const YAML_CODE: Record<string, DefinitionCode> = {
  DUPLICATE_KEY: "YAML_DUPLICATE_KEY",
  TAB_AS_INDENT: "YAML_TAB_INDENT",
  MULTIPLE_DOCS: "YAML_MULTI_DOCUMENT",
};

export function decodeDefinition(bytes: Uint8Array, file: string): { text?: string; diagnostics: Diagnostic[] } {
  const at1 = { line: 1, col: 1 };
  if (isTooLarge(bytes.byteLength)) {
    return {
      diagnostics: [diag(file, "FILE_TOO_LARGE", `The file has ${bytes.byteLength} bytes; a definition may have at most ${MAX_DEFINITION_BYTES}. Split it into child workflows.`, at1)],
    };
  }
  const nul = bytes.indexOf(0);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { diagnostics: [diag(file, "FILE_NOT_TEXT", "The file is not valid UTF-8 text. Save it as UTF-8 YAML.", at1)] };
  }
  if (nul >= 0) {
    const before = text.slice(0, text.indexOf("\u0000"));
    const line = before.split("\n").length;
    const col = before.length - before.lastIndexOf("\n");
    return { diagnostics: [diag(file, "FILE_NOT_TEXT", "The file contains a NUL byte, so it is binary, not YAML text.", { line, col })] };
  }
  return { text, diagnostics: [] };
}

export function loadDefinition(text: string, file: string): Loaded {
  if (isTooLarge(text.length)) {
    return { file, value: undefined, map: NO_MAP, diagnostics: decodeDefinition(new Uint8Array(text.length), file).diagnostics };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, version: "1.2" });
  const positionOf = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const map = makeSourceMap(doc, text, positionOf);
  const diagnostics: Diagnostic[] = [];
  // Only the first YAML error: the ones after it are mostly cascades of the first.
  const first = doc.errors[0];
  if (first) {
    const code = YAML_CODE[first.code] ?? "YAML_SYNTAX";
    const message = code === "YAML_MULTI_DOCUMENT" ? "The file holds more than one YAML document (a second `---`). Put one definition in each file." : (first.message.split("\n")[0] ?? first.message).replace(/ at line \d+, column \d+:?$/, "") + ".";
    diagnostics.push(diag(file, code, message, positionOf(first.pos[0])));
  }
  if (diagnostics.length > 0) return { file, value: undefined, map, diagnostics };

  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return { file, value: undefined, map, diagnostics: [diag(file, "FILE_EMPTY", "The file has no definition in it. A definition starts with `name:` and `steps:`.", { line: 1, col: 1 })] };
  }
  const deep = findTooDeep(doc.contents);
  if (deep) {
    const pos = positionOf(deep.range?.[0] ?? 0);
    return { file, value: undefined, map, diagnostics: [diag(file, "YAML_TOO_DEEP", `The YAML nests more than ${MAX_YAML_DEPTH} levels deep. Flatten it or move parts into child workflows.`, pos)] };
  }
  if (!isMap(doc.contents)) {
    const what = isSeq(doc.contents) ? "a list" : "a scalar";
    return { file, value: undefined, map, diagnostics: [diag(file, "NOT_A_MAPPING", `The document is ${what}; a definition is a map with \`name:\` and \`steps:\` at the top.`, positionOf(doc.contents.range?.[0] ?? 0))] };
  }
  const cycle = findAliasCycle(doc);
  if (cycle) {
    return { file, value: undefined, map, diagnostics: [diag(file, "YAML_ALIAS_CYCLE", `The alias *${cycle.source} sits inside the value it refers to (&${cycle.source}), so the value would be infinite. Write the value out instead of the alias.`, positionOf(cycle.range?.[0] ?? 0))] };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: YAML_MAX_ALIAS_COUNT });
  } catch (e) {
    const firstAlias = findFirstAlias(doc.contents);
    const pos = positionOf(firstAlias?.range?.[0] ?? 0);
    const msg = e instanceof Error ? e.message : String(e);
    const code: DefinitionCode = /alias/i.test(msg) ? "YAML_ALIAS_LIMIT" : "YAML_SYNTAX";
    return { file, value: undefined, map, diagnostics: [diag(file, code, code === "YAML_ALIAS_LIMIT" ? `Aliases expand past ${MAX_ALIAS_COUNT} (an alias bomb). Write the values out.` : msg, pos)] };
  }
  return { file, value, map, diagnostics };
}

function findTooDeep(root: YamlNode): YamlNode | undefined {
  const stack: Array<[YamlNode, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth > MAX_YAML_DEPTH) return node;
    for (const item of node.items) {
      if (isPair(item)) {
        if (item.value && isCollection(item.value)) stack.push([item.value as YamlNode, depth + 1]);
      } else if (item && isCollection(item)) stack.push([item as YamlNode, depth + 1]);
    }
  }
  return undefined;
}

/** An alias inside the node it refers to (`x: &a { y: *a }`), which would make the value cyclic. */
function findAliasCycle(doc: Document): Alias | undefined {
  const ancestors = new Set<unknown>();
  // Depth first with explicit exits, so the ancestor set is exact and the stack never overflows.
  const stack: Array<{ node: unknown; exit?: true }> = [{ node: doc.contents }];
  while (stack.length > 0) {
    const { node, exit } = stack.pop()!;
    if (exit) {
      ancestors.delete(node);
      continue;
    }
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (target && ancestors.has(target)) return node;
      continue;
    }
    if (isPair(node)) {
      stack.push({ node: node.value }, { node: node.key });
    } else if (isCollection(node)) {
      ancestors.add(node);
      stack.push({ node, exit: true });
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i] });
    }
  }
  return undefined;
}

function findFirstAlias(root: YamlNode): YamlNode | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) return node;
    if (isPair(node)) stack.push(node.value, node.key);
    else if (isCollection(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
  }
  return undefined;
}

function makeSourceMap(doc: Document, text: string, positionOf: (o: number) => Position): SourceMap {
  const walk = (path: readonly PathSegment[]): { node: unknown; key?: unknown; parentKey?: unknown } => {
    let node: unknown = doc.contents;
    let key: unknown;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = (node.items as Pair[]).find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return { node, key };
        key = pair.key;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg];
        if (item === undefined) return { node, key };
        key = undefined;
        node = item;
      } else {
        return { node, key };
      }
    }
    return { node, key };
  };
  const offsetOf = (n: unknown): number | undefined => {
    const r = (n as { range?: [number, number, number] } | null)?.range;
    return r ? r[0] : undefined;
  };
  return {
    positionOf,
    locate(path, opts) {
      const { node, key } = walk(path);
      const off = (opts?.key ? offsetOf(key) : undefined) ?? offsetOf(node) ?? 0;
      return positionOf(off);
    },
    scalar(path) {
      const { node } = walk(path);
      if (!isScalar(node) || !node.range) return undefined;
      return { start: node.range[0], source: text.slice(node.range[0], node.range[1]), node };
    },
  };
}

export { pointer };
