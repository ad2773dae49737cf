// The Worker's bindings (wrangler.jsonc) and secrets.
import type { InstanceParams } from "./interpreter/context.js";

export interface Env {
  /**
   * One workflow binding per definition (`FLOW_<NAME>`, written into wrangler.generated.jsonc
   * by the build), read by name through `env[binding]`; FLOW is the single workflow of earlier
   * versions, kept while instances started on it remain.
   */
  FLOW?: Workflow<InstanceParams>;
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
