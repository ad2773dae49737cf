// Pure pieces, as tables: step names, durations, step config, outbound safety, templates,
// JSONata guardrails, the error marker, and the schema's completeness.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAX_STEP_NAME_LENGTH, stepName } from "../../src/interpreter/names.js";
import { parseDuration } from "../../src/interpreter/duration.js";
import { stepConfig } from "../../src/interpreter/config.js";
import { checkUrl, isPrivateHost } from "../../src/nodes/http-safety.js";
import { requestUrl } from "../../src/nodes/http.js";
import { evaluate, expressionCompileCount, parseTemplateString, renderTemplate, toPlain, truthy, ExpressionFailure } from "../../src/expressions/template.js";
import { decodeErrorMessage, encodeErrorMessage, isEngineAbort, toFlowError } from "../../src/interpreter/errors.js";
import { childInstanceId } from "../../src/nodes/workflow.js";
import { MAX_PLAIN_WALK_DEPTH, plainJsonBound } from "../../src/interpreter/durable.js";
import { isValidCron } from "../../src/definition/cron.js";

describe("step names", () => {
  it("join node paths", () => expect(stepName(["charge[3]", "notify"])).toBe("charge[3]/notify"));
  it("shorten past 256 characters with a stable hash suffix", () => {
    const long = Array.from({ length: 5 }, (_, i) => String(i).repeat(90));
    const a = stepName(long);
    expect(a).toHaveLength(MAX_STEP_NAME_LENGTH);
    expect(a).toMatch(/~[0-9a-f]{16}$/);
    expect(stepName(long)).toBe(a);
    expect(stepName([...long.slice(0, 4), "4".repeat(89) + "5"])).not.toBe(a);
  });
});

describe("durations", () => {
  it.for([
    [1500, 1500], ["10 seconds", 10_000], ["1 second", 1000], ["2 minutes", 120_000], ["1 hour", 3_600_000], ["7 days", 604_800_000],
    ["1 week", 604_800_000], ["1 month", 2_592_000_000], ["1 year", 31_536_000_000], ["30s", 30_000], ["5m", 300_000], ["24h", 86_400_000],
    ["7d", 604_800_000], ["250ms", 250], ["soon", undefined], ["-5s", undefined], [-1, undefined], ["5 parsecs", undefined],
  ] as const)("%j → %j ms", ([input, ms]) => expect(parseDuration(input)).toBe(ms));
});

describe("step config", () => {
  it("uses Cloudflare's defaults", () => expect(stepConfig({}, undefined)).toEqual({ retries: { limit: 5, delay: 10_000, backoff: "exponential" }, timeout: 600_000 }));
  it("node settings override definition defaults field by field", () =>
    expect(stepConfig({ retries: { limit: 1 }, timeout: "30s" }, { retries: { delay: "2 seconds", backoff: "linear" }, timeout: "5m" })).toEqual({
      retries: { limit: 1, delay: 2000, backoff: "linear" },
      timeout: 30_000,
    }));
});

describe("outbound safety", () => {
  it.for([
    ["127.0.0.1", true], ["127.8.9.10", true], ["10.0.0.1", true], ["172.16.0.1", true], ["172.31.255.255", true], ["172.32.0.1", false],
    ["192.168.1.1", true], ["169.254.169.254", true], ["100.64.0.1", true], ["0.0.0.0", true], ["224.0.0.1", true], ["8.8.8.8", false],
    ["localhost", true], ["api.localhost", true], ["metadata.google.internal", true], ["example.com", false], ["[::1]", true],
    ["[fd00::1]", true], ["[fe80::1]", true], ["[::ffff:127.0.0.1]", true], ["[::ffff:7f00:1]", true], ["[2606:4700::1111]", false],
  ] as const)("%s private: %s", ([host, priv]) => expect(isPrivateHost(host)).toBe(priv));
  it("refuses other schemes even when private hosts are allowed", () => {
    expect(checkUrl(new URL("file:///etc/passwd"), true)).toMatch(/scheme/);
    expect(checkUrl(new URL("http://127.0.0.1/"), true)).toBeUndefined();
    expect(checkUrl(new URL("http://127.0.0.1/"), false)).toMatch(/refused/);
  });
});

describe("templates", () => {
  it.for([
    { t: "plain", b: {}, out: "plain" },
    { t: "{% 1 + 2 %}", b: {}, out: 3 },
    { t: "  {% $x %}  ", b: { x: { a: [1] } }, out: { a: [1] } },
    { t: "n={% $x %}!", b: { x: 5 }, out: "n=5!" },
    { t: "{% $x %}-{% $y %}", b: { x: "a", y: { k: 1 } }, out: 'a-{"k":1}' },
    { t: "missing: {% $nope %}.", b: {}, out: "missing: ." },
    { t: { list: ["{% $x %}", 2], deep: { v: "{% $x * 2 %}" } }, b: { x: 4 }, out: { list: [4, 2], deep: { v: 8 } } },
    { t: "{% $nope %}", b: {}, out: null },
  ])("$t", async ({ t, b, out }) => expect(await renderTemplate(t, b)).toEqual(out));

  it("results are plain JSON, not JSONata's null-prototype objects and sequences", async () => {
    const v = (await evaluate("{ 'a': [1, 2] }", {})) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(JSON.stringify(await evaluate("$map([1,2], function($x){ $x * 2 })", {}))).toBe("[2,4]");
    expect(toPlain({ a: undefined, b: Infinity, c: [undefined, 1] })).toEqual({ b: null, c: [1] });
  });

  it("an unclosed {% is a parse error, not literal text", () => expect(parseTemplateString("a {% b").kind).toBe("error"));
  it("JSONata truthiness", () => expect([0, "", null, false, [], {}, "x", 1, [0, 1], { a: 1 }].map(truthy)).toEqual([false, false, false, false, false, false, true, true, true, true]));

  it("compiles each expression once per isolate", async () => {
    const before = expressionCompileCount();
    for (let i = 0; i < 50; i++) await evaluate("$unique_cache_probe + 1", { unique_cache_probe: i });
    expect(expressionCompileCount() - before).toBe(1);
  });

  it.for([
    { what: "unbounded recursion", expr: "($f := function($n) { 1 + $f($n + 1) }; $f(0))" },
    { what: "a huge range", expr: "[1..200000]" },
    { what: "a huge product of sequences", expr: "($a := [1..1000]; $a.($a))" },
  ])("guardrails stop $what with an ExpressionError", async ({ expr }) => {
    await expect(evaluate(expr, {})).rejects.toBeInstanceOf(ExpressionFailure);
  });
});

describe("an http node's URL with its query", () => {
  // The reference: URLSearchParams.append, as the node did before writing the query itself.
  const reference = (raw: string, query: Record<string, unknown>): string => {
    const u = new URL(raw);
    for (const [k, v] of Object.entries(query)) if (v !== null) u.searchParams.append(k, typeof v === "string" ? v : JSON.stringify(v));
    return u.href;
  };
  it.for([
    ["https://api.example.com/items", { i: 3, q: "a b&c=d+e", tag: "!'()*~-._", uni: "héllo 😀 中" }],
    ["https://api.example.com/items", { obj: { a: [1, "x y"] }, t: true, none: null, empty: "" }],
    ["https://api.example.com/items", { "k e&y=": "v", "%41": "%", "\u0000\n": "\t" }],
    ["https://api.example.com/items?page=2&sort=a b", { i: 1 }],
    ["https://api.example.com/items#frag", { i: 1 }],
    ["  https://api.example.com/items  ", { i: 1 }],
    ["https://api.example.com", { i: 1 }],
    ["https://api.example.com/a/../b/%7e", { x: "y" }],
    ["https://api.example.com/items", { lone: "\ud800x" }],
    ["https://api.example.com/items", {}],
    ["https://api.example.com/items", { only: null }],
  ] as const)("%s with %j", ([raw, query]) => expect(requestUrl(raw, query).href).toBe(reference(raw, query)));
  it("throws for a URL that is not absolute, with or without a query", () => {
    expect(() => requestUrl("/relative", { i: 1 })).toThrow(TypeError);
    expect(() => requestUrl("/relative", null)).toThrow(TypeError);
  });
});

describe("step results that skip the JSON round trip", () => {
  const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });
  const sequence = Object.assign([1, 2], { sequence: true });
  const nullProto = Object.assign(Object.create(null) as object, { a: 1 });
  // Plain values: a round trip gives an equal value back and the bound covers the real size.
  it.for([
    null, true, 0, 1.5e-300, -12, "", "héllo \u0000 \ud83d\ude00", [], {}, [1, "a", null, { b: [true] }],
    { s: "x".repeat(1000), n: [1, 2, 3], o: { deep: { er: "y" } } }, nested(MAX_PLAIN_WALK_DEPTH - 1),
  ])("%j is plain, within its bound", (v) => {
    const bound = plainJsonBound(v, 0);
    expect(bound).toBeLessThan(Infinity);
    expect(JSON.parse(JSON.stringify(v))).toStrictEqual(v);
    expect(new TextEncoder().encode(JSON.stringify(v)).byteLength).toBeLessThanOrEqual(bound);
  });
  // Anything a round trip would change goes through it.
  it.for([
    ["undefined", undefined], ["-0", -0], ["NaN", NaN], ["Infinity", [Infinity]], ["an undefined field", { a: undefined }],
    ["a hole", [1, , 3]], ["a function", { f: () => 1 }], ["a Date", { d: new Date(0) }], ["a JSONata sequence", sequence],
    ["a null-prototype object", nullProto], ["a Map", new Map()], ["a bigint", 1n], ["too deep a value", nested(MAX_PLAIN_WALK_DEPTH + 1)],
    ["a value over the step limit", { s: "x".repeat(200_000) }],
  ] as const)("%s is not", ([, v]) => expect(plainJsonBound(v, 0)).toBe(Infinity));
  it("gives up on a cycle instead of looping", () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    expect(plainJsonBound(o, 0)).toBe(Infinity);
  });
});

describe("error marker", () => {
  it("round-trips name, node and status through a message", () => {
    const m = encodeErrorMessage({ name: "HttpError", message: "GET x answered 418", node: "a/b", status: 418 });
    expect(decodeErrorMessage(m)).toEqual({ name: "HttpError", message: "GET x answered 418", node: "a/b", status: 418 });
    expect(decodeErrorMessage("NonRetryableError: " + m)?.message).toBe("GET x answered 418");
    expect(decodeErrorMessage("no marker")).toBeUndefined();
  });
  it("engine aborts are not flowdsl errors", () => {
    expect(isEngineAbort(new Error("Aborting engine: User called pause"))).toBe(true);
    expect(toFlowError(new Error("Aborting engine: User called terminate"), "x")).toBeUndefined();
    expect(toFlowError(new Error("Execution timed out after 1000ms"), "w")?.info).toMatchObject({ name: "Timeout", node: "w" });
  });
});

describe("child ids", () => {
  it("are deterministic, distinct per node, and valid Cloudflare ids", () => {
    const a = childInstanceId("parent-1", "approve/child");
    expect(childInstanceId("parent-1", "approve/child")).toBe(a);
    expect(childInstanceId("parent-1", "other")).not.toBe(a);
    const long = childInstanceId("p".repeat(100), "x");
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).toMatch(/^[a-zA-Z0-9_][a-zA-Z0-9-_]*$/);
  });
});

describe("cron", () => {
  it.for([
    ["0 9 * * 1-5", true], ["*/15 * * * *", true], ["0 0 1 JAN *", true], ["0 12 * * MON", true], ["5 4 L * *", true],
    ["every day", false], ["60 * * * *", false], ["* * * *", false], ["*/0 * * * *", false], ["0 25 * * *", false],
  ] as const)("%s valid: %s", ([expr, ok]) => expect(isValidCron(expr)).toBe(ok));
});

describe("the schema", () => {
  const schema = JSON.parse(readFileSync(new URL("../../schema/workflow.schema.json", import.meta.url), "utf8")) as Record<string, unknown>;
  it("has an $id and is draft 2020-12", () => {
    expect(schema.$id).toMatch(/^https:\/\//);
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });
  it("describes every property and forbids unknown fields on every node kind", () => {
    const missing: string[] = [];
    const walk = (n: unknown, path: string): void => {
      if (!n || typeof n !== "object") return;
      const o = n as Record<string, unknown>;
      if (o.properties && typeof o.properties === "object") {
        for (const [k, v] of Object.entries(o.properties as Record<string, Record<string, unknown>>)) if (!("description" in v)) missing.push(`${path}/properties/${k}`);
      }
      for (const [k, v] of Object.entries(o)) if (k !== "defaultSnippets") walk(v, `${path}/${k}`);
    };
    walk(schema, "#");
    expect(missing).toEqual([]);
    const defs = schema.$defs as Record<string, Record<string, unknown>>;
    const kinds = Object.keys(defs).filter((k) => k.endsWith("Node"));
    expect(kinds).toHaveLength(14);
    for (const k of kinds) expect(defs[k]!.additionalProperties, k).toBe(false);
  });
  it("gives every node kind a title, an example and a snippet, and every field an example", () => {
    const defs = schema.$defs as Record<string, Record<string, unknown>>;
    const snippets = (defs.steps!.defaultSnippets as Array<{ body: Record<string, unknown> }>).map((s) => Object.keys(s.body)[0]);
    for (const k of Object.keys(defs).filter((d) => d.endsWith("Node"))) {
      const kind = k.slice(0, -4);
      expect(defs[k]!.title, k).toEqual(expect.stringContaining(kind));
      expect(defs[k]!.markdownDescription, k).toContain("```yaml");
      expect(snippets, k).toContain(kind);
      for (const [field, v] of Object.entries(defs[k]!.properties as Record<string, Record<string, unknown>>)) expect(v.markdownDescription, `${k}.${field}`).toContain("```yaml");
    }
  });
});

describe("the variable-path fast path agrees with JSONata", () => {
  const bindings = {
    v: { sum: 3, nested: { deep: "x" }, list: [1, 2], single: [7], objs: [{ a: 1 }, { a: 2 }], nil: null, zero: 0, f: false },
    s: "text",
    n: null,
  };
  it.for([
    "$v", "$v.sum", "$v.nested.deep", "$v.nested.missing", "$v.missing.deeper", "$v.list", "$v.single", "$v.objs.a", "$v.nil",
    "$v.nil.x", "$v.zero", "$v.f", "$s", "$s.length", "$n", "$n.x", "$missing", "$missing.x", "$v.objs[0].a", "$v.sum + 1",
  ])("%s", async (expr) => {
    const fast = await evaluate(expr, bindings);
    const slow = toPlain(await (await import("jsonata")).default(expr).evaluate(null, bindings));
    expect(fast).toEqual(slow);
  });
});

describe("the arithmetic fast path agrees with JSONata, errors included", () => {
  const bindings = { acc: 4, a: { b: 2.5, list: [{ b: 1 }, { b: 2 }] }, s: "x", big: 1e308, f: 0.2, nil: null };
  const outcome = async (f: () => Promise<unknown>): Promise<unknown> => {
    try {
      return { value: toPlain(await f()) };
    } catch (e) {
      return { error: /T\d{4}|D\d{4}/.exec(e instanceof Error ? e.message : String((e as { code?: string }).code))?.[0] ?? (e as { code?: string }).code };
    }
  };
  it.for(["$acc + 3", "$acc - 10", "$acc * 2", "$a.b * 2", "$f + 0.1", "$s + 1", "$missing + 1", "$nil + 1", "$a.list.b + 1", "$big * 10", "$acc + 1.5"])("%s", async (expr) => {
    const fast = await outcome(() => evaluate(expr, bindings));
    const slow = await outcome(async () => (await import("jsonata")).default(expr).evaluate(null, bindings));
    expect(fast).toEqual(slow);
  });
});
