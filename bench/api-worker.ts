// The starts benchmark's Worker: flowdsl's own API, plus one route that starts an instance
// with the definition's binding directly, the way hand-written code would, with the same
// params. Both are reached over HTTP from Node, one request per start.
import worker from "../src/index.js";
import type { Env } from "../src/env.js";
import type { InstanceParams } from "../src/interpreter/context.js";
import { DEFINITIONS } from "../src/generated/definitions.js";
import { recordRow } from "../src/api/registry.js";

export { DefinitionWorkflow } from "../src/entrypoint.js";

export default {
  async fetch(req: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    // A definition of `n` do steps on the workflow of earlier versions (FLOW), with its registry
    // row, so GET /instances/:id/history can be timed on a long instance.
    const long = /^\/bench\/long\/(\d+)$/.exec(new URL(req.url).pathname);
    if (long) {
      const n = Number(long[1]);
      const definition = { name: "long", steps: Array.from({ length: n }, (_, i) => ({ do: `s${i}`, value: i })) } as unknown as InstanceParams["definition"];
      const instance = await env.FLOW!.create({ params: { name: "long", hash: "bench", definition, input: {} } });
      await recordRow(env.DB, { id: instance.id, name: "long", hash: "bench", created: Date.now(), parent: null, binding: "FLOW" });
      return Response.json({ id: instance.id }, { status: 201 });
    }
    const m = /^\/bench\/direct\/([a-z0-9-]+)$/.exec(new URL(req.url).pathname);
    if (!m) return worker.fetch(req, env, ctx);
    const d = DEFINITIONS[m[1]!];
    if (!d) return new Response("no such definition", { status: 404 });
    const input = await req.json();
    const instance = await (env[d.binding] as Workflow<InstanceParams>).create({ params: { name: d.name, hash: d.hash, input } });
    return Response.json({ id: instance.id }, { status: 201 });
  },
};
