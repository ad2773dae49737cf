// `queue.send` — one message, or a batch with `messages:` (default binding QUEUE).
import type { Action } from "./types.js";
import { ActionFailure } from "./types.js";
import { binding, object, optionalNumber } from "./args.js";

export const queueSend: Action = async (args, ctx) => {
  const a = object(args, "queue.send");
  const queue = binding<Queue>(ctx.env, a, "QUEUE", "send", "queue.send");
  const delaySeconds = optionalNumber(a, "delaySeconds", "queue.send");
  if (a.messages !== undefined) {
    if (!Array.isArray(a.messages)) throw new ActionFailure("queue.send: `messages` must be a list");
    await queue.sendBatch(a.messages.map((body) => ({ body, delaySeconds })));
    return { sent: a.messages.length };
  }
  if (a.body === undefined) throw new ActionFailure("queue.send: give `body` (one message) or `messages` (a list)");
  await queue.send(a.body, delaySeconds === undefined ? undefined : { delaySeconds });
  return { sent: 1 };
};
