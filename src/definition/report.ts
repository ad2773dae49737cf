// How a check reports what it found: a code, a message that names the fix, and where (a JSON path,
// or a source offset inside a scalar); the validator turns it into a positioned diagnostic.
import type { DefinitionCode } from "../errors.js";
import type { PathSegment } from "./load.js";

export type Report = (code: DefinitionCode, message: string, at: readonly PathSegment[], o?: { key?: boolean; offset?: number; severity?: "warning" }) => void;
