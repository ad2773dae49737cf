// The HTML shell of the web page; the build inlines the bundled app and this style into it,
// so the Worker serves one self-contained response (no CDN, works offline).
export const STYLE = `
:root { font-family: system-ui, sans-serif; color: #1d2433; background: #fafbfd; }
body { margin: 0; }
header { display: flex; gap: 1rem; align-items: center; padding: .6rem 1.2rem; background: #1f2a44; color: #fff; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
#token { margin-left: auto; }
#token input { width: 14rem; }
main { padding: 1rem 1.2rem; }
h1 small { font-size: .55em; color: #667; font-weight: normal; }
table.list { border-collapse: collapse; width: 100%; }
table.list td, table.list th { border-bottom: 1px solid #e2e6ef; padding: .3rem .5rem; text-align: left; font-size: .9rem; }
.cols { display: flex; gap: 1.5rem; align-items: flex-start; flex-wrap: wrap; }
.cols > section { flex: 1 1 22rem; min-width: 0; }
section.graph { overflow: auto; background: #fff; border: 1px solid #e2e6ef; border-radius: 6px; padding: .5rem; }
pre { background: #fff; border: 1px solid #e2e6ef; border-radius: 6px; padding: .6rem; overflow: auto; font-size: .85rem; }
pre.yaml .ln { display: inline-block; width: 2.5rem; color: #99a; user-select: none; text-align: right; margin-right: .8rem; }
.field { display: flex; flex-direction: column; margin-bottom: .5rem; }
.field small { color: #667; }
.actions { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; margin-bottom: 1rem; }
.actions form { display: flex; gap: .3rem; }
#error { background: #fbeaea; color: #8a2b2b; padding: .5rem 1.2rem; }
g.node[data-state="running"] > :first-child { fill: #dbe8ff; stroke: #2f6fd6; }
g.node[data-state="retrying"] > :first-child { fill: #ffe9cc; stroke: #d98a00; }
g.node[data-state="sleeping"] > :first-child { fill: #ece3fb; stroke: #7a52c7; }
g.node[data-state="waiting"] > :first-child { fill: #fff6c7; stroke: #b89400; }
g.node[data-state="complete"] > :first-child { fill: #dcf3e2; stroke: #2e8b57; }
g.node[data-state="failed"] > :first-child { fill: #fbdcdc; stroke: #c0392b; }
g.node[data-state="compensated"] > :first-child { fill: #d9f1f1; stroke: #1b7f7f; }
.status-complete, .state-complete { color: #2e8b57; }
.status-errored, .state-failed { color: #c0392b; }
.status-running, .state-running { color: #2f6fd6; }
.state-waiting, .state-sleeping { color: #9a7a00; }
`;

/** The app as it stands inside the page's one <script> element (the CSP hashes exactly this text). */
export const inlineScript = (script: string): string => script.replace(/<\/script/gi, "<\\/script");

/**
 * The page's Content-Security-Policy: its one script and one style by their SHA-256 hashes (no
 * 'unsafe-inline'), data only from this origin, never framed, no <base>, forms only to itself.
 */
export function pageCsp(hashes: { script: string; style: string }): string {
  return [
    "default-src 'none'",
    `script-src 'sha256-${hashes.script}'`,
    `style-src 'sha256-${hashes.style}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join("; ");
}

export function pageHtml(script: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>flowdsl</title><style>${STYLE}</style></head>
<body><header><a href="#/">flowdsl</a><span>workflows</span>
<div id="token" hidden><form id="token-form"><label>API token <input name="token" type="password" autocomplete="off"></label> <button>Use</button> <span id="token-why"></span></form></div></header>
<div id="error" hidden></div><main></main>
<script>${inlineScript(script)}</script></body></html>
`;
}
