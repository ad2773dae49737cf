// Terminating with compensation (docs/language.md, "Terminating with compensation"). The
// engine's own rollback (`terminate({ rollback: true })`) replays a workflow without step
// results, so an interpreter that branches on results cannot rebuild its compensations there;
// flowdsl does it itself. The API records where the instance is blocked (the sleep or event
// wait it is in, from the engine's event history) and makes the engine replay it; the replay
// reaches that same call and raises Terminated there, so exactly the compensations registered
// up to that point run, newest first, as durable steps; then the instance terminates itself.

/** Where to stop: the n-th call of a sleep or event wait by that step name, or the next new step. */
export type TerminateTarget = { api: "sleep" | "waitForEvent"; name: string; count: number } | { api: "next" };

export function parseTarget(s: string | null | undefined): TerminateTarget | undefined {
  if (!s) return undefined;
  try {
    const t = JSON.parse(s) as TerminateTarget;
    if (t.api === "next") return t;
    if ((t.api === "sleep" || t.api === "waitForEvent") && typeof t.name === "string" && typeof t.count === "number") return t;
  } catch {
    /* not ours */
  }
  return undefined;
}

/** The error name that ends an instance on request: never caught by `try`, always compensated. */
export const TERMINATED = "Terminated";
/** The step in which a terminated instance ends itself (a leading "/" never comes from a node). */
export const TERMINATE_SELF_STEP = "/terminate";
