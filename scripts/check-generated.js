#!/usr/bin/env node
// Fails when wrangler.generated.jsonc is stale: the user's wrangler.jsonc or a definition
// changed since the build wrote it. wrangler runs this before `dev` and `deploy` (the
// generated config's build.command), so a stale config is never deployed.
import { staleness } from "./generated-config.js";

const root = new URL("..", import.meta.url).pathname;
const why = staleness(root);
if (why) {
  console.error(`flowdsl: the generated wrangler config is stale: ${why}. Run \`npm run build\` (npm start and npm run deploy do it for you).`);
  process.exit(1);
}
