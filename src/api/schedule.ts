// Scheduled definitions: a definition with `schedule:` (a cron or a list) is started on each
// tick of that cron. The build adds every schedule to the generated config's triggers.crons,
// and the Worker's scheduled handler starts the definitions due. (The engine's own per-workflow
// `schedules` are not used: the local engine does not fire them, so local runs and deployed
// Workers would differ; see docs/language.md.) The instance id derives from the definition
// and the tick, so a repeated delivery starts nothing new.
import type { Env } from "../env.js";
import { DEFINITIONS } from "../generated/definitions.js";
import { startInstance } from "./instances.js";

export async function startScheduled(env: Env, cron: string, scheduledTime: number): Promise<Array<{ name: string; id: string; created: boolean }>> {
  const tick = normalize(cron);
  const due = Object.values(DEFINITIONS).filter((d) => (d.schedules ?? []).some((s) => normalize(s) === tick));
  const at = new Date(scheduledTime).toISOString();
  const started = [];
  for (const d of due) {
    const { id, created } = await startInstance(env, d.name, { scheduledTime: at, cron }, `schedule:${scheduledTime}:${tick}`);
    started.push({ name: d.name, id, created });
  }
  if (started.length > 0) console.log(JSON.stringify({ level: "info", message: "scheduled starts", cron, scheduledTime: at, started }));
  return started;
}

const normalize = (c: string): string => c.trim().split(/\s+/).join(" ");
