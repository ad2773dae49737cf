// The Worker: the HTTP API (fetch) and scheduled starts (cron). Exports the one Workflow class.
import type { Env } from "./env.js";
import { handle } from "./api/routes.js";
import { isLocalRecoveryEnabled, recoverInstances } from "./api/recovery.js";
import { startScheduled } from "./api/schedule.js";

export { DefinitionWorkflow } from "./entrypoint.js";

/** Once per isolate: a new isolate under npm start means the dev server started or reloaded. */
let recoveryStarted = false;

export default {
  fetch(req: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (!recoveryStarted && isLocalRecoveryEnabled(env)) {
      recoveryStarted = true;
      ctx.waitUntil(recoverInstances(env).catch((e: unknown) => console.error(JSON.stringify({ level: "error", message: "instance recovery failed", error: String(e) }))));
    }
    return handle(req, env, ctx);
  },

  /** Cron triggers: start every definition whose `schedule` is this cron, once per tick. */
  async scheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
    await startScheduled(env, controller.cron, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
