import { describe, expect, it } from "vitest";
import { definition, start } from "./helpers.js";

describe("smoke", () => {
  it("runs set, do, sleep and waitForEvent to an output", async () => {
    const def = definition(`
name: smoke
steps:
  - set: greet
    values: { greeting: "Hello, {% $input.name %}!" }
  - do: stamp
    value: { g: "{% $greeting %}", n: "{% 1 + 2 %}" }
    as: stamped
  - sleep: nap
    for: 1 hour
  - waitForEvent: approval
    event: approve
    as: approval
output: { greeting: "{% $stamped.g %}", n: "{% $stamped.n %}", by: "{% $approval.by %}" }
`);
    const { intro } = await start(def, { name: "Ada" }, { modify: async (m) => m.mockEvent({ type: "approve", payload: { by: "Grace" } }) });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ greeting: "Hello, Ada!", n: 3, by: "Grace" });
    await intro.dispose();
  });
});
