import { defineConfig } from "vitest/config";
import { cloudflareTest } from "@cloudflare/vitest-plugin";

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
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.jsonc" },
            miniflare: {
              bindings: {
                API_TOKEN: "test-token",
                ALLOW_PRIVATE_HOSTS: "true",
                MOCK_ORIGIN: `http://127.0.0.1:${inject<number>("mockPort")}`,
                SHHH: "the-secret-value",
              },
            },
          })),
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
            wrangler: { configPath: "./wrangler.jsonc" },
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
