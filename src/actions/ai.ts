// `ai.run` — a Workers AI model. With the var AI_ENDPOINT set, calls that HTTP endpoint
// (POST <AI_ENDPOINT>/<model>, bearer AI_TOKEN, Cloudflare's REST shape { result }); otherwise
// the AI binding. Workers AI has no local model, so local runs and tests use the endpoint.
import type { Action } from "./types.js";
import { own } from "../core/own.js";
import { ActionFailure } from "./types.js";
import { object, string } from "./args.js";

export const aiRun: Action = async (args, ctx) => {
  const a = object(args, "ai.run");
  const model = string(a, "model", "ai.run");
  const inputs = a.inputs ?? {};
  const endpoint = ctx.env.AI_ENDPOINT;
  if (typeof endpoint === "string" && endpoint !== "") {
    const token = ctx.env.AI_TOKEN;
    const res = await ctx.fetch(`${endpoint.replace(/\/$/, "")}/${model}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(typeof token === "string" ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(inputs),
    });
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new ActionFailure(`ai.run: ${model} answered ${res.status}`);
    if (!res.ok) throw new Error(`ai.run: ${model} answered ${res.status}`);
    const body = (await res.json()) as { result?: unknown };
    return body.result ?? body;
  }
  const ai = own(ctx.env, typeof a.binding === "string" ? a.binding : "AI") as { run?: (m: string, i: unknown) => Promise<unknown> } | undefined;
  if (!ai?.run) throw new ActionFailure("ai.run: set the var AI_ENDPOINT or add an AI binding to wrangler.jsonc");
  return ai.run(model, inputs);
};
