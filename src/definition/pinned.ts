// Which definition an instance runs (docs/reference.md, "Versions and in-flight instances").
// An instance's params name its definition and hash; the definition itself is the one built
// into this Worker under that hash, or, for an instance that started on an earlier version,
// the copy the registry stored in D1 when the first instance of that version started.
// Params that carry the definition (instances of earlier flowdsl versions, tests) win.
import type { BuiltDefinition } from "./built.js";
import type { Definition } from "../interpreter/context.js";
import { storedDefinition } from "../api/registry.js";
import { own } from "../core/own.js";

export type DefinitionTable = Readonly<Record<string, Pick<BuiltDefinition, "definition" | "hash"> | undefined>>;

export async function pinnedDefinition(db: D1Database | undefined, table: DefinitionTable, p: { name: string; hash: string; definition?: Definition }): Promise<Definition | undefined> {
  if (p.definition) return p.definition;
  const built = own(table, p.name);
  if (built && built.hash === p.hash) return built.definition;
  return db ? ((await storedDefinition(db, p.hash)) as Definition | undefined) : undefined;
}
