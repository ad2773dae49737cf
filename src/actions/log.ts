// `action: log` — one structured JSON log line (visible in `wrangler tail` and Workers Logs).
import type { Action } from "./types.js";

export const log: Action = async (args, ctx) => {
  const fields = args && typeof args === "object" && !Array.isArray(args) ? (args as Record<string, unknown>) : { message: args };
  const line = { level: "info", ...fields, instanceId: ctx.instanceId, step: ctx.stepName, attempt: ctx.attempt };
  console.log(JSON.stringify(line));
  return null;
};
