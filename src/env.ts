// The Worker's bindings (wrangler.jsonc) and secrets.
import type { InstanceParams } from "./interpreter/context.js";

export interface Env {
  FLOW: Workflow<InstanceParams>;
  DB: D1Database;
  /** Default bindings of the kv.*, r2.* and queue.send actions (optional: a Worker may drop them). */
  KV?: KVNamespace;
  BUCKET?: R2Bucket;
  QUEUE?: Queue;
  API_TOKEN?: string;
  ALLOW_PRIVATE_HOSTS?: string;
  /** "true" under npm start only: wake instances stranded by a dev-server restart. */
  FLOWDSL_LOCAL_RECOVERY?: string;
  [key: string]: unknown;
}
