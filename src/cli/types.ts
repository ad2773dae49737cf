// `flowdsl types [--out FILE]`: TypeScript types for every definition's input (from its JSON
// Schema, with json-schema-to-typescript) and a typed client for the HTTP API.
import { compile } from "json-schema-to-typescript";
import type { JSONSchema } from "json-schema-to-typescript";

export interface TypeSource {
  name: string;
  input: unknown;
}

const pascal = (name: string): string => name.replace(/(^|-)([a-z0-9])/g, (_m, _d: string, c: string) => c.toUpperCase());

export async function generateTypes(defs: TypeSource[]): Promise<string> {
  const parts: string[] = [];
  for (const d of defs) {
    const schema = (d.input && typeof d.input === "object" ? { ...(d.input as object) } : { type: "object" }) as JSONSchema;
    delete (schema as { $schema?: unknown }).$schema;
    parts.push(await compile(schema, `${pascal(d.name)}Input`, { bannerComment: "", additionalProperties: false, strictIndexSignatures: true, unknownAny: true, format: false }));
  }
  const inputs = defs.map((d) => `  ${JSON.stringify(d.name)}: ${pascal(d.name)}Input;`).join("\n");
  return `/* generated — do not edit: \`flowdsl types\` writes it from definitions/. */
${parts.join("\n")}
/** Each definition's start params, by name. */
export interface Inputs {
${inputs}
}
export type WorkflowName = keyof Inputs;

export interface Started { id: string; name: string; hash: string; created?: boolean }
export interface Status { id: string; name: string; hash: string; status: string; waitingFor: unknown; output: unknown; error: { name: string; message: string; node?: string; status?: number } | null }
export interface ApiError { code: string; message: string; details?: unknown }

export class FlowdslError extends Error {
  constructor(readonly status: number, readonly error: ApiError) {
    super(\`\${error.code}: \${error.message}\`);
  }
}

export interface ClientOptions {
  /** The Worker's address, e.g. https://flowdsl.example.workers.dev */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
}

/** A client for the flowdsl API, typed by the definitions' input schemas. */
export function createClient(o: ClientOptions) {
  const f = o.fetch ?? fetch;
  async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await f(o.baseUrl.replace(/\\/$/, "") + path, { method, headers: { authorization: \`Bearer \${o.token}\`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const data: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) throw new FlowdslError(res.status, (data as { error: ApiError }).error);
    return data as T;
  }
  const id = (s: string): string => encodeURIComponent(s);
  return {
    start: <N extends WorkflowName>(name: N, input: Inputs[N], opts: { idempotencyKey?: string } = {}) => call<Started>("POST", \`/workflows/\${id(name)}\`, input, opts.idempotencyKey ? { "idempotency-key": opts.idempotencyKey } : {}),
    startBatch: <N extends WorkflowName>(name: N, inputs: Array<Inputs[N]>) => call<Started[]>("POST", \`/workflows/\${id(name)}/batch\`, inputs),
    status: (instance: string) => call<Status>("GET", \`/instances/\${id(instance)}\`),
    history: (instance: string) => call<{ nodes: unknown[]; events: unknown[]; waitingFor: unknown }>("GET", \`/instances/\${id(instance)}/history\`),
    sendEvent: (instance: string, type: string, payload?: unknown) => call<{ accepted: boolean }>("POST", \`/instances/\${id(instance)}/events/\${id(type)}\`, payload ?? null),
    pause: (instance: string) => call<{ accepted: boolean }>("POST", \`/instances/\${id(instance)}/pause\`),
    resume: (instance: string) => call<{ accepted: boolean }>("POST", \`/instances/\${id(instance)}/resume\`),
    restart: (instance: string, from?: string) => call<{ accepted: boolean }>("POST", \`/instances/\${id(instance)}/restart\`, from ? { from } : undefined),
    terminate: (instance: string, opts: { compensate?: boolean } = {}) => call<{ accepted: boolean }>("POST", \`/instances/\${id(instance)}/terminate\`, opts),
    remove: (instance: string) => call<null>("DELETE", \`/instances/\${id(instance)}\`),
  };
}
`;
}
