// The action registry. Registering an action is one file beside this one and one line here.
import type { ActionRegistry } from "./types.js";
import { log } from "./log.js";

export const ACTIONS: ActionRegistry = {
  log,
};

export const ACTION_NAMES: ReadonlySet<string> = new Set(Object.keys(ACTIONS));
