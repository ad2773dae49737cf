// Scheduled definitions: a definition with `schedule: <cron>` is started on each tick of that
// cron trigger (wrangler.jsonc `triggers.crons`; the build checks they agree). The instance id
// derives from the definition and the tick, so a repeated delivery starts nothing new.
import type { Env } from "../env.js";
import { DEFINITIONS } from "../generated/definitions.js";
import { startInstance } from "./routes.js";

export async function startScheduled(env: Env, cron: string, scheduledTime: number): Promise<Array<{ name: string; id: string; created: boolean }>> {
  const due = Object.values(DEFINITIONS).filter((d) => d.schedule !== undefined && sameCron(d.schedule, cron));
  const at = new Date(scheduledTime).toISOString();
  const started = [];
  for (const d of due) {
    const { id, created } = await startInstance(env, d.name, { scheduledTime: at, cron }, `schedule:${scheduledTime}`);
    started.push({ name: d.name, id, created });
  }
  if (started.length > 0) console.log(JSON.stringify({ level: "info", message: "scheduled starts", cron, scheduledTime: at, started }));
  return started;
}

const sameCron = (a: string, b: string): boolean => a.trim().split(/\s+/).join(" ") === b.trim().split(/\s+/).join(" ");
