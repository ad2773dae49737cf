// What a race's losers may still do (docs/language.md, "race"). Cloudflare cannot cancel a
// waitForEvent: a losing branch's wait stays registered and would take the next event of its
// type, even one meant for a later node (a second round of the same race in a loop), and on a
// replay every loser's wait registers again before the race has re-read its winner.
//
// So a wait inside a race branch *claims* the event it received, in a durable step of its own
// (`<wait>/claim`). The claim's body looks at the races around the wait: when one of them has
// been won by another branch, the event is sent to this instance again, for whichever wait is
// live, and the losing branch stops there. The claim is journaled, so every later replay
// makes the same choice. Before deciding, the claim lets the races around it settle: on a
// replay their branches re-read cached steps within milliseconds, so a claim waits while a
// sibling branch has a step that started under SETTLE_MS ago (or the winner is being
// recorded), at most SETTLE_MAX_MS.
import type { Effects } from "./effects.js";
import type { Frame, RunState } from "./context.js";
import type { ModelNode } from "../model/model.js";
import { instantiate } from "../model/steps.js";

/** Every race around `m`, innermost first, with the index of the branch `m` is in. */
export function racesAround(m: ModelNode): Array<{ race: ModelNode; branch: number }> {
  const out: Array<{ race: ModelNode; branch: number }> = [];
  for (let c = m; c.parent; c = c.parent) {
    if (c.parent.kind === "race" && c.parentEdge) out.push({ race: c.parent, branch: c.parent.edges.indexOf(c.parentEdge) });
  }
  return out;
}

/** A sibling step younger than this may be a replay re-reading the race's history. */
export const SETTLE_MS = 250;
/** A claim never waits longer than this for the races around it to settle. */
export const SETTLE_MAX_MS = 5_000;
const POLL_MS = 10;

export interface RaceRun {
  /** The winner step is in flight. */
  deciding: boolean;
  /** Index of the winning branch once the winner step returned; -1 before. */
  winner: number;
}

interface InFlight {
  node: ModelNode;
  indices: readonly number[];
  started: number;
}

/** One race's run-time key: its step-name template under the current loop indices. */
export const raceKey = (race: ModelNode, indices: readonly number[]): string => instantiate(race.path, indices.slice(0, race.slots));

export function raceRun(state: RunState, key: string): RaceRun {
  const races = (state.races ??= new Map());
  let r = races.get(key);
  if (!r) {
    r = { deciding: false, winner: -1 };
    races.set(key, r);
  }
  return r;
}

/** Engine calls of a definition with races, tracked while in flight (for settling claims). */
export function trackedEffects(inner: Effects, state: RunState): Effects {
  const inflight = (state.inflight ??= new Set());
  const track = <T>(node: ModelNode | undefined, indices: readonly number[], p: () => Promise<T>): Promise<T> => {
    if (!node) return p();
    const entry: InFlight = { node, indices, started: Date.now() };
    inflight.add(entry);
    return p().finally(() => inflight.delete(entry));
  };
  return {
    ...inner,
    do: (at, name, config, fn) => track(at?.node, at?.indices ?? [], () => inner.do(at, name, config, fn)),
    sleep: (at, name, ms) => track(at.node, at.indices, () => inner.sleep(at, name, ms)),
    sleepUntil: (at, name, until) => track(at.node, at.indices, () => inner.sleepUntil(at, name, until)),
    waitForEvent: (at, name, opts) => track(at.node, at.indices, () => inner.waitForEvent(at, name, opts)),
  };
}

/** Races around the frame's node, with this run's state of each. */
function around(frame: Frame): Array<{ key: string; branch: number; run: RaceRun }> {
  return racesAround(frame.node).map(({ race, branch }) => {
    const key = raceKey(race, frame.indices);
    return { key, branch, run: raceRun(frame.state, key) };
  });
}

/** True when a race around the frame has been won by another branch than the frame's. */
export function hasLost(frame: Frame): boolean {
  return around(frame).some((r) => r.run.winner >= 0 && r.run.winner !== r.branch);
}

/** Waits while a race around the frame may be about to learn its winner (see the top). */
export async function settle(frame: Frame): Promise<void> {
  const races = around(frame);
  const keys = new Set(races.map((r) => r.key));
  const deadline = Date.now() + SETTLE_MAX_MS;
  for (;;) {
    if (races.every((r) => r.run.winner >= 0)) return;
    const now = Date.now();
    const busy =
      races.some((r) => r.run.deciding) ||
      [...(frame.state.inflight ?? [])].some((e) => e.node !== frame.node && now - e.started < SETTLE_MS && racesAround(e.node).some(({ race }) => keys.has(raceKey(race, e.indices))));
    if (!busy || now > deadline) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
