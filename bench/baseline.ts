// The hand-written baseline Worker for bundle size and start-up time: the same three
// Workflows written by hand, and a fetch handler that starts one.
import { HandForeach, HandHttp, HandSequential } from "./hand-written.js";

export { HandForeach, HandHttp, HandSequential };

export default {
  async fetch(req: Request, env: { HAND_SEQ: Workflow }): Promise<Response> {
    if (new URL(req.url).pathname !== "/start") return Response.json({ ok: true });
    const instance = await env.HAND_SEQ.create({ params: await req.json() });
    return Response.json({ id: instance.id }, { status: 201 });
  },
};
