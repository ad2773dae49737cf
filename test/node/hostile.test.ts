// Hostile input, the pure parts (docs/reference.md, "Hostile input"): the outbound address
// check as a table of verdicts (never by connecting), directly and as redirect targets;
// expression fuel; names and keys as data.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkUrl } from "../../src/nodes/http-safety.js";
import { OutboundRefused, safeFetch } from "../../src/interpreter/outbound.js";
import type { Effects, NodeRef } from "../../src/interpreter/effects.js";
import { DEFAULT_EXPRESSION_STEPS, evaluate, EXPRESSION_STEPS, ExpressionFailure, MAX_EXPRESSION_STEPS, MIN_EXPRESSION_STEPS, renderTemplate, toPlain } from "../../src/expressions/template.js";
import { own, setOwn } from "../../src/core/own.js";
import { JSONATA_FUNCTIONS } from "../../src/expressions/template.js";
import { RESERVED_VARIABLES, validateDefinitionText } from "../../src/definition/validate.js";

const REFUSED = [
  // IPv4 special-purpose registry
  "http://127.0.0.1/", "http://0.0.0.0/", "http://10.1.2.3/", "http://100.64.0.1/", "http://169.254.169.254/", "http://172.16.0.1/",
  "http://192.0.0.8/", "http://192.0.2.1/", "http://192.88.99.1/", "http://192.168.0.1/", "http://198.18.0.1/", "http://198.19.255.255/",
  "http://198.51.100.7/", "http://203.0.113.9/", "http://224.0.0.1/", "http://240.0.0.1/", "http://255.255.255.255/",
  // the same loopback spelled as the URL parser also reads it
  "http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/", "http://127.1/",
  // IPv6: loopback, unspecified, IPv4-compatible, IPv4-mapped (both spellings), NAT64 (both), 6to4, Teredo
  "http://[::1]/", "http://[::]/", "http://[::7f00:1]/", "http://[::a9fe:a9fe]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:0:7f00:1]/",
  "http://[64:ff9b::7f00:1]/", "http://[64:ff9b:1::a00:1]/", "http://[2002:7f00:1::]/", "http://[2001::1]/",
  // site-local, unique-local, link-local, multicast, discard, documentation, benchmarking
  "http://[fec0::1]/", "http://[fd00::1]/", "http://[fe80::1]/", "http://[ff02::1]/", "http://[ff0e::1]/", "http://[100::1]/",
  "http://[2001:db8::1]/", "http://[2001:2::1]/", "http://[5f00::1]/",
  // names that stand for this machine or its network
  "http://localhost/", "http://api.localhost/", "http://metadata.google.internal/", "http://printer.local/", "http://nas.home.arpa/",
];
const ALLOWED = ["http://8.8.8.8/", "https://1.1.1.1/", "http://93.184.215.14/", "http://[2606:4700:4700::1111]/", "http://[2001:4860:4860::8888]/", "https://example.com/", "https://api.example.org:8443/x"];

describe("outbound addresses (ALLOW_PRIVATE_HOSTS off)", () => {
  it.for(REFUSED)("refuses %s", (u) => expect(checkUrl(new URL(u), false)).toMatch(/not a public internet address/));
  it.for(ALLOWED)("allows %s", (u) => expect(checkUrl(new URL(u), false)).toBeUndefined());
  it("allows them all when private hosts are allowed, but never another scheme", () => {
    for (const u of REFUSED) expect(checkUrl(new URL(u), true)).toBeUndefined();
    expect(checkUrl(new URL("file:///etc/passwd"), true)).toMatch(/scheme/);
  });

  /** The outside world as the effects seam sees it: every URL answers a redirect to `to`; nothing connects. */
  function redirectingTo(to: string): { effects: Effects; fetched: string[] } {
    const fetched: string[] = [];
    const effects = { fetch: async (_at: NodeRef, url: string) => (fetched.push(url), new Response(null, { status: 302, headers: { location: to } })) } as unknown as Effects;
    return { effects, fetched };
  }
  it.for(REFUSED)("refuses a redirect to %s before following it", async (to) => {
    const { effects, fetched } = redirectingTo(to);
    await expect(safeFetch(effects, {} as NodeRef, new URL("https://public.example.com/start"), { headers: new Headers() }, false)).rejects.toBeInstanceOf(OutboundRefused);
    expect(fetched).toEqual(["https://public.example.com/start"]);
  });
});

describe("expression fuel", () => {
  const loop = "($f := function($i){ $i < $input.n ? $f($i+1) : $i }; $f(0))";
  const limited = (n: number, limit: number) => ({ input: { n }, [EXPRESSION_STEPS]: limit });
  const failure = async (p: Promise<unknown>): Promise<ExpressionFailure> => {
    try {
      await p;
    } catch (e) {
      if (e instanceof ExpressionFailure) return e;
      throw e;
    }
    throw new Error("no failure");
  };

  it("the schema's bounds for limits.expressionSteps are the interpreter's", () => {
    const schema = JSON.parse(readFileSync(new URL("../../schema/workflow.schema.json", import.meta.url), "utf8")) as { properties: { limits: { properties: { expressionSteps: { minimum: number; maximum: number } } } } };
    const s = schema.properties.limits.properties.expressionSteps;
    expect([s.minimum, s.maximum]).toEqual([MIN_EXPRESSION_STEPS, MAX_EXPRESSION_STEPS]);
    expect(DEFAULT_EXPRESSION_STEPS).toBe(1_000_000);
  });

  it("stops a loop past its fuel with ExpressionLimit, naming the expression", async () => {
    const e = await failure(evaluate(loop, limited(1e12, 5000)));
    expect(e.errorName).toBe("ExpressionLimit");
    expect(e.message).toContain("$f($i+1)");
  });

  it("is deterministic: the same data needs the same fuel, so a loop just within passes and one step less fails, every time", async () => {
    // Find the fuel 300 rounds need, by halving: the count depends on nothing but the data.
    let lo = MIN_EXPRESSION_STEPS;
    let hi = 100_000;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      const ok = await evaluate(loop, limited(300, mid)).then(() => true, () => false);
      if (ok) hi = mid;
      else lo = mid;
    }
    for (let run = 0; run < 3; run++) {
      expect(await evaluate(loop, limited(300, hi))).toBe(300);
      expect((await failure(evaluate(loop, limited(300, hi - 1)))).errorName).toBe("ExpressionLimit");
    }
  });

  it("meters each evaluation on its own: concurrent evaluations do not share fuel", async () => {
    const results = await Promise.allSettled([evaluate(loop, limited(1e9, 20_000)), evaluate(loop, limited(100, 20_000)), evaluate(loop, limited(200, 20_000))]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
  });
});

describe("names and keys are data", () => {
  it("own() never answers an inherited member", () => {
    const table: Record<string, number> = { a: 1 };
    expect(["a", "constructor", "__proto__", "hasOwnProperty", "toString"].map((k) => own(table, k))).toEqual([1, undefined, undefined, undefined, undefined]);
  });
  it("setOwn() and toPlain() keep __proto__ as a key, the prototype untouched", () => {
    const o: Record<string, unknown> = {};
    setOwn(o, "__proto__", { polluted: true });
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(["__proto__"]);
    const plain = toPlain(JSON.parse('{"__proto__": {"x": 1}, "a": [{"__proto__": 2}]}')) as Record<string, unknown>;
    expect(JSON.stringify(plain)).toBe('{"__proto__":{"x":1},"a":[{"__proto__":2}]}');
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(structuredClone(plain)).toEqual(plain);
  });
  it("a template object with a __proto__ key renders it as a key", async () => {
    const rendered = (await renderTemplate(JSON.parse('{"__proto__": "{% $input.v %}", "b": 1}'), { input: { v: 7 } })) as Record<string, unknown>;
    expect(JSON.stringify(rendered)).toBe('{"__proto__":7,"b":1}');
  });
  it("an inherited member read from params is absent, as in JSONata", async () => {
    expect(await evaluate("$input.constructor", { input: { a: 1 } })).toBeNull();
    expect(await evaluate("$input.__proto__", { input: { a: 1 } })).toBeNull();
  });
});

describe("the page is not a script host", () => {
  it("no file of the page or its drawing parses markup: no innerHTML, outerHTML, insertAdjacentHTML, document.write or DOMParser", () => {
    for (const f of ["src/web/app.ts", "src/web/page.ts", "src/cli/graph-svg.ts"]) {
      const text = readFileSync(new URL(`../../${f}`, import.meta.url), "utf8");
      expect(text.match(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment/g), f).toBeNull();
    }
  });
});

describe("JSONata's built-ins, one list", () => {
  it("JSONATA_FUNCTIONS is exactly the functions jsonata binds, each a function when evaluated", async () => {
    const source = readFileSync(new URL("../../node_modules/jsonata/jsonata.js", import.meta.url), "utf8");
    const bound = new Set([...source.matchAll(/(?:staticFrame|environment)\.bind\('(\w+)'/g)].map((m) => m[1]!));
    expect(bound.size).toBeGreaterThan(60);
    expect([...JSONATA_FUNCTIONS].sort()).toEqual([...bound].sort());
    for (const f of JSONATA_FUNCTIONS) expect(await evaluate(`$type($${f})`, {}), f).toBe("function");
  });
  it.for(["base64encode", "base64decode", "now", "sift"])("$%s is reserved as a variable name and validates as a function", async (f) => {
    expect(RESERVED_VARIABLES.has(f)).toBe(true);
    const text = `name: t\nsteps:\n  - do: use\n    value: "{% $${f === "now" ? "now()" : f === "sift" ? "sift({'a': 1}, function($v) { $v > 0 })" : `${f}('a:b')`} %}"\n`;
    expect(validateDefinitionText(text, "t.yaml").diagnostics).toEqual([]);
  });
  it("$base64encode runs", async () => expect(await renderTemplate("{% $base64encode('a:b') %}", {})).toBe("YTpi"));
});
