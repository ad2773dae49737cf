// Starts the stand-in for the outside world before the workerd tests and hands its port over.
import type { TestProject } from "vitest/node";
import { startMockServer } from "../mock-server.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startMockServer();
  project.provide("mockPort", server.port);
  return () => server.close();
}

declare module "vitest" {
  export interface ProvidedContext {
    mockPort: number;
  }
}
