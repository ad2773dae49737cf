// What the generated wrangler config was made from, and the check that it still matches.
// Plain JavaScript: wrangler runs the check (`build.command` of the generated config) before
// every `wrangler dev` and `wrangler deploy`, so it must start fast.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

/** The user's config (theirs), and the generated one (never edited by hand). */
export const USER_CONFIG = "wrangler.jsonc";
export const GENERATED_CONFIG = "wrangler.generated.jsonc";
/** wrangler's own "generated configuration" redirect: plain `wrangler dev/deploy` use ours. */
export const DEPLOY_REDIRECT = ".wrangler/deploy/config.json";

/** A hash of the user's config and every definition file in `dirs`, in a fixed order. */
export function inputsHash(root, dirs) {
  const h = createHash("sha256");
  h.update(readFileSync(join(root, USER_CONFIG)));
  for (const dir of dirs) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs).filter((f) => /\.ya?ml$/.test(f) && !/\.test\.ya?ml$/.test(f)).sort()) {
      h.update(`\0${relative(root, join(abs, f))}\0`);
      h.update(readFileSync(join(abs, f)));
    }
  }
  return h.digest("hex").slice(0, 16);
}

/** The first line of the generated config records its inputs: `// inputs <hash> from <dirs>`. */
export const inputsLine = (hash, dirs) => `// inputs ${hash} from ${dirs.join(",")}`;

/** Why the generated config no longer matches its inputs, or undefined when it does. */
export function staleness(root) {
  const file = join(root, GENERATED_CONFIG);
  if (!existsSync(file)) return `${GENERATED_CONFIG} does not exist`;
  const m = /^\/\/ inputs ([0-9a-f]+) from (.*)$/m.exec(readFileSync(file, "utf8"));
  if (!m) return `${GENERATED_CONFIG} has no inputs line (was it edited by hand?)`;
  const now = inputsHash(root, m[2].split(","));
  return now === m[1] ? undefined : `${USER_CONFIG} or a definition changed since ${GENERATED_CONFIG} was generated`;
}
