// The action registry. Registering an action is one file beside this one and one line here.
import type { ActionRegistry } from "./types.js";
import { log } from "./log.js";
import { kvDelete, kvGet, kvPut } from "./kv.js";
import { d1Query } from "./d1.js";
import { r2Copy, r2Get, r2List, r2Put } from "./r2.js";
import { queueSend } from "./queue.js";
import { aiRun } from "./ai.js";
import { circuitCall } from "./circuit.js";

export const ACTIONS: ActionRegistry = {
  log,
  "kv.get": kvGet,
  "kv.put": kvPut,
  "kv.delete": kvDelete,
  "d1.query": d1Query,
  "r2.get": r2Get,
  "r2.put": r2Put,
  "r2.list": r2List,
  "r2.copy": r2Copy,
  "queue.send": queueSend,
  "ai.run": aiRun,
  "circuit.call": circuitCall,
};

export const ACTION_NAMES: ReadonlySet<string> = new Set(Object.keys(ACTIONS));
