// The Worker: the HTTP API (fetch) and scheduled starts (cron). Exports the one Workflow class.
import type { Env } from "./env.js";
import { handle } from "./api/routes.js";

export { DefinitionWorkflow } from "./entrypoint.js";

export default {
  fetch(req: Request, env: Env): Promise<Response> {
    return handle(req, env);
  },
} satisfies ExportedHandler<Env>;
