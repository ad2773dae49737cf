import { defineConfig } from "vitest/config";
import { cloudflareTest } from "@cloudflare/vitest-plugin";

const SERVICES = ["accounting", "mail", "payment", "inventory", "chat", "jobs", "profile", "processor", "external", "legacy", "quotes", "reports"];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => {
            const mock = `http://127.0.0.1:${inject<number>("mockPort")}`;
            return {
              wrangler: { configPath: "./wrangler.generated.jsonc" },
              miniflare: {
                bindings: {
                  API_TOKEN: "test-token",
                  ALLOW_PRIVATE_HOSTS: "true",
                  MOCK_ORIGIN: mock,
                  SHHH: "the-secret-value",
                  CALLBACK_SECRET: "test-callback-secret-0123456789",
                  PUBLIC_URL: "http://flowdsl.test",
                  // The example definitions' services, stood in by the 127.0.0.1 server.
                  ...Object.fromEntries(SERVICES.map((s) => [`${s.toUpperCase()}_API`, `${mock}/svc/${s}`])),
                  AI_ENDPOINT: `${mock}/svc/ai`,
                },
                // The queue's consumer is the outside world (the mail sender): it reports each
                // message to the stand-in server.
                workers: [
                  {
                    name: "queue-consumer",
                    modules: true,
                    script: `export default { async queue(batch, env) { for (const m of batch.messages) { await fetch(env.SINK + "/svc/queue/" + batch.queue, { method: "POST", body: JSON.stringify(m.body) }); m.ack(); } } };`,
                    bindings: { SINK: mock },
                    queueConsumers: { "flowdsl-jobs": { maxBatchTimeout: 0.05 } },
                  },
                ],
              },
            };
          }),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          globalSetup: ["test/workers/global-setup.ts"],
          testTimeout: 60_000,
        },
      },
      {
        // The same Worker with outbound safety on (the deployed default): private hosts refused.
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.generated.jsonc" },
            miniflare: { bindings: { API_TOKEN: "test-token", ALLOW_PRIVATE_HOSTS: "false", MOCK_ORIGIN: `http://127.0.0.1:${inject<number>("mockPort")}` } },
          })),
        ],
        test: {
          name: "workers-closed",
          include: ["test/workers-closed/**/*.test.ts"],
          globalSetup: ["test/workers/global-setup.ts"],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
