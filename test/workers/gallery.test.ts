// The shipped definitions (the workflows of the seed documents), end to end on the local
// engine, with miniflare's real KV, D1, R2 and Queue bindings and a 127.0.0.1 server standing
// in for the outside services (accounting, mail, payments, AI …) under /svc/<service>.
import { beforeEach, describe, expect, it } from "vitest";
import { createExecutionContext, createScheduledController, introspectWorkflow, introspectWorkflowInstance, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index.js";
import { decodeErrorMessage } from "../../src/interpreter/errors.js";
import { idempotentId } from "../../src/api/instances.js";
import { calls, definition, origin, script, start, testEnv, uniqueId, workflowOf } from "./helpers.js";
import { readEvents } from "../../src/api/history.js";
import { DEFINITIONS } from "../../src/generated/definitions.js";
import type { Call } from "./helpers.js";
import invoice from "../../definitions/invoice.yaml?raw";
import onboarding from "../../definitions/onboarding.yaml?raw";
import payment from "../../definitions/payment.yaml?raw";
import preferences from "../../definitions/preferences.yaml?raw";
import circuitBreaker from "../../definitions/circuit-breaker.yaml?raw";
import videoProcessing from "../../definitions/video-processing.yaml?raw";
import dataMigration from "../../definitions/data-migration.yaml?raw";
import expenseApproval from "../../definitions/expense-approval.yaml?raw";
import order from "../../definitions/order.yaml?raw";
import orderSaga from "../../definitions/order-saga.yaml?raw";
import managerApproval from "../../definitions/manager-approval.yaml?raw";
import reminders from "../../definitions/reminders.yaml?raw";
import flakyApi from "../../definitions/flaky-api.yaml?raw";
import fanOut from "../../definitions/fan-out-fan-in.yaml?raw";
import webhook from "../../definitions/webhook-callback.yaml?raw";
import timeoutFallback from "../../definitions/timeout-fallback.yaml?raw";
import imagePipeline from "../../definitions/image-pipeline.yaml?raw";
import userLifecycle from "../../definitions/user-lifecycle.yaml?raw";
import dataPipeline from "../../definitions/data-pipeline.yaml?raw";
import humanApproval from "../../definitions/human-approval.yaml?raw";
import parallelFanOut from "../../definitions/parallel-fan-out.yaml?raw";
import fastestQuote from "../../definitions/fastest-quote.yaml?raw";

const svc = (p: string): string => `${origin()}/svc${p}`;
const paths = (cs: Call[]): string[] => cs.map((c) => `${c.method} ${c.path.replace(/^\/svc/, "")}`);
const bodyOf = (c: Call | undefined): Record<string, unknown> => JSON.parse(c?.body ?? "null") as Record<string, unknown>;

beforeEach(async () => {
  await fetch(`${origin()}/__reset?prefix=/svc`);
});

async function errorOf(intro: { getError(): Promise<{ message: string }> }) {
  const e = await intro.getError();
  return decodeErrorMessage(e.message) ?? { name: "?", message: e.message, node: "?" };
}
async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://flowdsl.test${path}`, { method, headers: { authorization: "Bearer test-token", "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("invoice (000: 503 → retry, 418 → stop, 202 + Location, S3 PDF, AI, e-mail)", () => {
  it("creates, waits for issue, downloads, parses and sends, each exactly once where it must be", async () => {
    await script({
      "/svc/accounting/invoices": [{ status: 503, times: 2 }, { status: 202, headers: { Location: svc("/accounting/invoices/INV-1") } }],
      "/svc/accounting/invoices/INV-1": [{ status: 200, body: { status: "pending" }, times: 1 }, { status: 200, body: { status: "issued", number: "2026-001", pdfUrl: svc("/files/inv-1.pdf") } }],
      "/svc/files/inv-1.pdf": [{ status: 200, body: "%PDF-1.7 invoice", headers: { "content-type": "application/pdf" } }],
      "/svc/ai/@cf/meta/llama-3.2-11b-vision-instruct": [{ status: 200, body: { result: { html: "<h1>Invoice 2026-001</h1>" } } }],
    });
    const { id, intro } = await start(definition(invoice), { data: { customer: { email: "ada@example.com" }, lines: [{ item: "consulting", price: 100 }] } });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ invoice: "2026-001", sentTo: "ada@example.com" });
    const all = await calls("/svc/");
    expect(paths(all)).toEqual([
      "POST /accounting/invoices", "POST /accounting/invoices", "POST /accounting/invoices",
      "GET /accounting/invoices/INV-1", "GET /accounting/invoices/INV-1",
      "GET /files/inv-1.pdf",
      "POST /ai/@cf/meta/llama-3.2-11b-vision-instruct",
      "POST /mail/send",
    ]);
    expect(new Set(all.slice(0, 3).map((c) => c.headers["idempotency-key"]))).toEqual(new Set([`${id}:create invoice`]));
    expect(bodyOf(all[6]).pdf).toBe(btoa("%PDF-1.7 invoice"));
    expect(bodyOf(all[7])).toEqual({ to: "ada@example.com", subject: "Invoice 2026-001", html: "<h1>Invoice 2026-001</h1>" });
    await intro.dispose();
  });

  it("418 stops at once: one call, nothing downloaded or sent", async () => {
    await script({ "/svc/accounting/invoices": [{ status: 418 }] });
    const { intro } = await start(definition(invoice), { data: { customer: { email: "ada@example.com" } } });
    await intro.waitForStatus("errored");
    expect(await errorOf(intro)).toMatchObject({ name: "HttpError", status: 418, node: "create invoice" });
    expect(paths(await calls("/svc/"))).toEqual(["POST /accounting/invoices"]);
    await intro.dispose();
  });
});

describe("onboarding (001)", () => {
  it("creates the profile in D1, queues the welcome e-mail, stores settings in KV", async () => {
    const { id, intro } = await start(definition(onboarding), { email: "grace@example.com", name: "Grace" });
    await intro.waitForStatus("complete");
    const userId = `u-${id}`;
    expect(await intro.getOutput()).toEqual({ userId });
    expect(await testEnv.DB.prepare("SELECT email, name FROM users WHERE id = ?").bind(userId).first()).toEqual({ email: "grace@example.com", name: "Grace" });
    expect(await testEnv.KV.get(`settings:${userId}`, "json")).toEqual({ theme: "light", language: "en", notifications: true });
    const queued = await eventually(() => calls("/svc/queue/"), (c) => c.length > 0);
    expect(queued.map(bodyOf)).toEqual([{ template: "welcome", to: "grace@example.com", name: "Grace", userId }]);
    await intro.dispose();
  });

  it("an invalid e-mail fails with InvalidUser before anything is written", async () => {
    const { id, intro } = await start(definition(onboarding), { email: "not-an-email", name: "X" });
    await intro.waitForStatus("errored");
    expect(await errorOf(intro)).toMatchObject({ name: "InvalidUser", node: "validate user" });
    expect(await testEnv.KV.get(`settings:u-${id}`)).toBeNull();
    await intro.dispose();
  });
});

describe("payment (002: idempotency keys, upsert)", () => {
  it("charges once with the same key across retries and marks the order paid", async () => {
    await script({ "/svc/payment/charge": [{ status: 503, times: 1 }, { status: 200, body: { transactionId: "tx-9" } }] });
    const { id, intro } = await start(definition(payment), { orderId: "o-1", amount: 42.5 });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ orderId: "o-1", transactionId: "tx-9" });
    const charges = await calls("/svc/payment/charge");
    expect(charges).toHaveLength(2);
    expect(charges.map((c) => c.headers["idempotency-key"])).toEqual([`${id}:charge payment`, `${id}:charge payment`]);
    expect(await testEnv.DB.prepare("SELECT status, transaction_id AS tx, amount FROM orders WHERE id = 'o-1'").first()).toEqual({ status: "paid", tx: "tx-9", amount: 42.5 });
    await intro.dispose();
  });
});

describe("preferences (002: error categorisation, graceful degradation)", () => {
  it.for([
    { what: "the service answers", answers: [{ status: 200, body: { theme: "dark" } }], out: { theme: "dark", source: "profile service" }, tries: 1 },
    { what: "a client error is not retried", answers: [{ status: 404 }], out: { theme: "light", language: "en", notifications: true, source: "defaults" }, tries: 1 },
    { what: "a server error is retried, then degrades", answers: [{ status: 503 }], out: { theme: "light", language: "en", notifications: true, source: "defaults" }, tries: 3 },
  ])("$what", async ({ answers, out, tries }) => {
    await script({ "/svc/profile/users/u1/preferences": answers });
    const { intro } = await start(definition(preferences), { userId: "u1" });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual(out);
    expect(await calls("/svc/profile/")).toHaveLength(tries);
    await intro.dispose();
  });
});

describe("circuit-breaker (002)", () => {
  it("opens after three failures in a row, shared across instances: the fourth never calls out", async () => {
    await testEnv.KV.delete("circuit:external-api");
    await script({ "/svc/external/data": [{ status: 500 }] });
    for (let i = 0; i < 4; i++) {
      const { intro } = await start(definition(circuitBreaker), { query: `q${i}` });
      await intro.waitForStatus("complete");
      const out = (await intro.getOutput()) as { degraded: boolean; reason: string };
      expect(out.degraded).toBe(true);
      expect(out.reason).toContain(i < 3 ? "failed (500)" : "circuit open");
      await intro.dispose();
    }
    expect(await calls("/svc/external/data")).toHaveLength(3);
    await script({ "/svc/external/data": [{ status: 200, body: { rows: 1 } }] });
    await testEnv.KV.put("circuit:external-api", JSON.stringify({ failures: 3, openedAt: Date.now() - 61_000 }));
    const { intro } = await start(definition(circuitBreaker), { query: "after reset" });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ rows: 1 });
    expect(await testEnv.KV.get("circuit:external-api")).toBeNull();
    await intro.dispose();
  });
});

describe("video-processing (002: polling with exponential backoff)", () => {
  it("polls until complete", async () => {
    await script({
      "/svc/processor/jobs": [{ status: 200, body: { jobId: "j1" } }],
      "/svc/processor/jobs/j1/status": [{ status: 200, body: { state: "processing" }, times: 2 }, { status: 200, body: { state: "complete" } }],
    });
    const { intro } = await start(definition(videoProcessing), { videoId: "v1" });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ videoId: "v1", jobId: "j1", status: "complete" });
    expect(paths(await calls("/svc/processor/"))).toEqual(["POST /processor/jobs", "GET /processor/jobs/j1/status", "GET /processor/jobs/j1/status", "GET /processor/jobs/j1/status"]);
    await intro.dispose();
  });

  it("a failed job fails at once", async () => {
    await script({ "/svc/processor/jobs": [{ status: 200, body: { jobId: "j2" } }], "/svc/processor/jobs/j2/status": [{ status: 200, body: { state: "failed", error: "codec" } }] });
    const { intro } = await start(definition(videoProcessing), { videoId: "v2" });
    await intro.waitForStatus("errored");
    expect(await errorOf(intro)).toMatchObject({ name: "ProcessingFailed", message: "Processing failed: codec", node: "poll[0]/processing failed" });
    await intro.dispose();
  });
});

describe("data-migration (002: progress tracking)", () => {
  it("migrates in batches, in order, and records 100% progress", async () => {
    const { intro } = await start(definition(dataMigration), { jobId: "m1", totalRecords: 25, batchSize: 10 });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ status: "complete", batches: 3 });
    expect((await calls("/svc/legacy/migrate")).map(bodyOf)).toEqual([{ offset: 0, limit: 10 }, { offset: 10, limit: 10 }, { offset: 20, limit: 10 }]);
    expect(await testEnv.DB.prepare("SELECT progress FROM migration_jobs WHERE id = 'm1'").first()).toEqual({ progress: 100 });
    await intro.dispose();
  });
});

describe("expense-approval (002: approval with timeout and escalation)", () => {
  it("approved by the manager: the action runs", async () => {
    const { intro } = await start(definition(expenseApproval), { requestId: "r1", amount: 90 }, { modify: (m) => m.mockEvent({ type: "approval-decision", payload: { approved: true, approverId: "manager" } }) });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ requestId: "r1", approved: true, approver: "manager" });
    expect(paths(await calls("/svc/"))).toEqual(["POST /chat/approvals", "POST /payment/payouts"]);
    await intro.dispose();
  });

  it("no answer in 48 hours: escalates to the senior manager, who decides", async () => {
    const { intro } = await start(definition(expenseApproval), { requestId: "r2", amount: 5000 }, {
      modify: async (m) => {
        await m.forceEventTimeout({ name: "primary approval/wait for primary approval" });
        await m.mockEvent({ type: "approval-decision", payload: { approved: false, approverId: "senior" } });
      },
    });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ requestId: "r2", approved: false, approver: "senior" });
    const all = await calls("/svc/");
    expect(paths(all)).toEqual(["POST /chat/approvals", "POST /chat/approvals"]);
    expect(bodyOf(all[1])).toMatchObject({ to: "senior-manager@example.com", escalated: true });
    await intro.dispose();
  });
});

describe("order (002/004: parent and child workflows)", () => {
  it("waits for the payment child, then starts fulfillment without waiting", async () => {
    await script({ "/svc/payment/charge": [{ status: 200, body: { transactionId: "tx-o7" } }], "/svc/inventory/shipments": [{ status: 200, body: { shipment: "s-1" } }] });
    const { intro } = await start(definition(order), { orderId: "o-7", amount: 10 });
    await intro.waitForStatus("complete");
    const out = (await intro.getOutput()) as Record<string, string>;
    expect(out).toMatchObject({ orderId: "o-7", status: "processing", transactionId: "tx-o7" });
    expect(out.fulfillment).toMatch(/-c[0-9a-f]{16}$/);
    expect(await testEnv.DB.prepare("SELECT status FROM orders WHERE id = 'o-7'").first()).toEqual({ status: "paid" });
    const shipped = await eventually(() => calls("/svc/inventory/shipments"), (c) => c.length > 0);
    expect(shipped.map(bodyOf)).toEqual([{ orderId: "o-7" }]);
    expect(await calls("/svc/payment/charge")).toHaveLength(1);
    await intro.dispose();
  });
});

describe("order-saga (003: saga)", () => {
  it("all steps succeed", async () => {
    await script({ "/svc/inventory/reservations": [{ status: 200, body: { id: "R1" } }], "/svc/payment/charge": [{ status: 200, body: { id: "P1" } }] });
    const { intro } = await start(definition(orderSaga), { orderId: "o-1", items: ["a"], paymentMethod: "card" });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ orderId: "o-1", reservation: "R1", payment: "P1" });
    expect(paths(await calls("/svc/"))).toEqual(["POST /inventory/reservations", "POST /payment/charge", "POST /inventory/orders/o-1/confirm"]);
    await intro.dispose();
  });

  it("confirmation fails: refund, then release, once each; the original error stands", async () => {
    await script({
      "/svc/inventory/reservations": [{ status: 200, body: { id: "R2" } }],
      "/svc/payment/charge": [{ status: 200, body: { id: "P2" } }],
      "/svc/inventory/orders/o-2/confirm": [{ status: 409, body: { reason: "sold out" } }],
    });
    const { intro } = await start(definition(orderSaga), { orderId: "o-2", items: ["a"], paymentMethod: "card" });
    await intro.waitForStatus("errored");
    const e = await errorOf(intro);
    expect(e).toMatchObject({ name: "HttpError", status: 409, node: "confirm order" });
    expect(e.message).toContain("compensated: charge payment, reserve inventory");
    const all = await calls("/svc/");
    expect(paths(all)).toEqual(["POST /inventory/reservations", "POST /payment/charge", "POST /inventory/orders/o-2/confirm", "POST /payment/refunds", "DELETE /inventory/reservations/R2"]);
    expect(bodyOf(all[3])).toEqual({ paymentId: "P2" });
    await intro.dispose();
  });
});

describe("manager-approval (003: approval)", () => {
  it.for([
    { approved: true, outcome: "approved", last: "POST /jobs/actions" },
    { approved: false, outcome: "rejected", last: "POST /chat/messages" },
  ])("approved: $approved → $outcome", async ({ approved, outcome, last }) => {
    const { intro } = await start(definition(managerApproval), { approverEmail: "boss@example.com", action: "deploy" }, { modify: (m) => m.mockEvent({ type: "manager_approval", payload: { approved } }) });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toBe(outcome);
    expect(paths(await calls("/svc/"))).toEqual(["POST /chat/messages", last]);
    await intro.dispose();
  });
});

describe("reminders (003: scheduled reminders)", () => {
  it("sends three reminders, a day apart, in order", async () => {
    const { intro } = await start(definition(reminders), { userId: "u9" });
    await intro.waitForStatus("complete");
    expect((await calls("/svc/mail/reminders")).map(bodyOf)).toEqual([1, 2, 3].map((reminder) => ({ userId: "u9", reminder })));
    await intro.dispose();
  });
});

describe("flaky-api (003: retry with exponential backoff)", () => {
  it("succeeds on the fifth attempt", async () => {
    await script({ "/svc/external/flaky": [{ status: 500, times: 4 }, { status: 200, body: { value: 7 } }] });
    const { intro } = await start(definition(flakyApi));
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ value: 7 });
    expect(await calls("/svc/external/flaky")).toHaveLength(5);
    await intro.dispose();
  });
});

describe("fan-out-fan-in (003)", () => {
  it("processes every item and aggregates the successes", async () => {
    await script({ "/svc/processor/items/3": [{ status: 200, body: { ok: false } }], ...Object.fromEntries([1, 2, 4, 5, 6].map((i) => [`/svc/processor/items/${i}`, [{ status: 200, body: { ok: true } }]])) });
    const { intro } = await start(definition(fanOut), { items: [1, 2, 3, 4, 5, 6].map((id) => ({ id })) });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ total: 6, success: 5 });
    expect(await calls("/svc/processor/items/")).toHaveLength(6);
    await intro.dispose();
  });
});

describe("webhook-callback (003)", () => {
  it("starts the job with its callback address, and the callback through the API completes it", async () => {
    await script({ "/svc/jobs/jobs": [{ status: 200, body: { jobId: "job-7" } }] });
    const started = await api("POST", "/workflows/webhook-callback", { payload: { n: 1 } });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    const intro = await introspectWorkflowInstance(workflowOf("webhook-callback"), id);
    const [job] = await eventually(() => calls("/svc/jobs/jobs"), (c) => c.length > 0);
    expect(bodyOf(job)).toEqual({ payload: { n: 1 }, callback: { instanceId: id, event: "job_complete" } });
    expect((await api("POST", `/instances/${id}/events/job_complete`, { status: "done" })).status).toBe(202);
    await intro.waitForStatus("complete");
    expect((await api("GET", `/instances/${id}`)).body).toMatchObject({ status: "complete", output: { jobId: "job-7", status: "done" } });
    await intro.dispose();
  });
});

describe("timeout-fallback (003)", () => {
  it("the answer arrives in time", async () => {
    const { intro } = await start(definition(timeoutFallback), { key: "k1" }, { modify: (m) => m.mockEvent({ type: "api_response", payload: { price: 9 } }) });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ price: 9 });
    await intro.dispose();
  });

  it("on timeout the cached value from KV is used", async () => {
    await testEnv.KV.put("cache:k2", JSON.stringify({ price: 3, cached: true }));
    const { intro } = await start(definition(timeoutFallback), { key: "k2" }, { modify: (m) => m.forceEventTimeout({ name: "wait for answer/wait for API" }) });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ price: 3, cached: true });
    await intro.dispose();
  });
});

describe("image-pipeline (004)", () => {
  it("describes the image with AI, waits for approval, publishes it", async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 255]);
    await testEnv.BUCKET.put("uploads/cat.png", bytes, { httpMetadata: { contentType: "image/png" } });
    await script({ "/svc/ai/@cf/llava-hf/llava-1.5-7b-hf": [{ status: 200, body: { result: { description: "a cat" } } }] });
    const { intro } = await start(definition(imagePipeline), { imageKey: "uploads/cat.png" }, { modify: (m) => m.mockEvent({ type: "approved", payload: {} }) });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ published: "public/uploads/cat.png", description: "a cat" });
    const [ai] = await calls("/svc/ai/");
    expect(bodyOf(ai)).toEqual({ image: btoa(String.fromCharCode(...bytes)), prompt: "Describe this image", max_tokens: 50 });
    const published = await testEnv.BUCKET.get("public/uploads/cat.png");
    expect(new Uint8Array(await published!.arrayBuffer())).toEqual(bytes);
    await intro.dispose();
  });

  it("a missing image fails with NotFound before calling AI", async () => {
    const { intro } = await start(definition(imagePipeline), { imageKey: "uploads/none.png" });
    await intro.waitForStatus("errored");
    expect(await errorOf(intro)).toMatchObject({ name: "NotFound", node: "missing image" });
    expect(await calls("/svc/ai/")).toEqual([]);
    await intro.dispose();
  });
});

describe("user-lifecycle (004)", () => {
  it.for([
    { user: "u-active", status: "active", converted: true, mails: ["welcome"] },
    { user: "u-trial", status: "trial", converted: false, mails: ["welcome", "trial-ending"] },
  ])("$status user: mails $mails", async ({ user, status, converted, mails }) => {
    await testEnv.DB.prepare("CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, email TEXT UNIQUE NOT NULL, name TEXT NOT NULL, avatar_url TEXT, subscription_status TEXT NOT NULL DEFAULT 'trial')").run();
    await testEnv.DB.prepare("INSERT OR REPLACE INTO users (id, email, name, subscription_status) VALUES (?, ?, ?, ?)").bind(user, `${user}@example.com`, user, status).run();
    const { intro } = await start(definition(userLifecycle), { userId: user, email: `${user}@example.com` });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ converted });
    expect((await calls("/svc/mail/send")).map((c) => bodyOf(c).template)).toEqual(mails);
    await intro.dispose();
  });
});

describe("data-pipeline (004)", () => {
  it("extracts, transforms, stores in R2 and loads 150 rows into D1 in chunks of 100", async () => {
    const source = Array.from({ length: 150 }, (_, i) => ({ id: `r${i}`, name: ` item ${i} ` }));
    await script({ "/svc/external/source": [{ status: 503, times: 1 }, { status: 200, body: source }] });
    const { intro } = await start(definition(dataPipeline), { sourceUrl: svc("/external/source") });
    await intro.waitForStatus("complete");
    const out = (await intro.getOutput()) as { stored: string; loaded: number };
    expect(out.loaded).toBe(150);
    const stored = (await (await testEnv.BUCKET.get(out.stored))!.json()) as Array<{ id: string; normalized: string }>;
    expect(stored).toHaveLength(150);
    expect(stored[7]).toEqual({ id: "r7", normalized: "ITEM 7" });
    expect(await testEnv.DB.prepare("SELECT COUNT(*) AS n FROM records WHERE id LIKE 'r%'").first()).toEqual({ n: 150 });
    expect(await calls("/svc/external/source")).toHaveLength(2);
    await intro.dispose();
  });
});

describe("human-approval (004: human in the loop)", () => {
  it.for([
    { what: "approved", modify: "event" as const, status: "approved" },
    { what: "nobody answers in 48 hours", modify: "timeout" as const, status: "auto-rejected" },
  ])("$what → $status in D1", async ({ modify, status }) => {
    const { id, intro } = await start(definition(humanApproval), { userId: "u1" }, {
      modify: (m) => (modify === "event" ? m.mockEvent({ type: "approval-response", payload: { approved: true } }) : m.forceEventTimeout({ name: "decision/wait for approval" })),
    });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ status });
    expect(await testEnv.DB.prepare("SELECT status FROM approvals WHERE id = ?").bind(id).first()).toEqual({ status });
    await intro.dispose();
  });
});

describe("parallel-fan-out (004)", () => {
  it("processes every file listed in R2", async () => {
    const prefix = `incoming-${Date.now()}/`;
    for (let i = 0; i < 5; i++) await testEnv.BUCKET.put(`${prefix}f${i}.txt`, "one two three".slice(0, 3 + i * 2));
    await script({ "/svc/processor/files": [{ status: 200, body: { words: 2 } }] });
    const { intro } = await start(definition(parallelFanOut), { prefix });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ files: 5, words: 10 });
    expect((await calls("/svc/processor/files")).map((c) => bodyOf(c).key).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${prefix}f${i}.txt`));
    await intro.dispose();
  });
});

describe("fastest-quote (004: race)", () => {
  it("takes the first answer; both services were asked once", async () => {
    await script({ "/svc/quotes/primary/sku-1": [{ status: 200, body: { price: 10 }, delayMs: 400 }], "/svc/quotes/backup/sku-1": [{ status: 200, body: { price: 12 } }] });
    const { intro } = await start(definition(fastestQuote), { sku: "sku-1" });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ source: "backup", price: 12 });
    expect(await calls("/svc/quotes/backup/")).toHaveLength(1);
    await intro.dispose();
  });
});

describe("daily-report (004: scheduled chain)", () => {
  it("the cron trigger starts one instance per tick, which runs the daily task and the weekly follow-up", async () => {
    await using all = await introspectWorkflow(workflowOf("daily-report"));
    await all.modifyAll(async (m) => m.disableSleeps());
    const scheduledTime = Date.UTC(2026, 10, 21, 6, 0, 0);
    for (let i = 0; i < 2; i++) {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ cron: "0 6 * * *", scheduledTime }), testEnv, ctx);
      await waitOnExecutionContext(ctx);
    }
    const id = await idempotentId("daily-report", `schedule:${scheduledTime}:0 6 * * *`);
    const instance = await introspectWorkflowInstance(workflowOf("daily-report"), id);
    await instance.waitForStatus("complete");
    expect(await instance.getOutput()).toEqual({ day: "2026-11-21T06:00:00.000Z" });
    expect(paths(await calls("/svc/reports/"))).toEqual(["POST /reports/daily", "POST /reports/weekly"]);
    const other = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime }), testEnv, other);
    await waitOnExecutionContext(other);
    expect(await calls("/svc/reports/")).toHaveLength(2);
    await instance.dispose();
  });
});

describe("terminate with compensation", () => {
  it("stops a waiting instance where it waits, runs the compensations registered so far once, and ends it terminated", async () => {
    const base = `${origin()}/tc-${Date.now()}`;
    await script({ [new URL(`${base}/reserve`).pathname]: [{ status: 200, body: { id: "R-1" } }] });
    const started = await api("POST", "/workflows/t-saga-wait", { base });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    await eventually(() => calls(new URL(`${base}/reserve`).pathname), (c) => c.length === 1);
    // The wait must have begun (it is in the engine's history) before the terminate.
    await new Promise((r) => setTimeout(r, 500));
    const t = await api("POST", `/instances/${id}/terminate`, { compensate: true });
    expect(t.status).toBe(202);
    expect(t.body).toMatchObject({ compensate: true, stopsAt: "approval" });
    const done = await eventually(() => api("GET", `/instances/${id}`), (r) => r.body.status === "terminated", 20_000);
    expect(done.body.status).toBe("terminated");
    expect(paths(await calls(new URL(base).pathname))).toEqual([`POST ${new URL(base).pathname}/reserve`, `POST ${new URL(base).pathname}/release/R-1`]);
    // Finished: an event now is refused, and nothing more runs.
    expect((await api("POST", `/instances/${id}/events/approve`, {})).status).toBe(409);
  });
});

describe("the engine refusing a start", () => {
  // Cloudflare's creation rate limit is the outside world here: the local engine has none, so a
  // binding stands in that refuses the way Cloudflare's does, in front of the real one.
  const refusing = (message: string) => ({
    ...testEnv,
    FLOW_HELLO: { create: () => Promise.reject(new Error(message)), get: (id: string) => workflowOf("hello").get(id), createBatch: () => Promise.reject(new Error(message)) },
  });
  async function startWith(env: unknown, key: string) {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request("http://flowdsl.test/workflows/hello", { method: "POST", headers: { authorization: "Bearer test-token", "content-type": "application/json", "idempotency-key": key }, body: JSON.stringify({ name: "Ida" }) }), env as typeof testEnv, ctx);
    await waitOnExecutionContext(ctx);
    return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as { id?: string; error?: { code: string } } };
  }

  it.for([
    { what: "for rate", message: "workflows.api.error.rate_limited: too many requests (429)", status: 429, code: "RATE_LIMITED" },
    { what: "for another reason", message: "internal error", status: 503, code: "ENGINE_UNAVAILABLE" },
  ])("$what answers $status, keeps no row, and spends no key", async ({ message, status, code }) => {
    const key = `refused-${code}-${Date.now()}`;
    const refused = await startWith(refusing(message), key);
    expect(refused.status).toBe(status);
    expect(refused.body.error?.code).toBe(code);
    if (status === 429) expect(refused.retryAfter).toBe("1");
    const id = await idempotentId("hello", key);
    expect((await api("GET", `/instances/${id}`)).status).toBe(404);
    const retried = await startWith(testEnv, key);
    expect(retried.status).toBe(201);
    expect(retried.body.id).toBe(id);
    await workflowOf("hello").get(id).then((h) => h.terminate());
  });
});

describe("instance history", () => {
  it("maps the engine's events onto nodes: attempts of a retried call, its errors, and the end", async () => {
    const base = `${origin()}/hist-${Date.now()}`;
    await script({ [new URL(`${base}/flaky`).pathname]: [{ status: 503, times: 2 }, { status: 200, body: { ok: true } }] });
    const intro = await introspectWorkflow(workflowOf("t-http-retry"));
    await intro.modifyAll(async (m) => m.disableRetryDelays());
    const started = await api("POST", "/workflows/t-http-retry", { base });
    const id = started.body.id as string;
    await eventually(() => api("GET", `/instances/${id}`), (r) => r.body.status === "complete", 20_000);
    const h = (await api("GET", `/instances/${id}/history`)).body as unknown as {
      status: string;
      waitingFor: unknown;
      nodes: Array<{ path: string; kind: string; name: string; step: string; state: string; attempts: number }>;
      events: Array<{ type: string; path?: string; kind?: string; attempt?: number; error?: { message: string }; output?: unknown }>;
    };
    expect(h.status).toBe("complete");
    expect(h.waitingFor).toBeNull();
    expect(h.nodes).toEqual([expect.objectContaining({ path: "/steps/0", kind: "http", name: "call flaky", step: "call flaky", state: "complete", attempts: 3 })]);
    const errored = h.events.filter((e) => e.type === "attempt_errored");
    expect(errored.map((e) => [e.path, e.attempt])).toEqual([["/steps/0", 1], ["/steps/0", 2]]);
    expect(errored[0]!.error?.message).toMatch(/answered 503/);
    expect(h.events.find((e) => e.type === "step_completed")).toMatchObject({ path: "/steps/0", kind: "http", output: { ok: true } });
    expect(h.events.at(-1)?.type).toBe("workflow_completed");
    await intro.dispose();
  });
});

describe("race losers never take a later node's event", () => {
  // Round 1 is won by "approve"; its losing wait for "reject" stays registered in the engine
  // (Cloudflare cannot cancel a wait). Round 2's "reject" must still reach round 2.
  type History = { nodes: Array<{ step: string; state: string }> };
  const waitingIn = async (id: string, step: string) =>
    eventually(
      () => api("GET", `/instances/${id}/history`),
      (r) => ((r.body as unknown as History).nodes ?? []).some((n) => n.step === step && n.state === "waiting"),
      20_000,
    );

  it.for([
    { what: "while the instance runs", pause: false },
    { what: "when the event arrives while it is paused, so a replay re-registers every wait", pause: true },
  ])("in a loop of two races between approve and reject ($what)", async ({ pause }) => {
    const started = await api("POST", "/workflows/t-race-loop", {});
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    await waitingIn(id, "rounds[0]/decide/no/rejected");
    expect((await api("POST", `/instances/${id}/events/approve`, { by: "Ada" })).status).toBe(202);
    await waitingIn(id, "rounds[1]/decide/no/rejected");
    if (pause) expect((await api("POST", `/instances/${id}/pause`)).status).toBe(202);
    expect((await api("POST", `/instances/${id}/events/reject`, { by: "Bob" })).status).toBe(202);
    if (pause) {
      await new Promise((r) => setTimeout(r, 300));
      expect((await api("POST", `/instances/${id}/resume`)).status).toBe(202);
    }
    const done = await eventually(() => api("GET", `/instances/${id}`), (r) => r.body.status === "complete" || r.body.status === "errored", 20_000);
    expect(done.body.status).toBe("complete");
    expect(done.body.output).toEqual(["yes", "no"]);
    // The loser of round 1 handed its event back once, through its claim step.
    const h = (await api("GET", `/instances/${id}/history`)).body as unknown as History;
    expect(h.nodes.filter((n) => n.step === "rounds[0]/decide/no/rejected/claim").length).toBe(1);
  });
});

describe("instances pin their definition by name and hash", () => {
  it("params carry no definition; the version is stored once, and an instance of an earlier version runs that version", async () => {
    const started = await api("POST", "/workflows/t-basic", { name: "ada" });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    await eventually(() => api("GET", `/instances/${id}`), (r) => r.body.status === "complete", 20_000);
    const handle = await workflowOf("t-basic").get(id);
    const first = (await readEvents(handle)).find((e) => e.type === "workflow_started") as { params?: Record<string, unknown> } | undefined;
    expect(Object.keys(first?.params ?? {}).sort()).toEqual(["hash", "input", "name"]);
    const built = DEFINITIONS["t-basic"]!;
    const stored = await testEnv.DB.prepare("SELECT name, definition FROM flowdsl_definitions WHERE hash = ?").bind(built.hash).first<{ name: string; definition: string }>();
    expect(stored?.name).toBe("t-basic");
    expect(JSON.parse(stored!.definition)).toEqual(built.definition);

    // An earlier version of t-basic (another hash), stored when its first instance started.
    const earlier = { ...built.definition, output: { version: "earlier", who: "{% $who %}" } };
    await testEnv.DB.prepare("INSERT INTO flowdsl_definitions (hash, name, definition, created) VALUES (?, ?, ?, ?)").bind("0123456789abcdef", "t-basic", JSON.stringify(earlier), Date.now()).run();
    const old = await workflowOf("t-basic").create({ id: uniqueId("pinned"), params: { name: "t-basic", hash: "0123456789abcdef", input: { name: "bob" } } });
    const done = await eventually(() => old.status(), (s) => s.status === "complete" || s.status === "errored", 20_000);
    expect(done.output).toEqual({ version: "earlier", who: "bob" });

    // A version found nowhere fails with a message that says so.
    const lost = await workflowOf("t-basic").create({ id: uniqueId("lost"), params: { name: "t-basic", hash: "ffffffffffffffff", input: {} } });
    const failed = await eventually(() => lost.status(), (s) => s.status === "errored", 20_000);
    expect(failed.error?.message).toMatch(/neither built into this Worker nor stored in D1/);
  });
});
