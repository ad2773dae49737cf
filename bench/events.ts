// Reading an instance's event history from inside a bench Worker (bench/worker.ts,
// bench/api-worker.ts), on the engine's own clock.

/** The first event of an instance's history that passes the filter (waiting for it if need be). */
export async function firstEvent(handle: WorkflowInstance, options?: WorkflowInstanceSubscribeOptions): Promise<{ type: string; timestamp: number } | undefined> {
  const sub = await handle.subscribe(options);
  try {
    const next = await sub.next();
    return next.done ? undefined : (next.value as { type: string; timestamp: number });
  } finally {
    sub[Symbol.dispose]();
  }
}

/** Instances read at once when a round's are checked: enough to overlap the round trips, few enough not to crowd the engine. */
export const MAX_READS_IN_FLIGHT = 10;

/**
 * When the last of these instances had completed its first step (the engine's clock, ms since
 * the epoch): by then each was initialised and running, whatever its create had answered.
 */
export async function lastFirstStep(w: Workflow, ids: string[]): Promise<number> {
  let latest = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(MAX_READS_IN_FLIGHT, ids.length) }, async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const e = await firstEvent(await w.get(id), { filter: ["step_completed"] });
        if (!e) throw new Error(`instance ${id} ended without completing a step`);
        latest = Math.max(latest, e.timestamp);
      }
    }),
  );
  return latest;
}
