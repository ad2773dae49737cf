// (6) The web page: its size (gzip, everything it loads: one HTML response) and how long the
// browser takes to lay out and draw a 200-node definition (real Chromium, the page's own code).
import { gzipSync } from "node:zlib";
import { graphOf } from "../src/model/graph.js";
import { modelOf } from "../src/model/model.js";
import { PAGE_HTML } from "../src/generated/web.js";
import { launchBrowser } from "../test/browser.js";
import { median, type Row } from "./stats.js";

/** 200 nodes: sequences, cases, loops and branches, as a large real definition has. */
function bigDefinition(): unknown {
  const steps: unknown[] = [];
  for (let i = 0; i < 20; i++) {
    steps.push({ do: `prepare ${i}`, value: i });
    steps.push({ switch: `route ${i}`, cases: [{ when: "$x", steps: [{ http: `call ${i}`, url: "https://a.example.com" }] }], default: [{ do: `skip ${i}`, value: 0 }] });
    steps.push({ foreach: `items ${i}`, in: "[1, 2]", steps: [{ do: `work ${i}`, value: 1 }, { sleep: `pause ${i}`, for: "1s" }] });
    steps.push({ parallel: `fan ${i}`, branches: { a: [{ do: `a ${i}`, value: 1 }], b: [{ do: `b ${i}`, value: 1 }] } });
  }
  return { name: "big", steps };
}

export async function benchWeb(runs: number): Promise<Row[]> {
  const graph = graphOf(modelOf(bigDefinition() as { steps: unknown[] }));
  const nodes = graph.nodes.filter((n) => n.path !== null).length;
  const kib = gzipSync(PAGE_HTML).length / 1024;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.setContent(PAGE_HTML);
    const times: number[] = [];
    for (let r = 0; r < Math.max(runs, 7); r++) {
      times.push(
        await page.evaluate((g) => {
          // Runs in the page (this file is type-checked without the DOM library).
          interface El { append(e: unknown): void; getBoundingClientRect(): unknown; remove(): void }
          const w = globalThis as unknown as { document: { createElement(t: string): El; body: { append(e: El): void } }; flowdsl: { renderGraph(x: unknown): unknown } };
          const t0 = performance.now();
          const host = w.document.createElement("div");
          host.append(w.flowdsl.renderGraph(g));
          w.document.body.append(host);
          host.getBoundingClientRect(); // the browser lays the SVG out too
          const ms = performance.now() - t0;
          host.remove();
          return ms;
        }, graph),
      );
    }
    const ms = median(times);
    return [
      { group: "web", measure: "the page and everything it loads (one HTML response), gzip", value: `${kib.toFixed(1)} KiB`, target: "≤ 200 KiB", ok: kib <= 200 },
      { group: "web", measure: `lay out and draw a ${nodes}-node definition in Chromium (dagre + SVG)`, value: `${ms.toFixed(0)} ms`, target: "≤ 500 ms", ok: ms <= 500 },
    ];
  } finally {
    await browser.close();
  }
}
