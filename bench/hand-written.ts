// The hand-written TypeScript Workflows the benchmark compares the interpreter against: the
// same steps, with the same step names and Cloudflare's default step config.
import { WorkflowEntrypoint } from "cloudflare:workers";
import type { WorkflowEvent, WorkflowStep } from "cloudflare:workers";

interface BenchParams {
  items?: number[];
  base?: string;
  count?: number;
}

/** (a) 50 do nodes, each followed by a set: 100 nodes. */
export class HandSequential extends WorkflowEntrypoint<unknown, BenchParams> {
  override async run(event: Readonly<WorkflowEvent<BenchParams>>, step: WorkflowStep): Promise<unknown> {
    const n = event.payload.count ?? 50;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const v = await step.do(`d${i}`, async () => ({ i, sum: acc + i }));
      acc = v.sum;
    }
    return { acc };
  }
}

/** One step: the memory figure's instances. */
export class HandOne extends WorkflowEntrypoint<unknown, BenchParams> {
  override async run(_event: Readonly<WorkflowEvent<BenchParams>>, step: WorkflowStep): Promise<unknown> {
    return step.do("one", async () => ({ ok: true }));
  }
}

/** (b) a foreach over the items, ten at a time, collecting in item order. */
export class HandForeach extends WorkflowEntrypoint<unknown, BenchParams> {
  override async run(event: Readonly<WorkflowEvent<BenchParams>>, step: WorkflowStep): Promise<unknown> {
    const items = event.payload.items ?? [];
    const results: unknown[] = new Array(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const i = next++;
        results[i] = await step.do(`items[${i}]/process`, async () => ({ n: items[i]! * 2 }));
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    return results;
  }
}

/** (c) sequential HTTP calls to a local server. */
export class HandHttp extends WorkflowEntrypoint<unknown, BenchParams> {
  override async run(event: Readonly<WorkflowEvent<BenchParams>>, step: WorkflowStep): Promise<unknown> {
    const n = event.payload.count ?? 50;
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      statuses.push(
        await step.do(`h${i}`, async () => {
          const res = await fetch(`${event.payload.base}/ping?i=${i}`);
          await res.text();
          if (res.status >= 500) throw new Error(`answered ${res.status}`);
          return res.status;
        }),
      );
    }
    return statuses.length;
  }
}
