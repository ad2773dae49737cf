// Outbound HTTP safety (docs/reference.md, Outbound HTTP safety) with ALLOW_PRIVATE_HOSTS unset, as deployed.
import { describe, expect, it } from "vitest";
import privateDef from "../definitions/t-http-private.yaml?raw";
import { calls, definition, origin, start, uniqueId } from "../workers/helpers.js";

describe("private hosts are refused unless ALLOW_PRIVATE_HOSTS", () => {
  it.for([
    { what: "loopback IPv4 (the test server itself)", url: () => `${origin()}/${uniqueId("p")}/secret` },
    { what: "localhost", url: () => `http://localhost:${new URL(origin()).port}/x` },
    { what: "IPv6 loopback", url: () => `http://[::1]:${new URL(origin()).port}/x` },
    { what: "the cloud metadata address", url: () => "http://169.254.169.254/latest/meta-data/" },
    { what: "a private 10/8 address", url: () => "http://10.1.2.3/" },
    { what: "a non-http scheme", url: () => "ftp://example.com/file" },
  ])("$what", async ({ url }) => {
    const target = url();
    const { intro } = await start(definition(privateDef), { url: target });
    await intro.waitForStatus("complete");
    const out = (await intro.getOutput()) as { refused?: { name: string; node: string; message: string } };
    expect(out.refused).toMatchObject({ name: "HostNotAllowed", node: "call/fetch" });
    await intro.dispose();
  });

  it("nothing reached the server", async () => {
    const b = `/${uniqueId("p")}`;
    const { intro } = await start(definition(privateDef), { url: `${origin()}${b}/secret` });
    await intro.waitForStatus("complete");
    expect(await calls(b)).toEqual([]);
    await intro.dispose();
  });
});
