// Bisection variants of the hand-written (a), from a finished experiment (bench/notes.md): pieces of the
// interpreter's step call added to the hand-written class, one at a time (bench/notes.md).
import { WorkflowEntrypoint } from "cloudflare:workers";
import type { WorkflowEvent, WorkflowStep } from "cloudflare:workers";

/** V1: the step closure does what durableStep's body does around the value (sctx, Date.now, JSON round trip, env read). */
export class HandBody extends WorkflowEntrypoint<Record<string, unknown>, { count?: number }> {
  override async run(event: Readonly<WorkflowEvent<{ count?: number }>>, step: WorkflowStep): Promise<unknown> {
    const n = event.payload.count ?? 50;
    let acc = 0;
    let attempts = 0;
    const env = this.env;
    for (let i = 0; i < n; i++) {
      const v = await step.do(`d${i}`, async (sctx?: { attempt?: number }) => {
        attempts++;
        const attempt = sctx?.attempt ?? attempts;
        const t0 = Date.now();
        const r = JSON.parse(JSON.stringify({ i, sum: acc + i })) as { i: number; sum: number };
        if (env.FLOWDSL_LOG !== "off") console.log(attempt, t0);
        return r;
      });
      acc = v.sum;
    }
    return { acc };
  }
}

/** V2: the plain closure, but step.do reached through four async layers, as the interpreter's run loop does. */
export class HandLayers extends WorkflowEntrypoint<Record<string, unknown>, { count?: number }> {
  override async run(event: Readonly<WorkflowEvent<{ count?: number }>>, step: WorkflowStep): Promise<unknown> {
    const n = event.payload.count ?? 50;
    let acc = 0;
    const effects = { do: (name: string, fn: () => Promise<{ i: number; sum: number }>) => step.do(name, fn) };
    const durable = async (name: string, fn: () => Promise<{ i: number; sum: number }>) => {
      let out;
      try {
        out = await effects.do(name, fn);
      } catch (e) {
        throw e;
      }
      return out;
    };
    const node = async (i: number) => durable(`d${i}`, async () => ({ i, sum: acc + i }));
    const list = async () => {
      for (let i = 0; i < n; i++) {
        const v = await node(i);
        acc = v.sum;
      }
    };
    await list();
    return { acc };
  }
}
