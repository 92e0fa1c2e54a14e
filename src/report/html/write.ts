/**
 * writeHtmlReport: one self-contained HTML page (uPlot and its CSS inlined, the data embedded as JSON, no
 * network) with the trends, the candidates' rounds against the baseline's, serving latency percentiles and
 * the gate's evidence table. Standalone so that it can be registered in the report-format registry.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { atomicWriteText } from "../../util/atomic-file.js";
import { CLIENT_JS, PAGE_CSS } from "./client.js";
import type { HtmlReportInput } from "./types.js";

/** The report's file name inside its folder. */
export const HTML_REPORT_FILE = "report.html";

let uplotCache: { js: string; css: string } | null = null;

/** uPlot's minified build and stylesheet, read from the installed package (inlined into the page). */
function uplotAssets(): { js: string; css: string } {
  if (!uplotCache) {
    const require = createRequire(import.meta.url);
    const dist = join(require.resolve("uplot/package.json"), "..", "dist");
    uplotCache = {
      js: readFileSync(join(dist, "uPlot.iife.min.js"), "utf8"),
      css: readFileSync(join(dist, "uPlot.min.css"), "utf8"),
    };
  }
  return uplotCache;
}

/** Text safe inside an HTML element. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element (no "</script>", no HTML comment openers). */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

/** The page's HTML for an input. Pure apart from reading uPlot's files once. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const u = uplotAssets();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(input.title)}</title>
<style>${u.css}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(input.title)}</h1><p class="meta">generated ${escapeHtml(input.generated_at.replace("T", " ").slice(0, 19))} UTC · ${input.sources.map(escapeHtml).join(" · ")}</p></header>
<main id="app"><noscript>This report draws its charts with JavaScript.</noscript></main>
<script type="application/json" id="report-data">${scriptJson(input)}</script>
<script>${u.js}</script>
<script>${CLIENT_JS}</script>
</body>
</html>
`;
}

/**
 * Writes the report into `dir` (created when missing) as report.html, atomically.
 * @returns the path of the page.
 * @throws OutputNotWritableError when the folder cannot be written.
 */
export function writeHtmlReport(dir: string, input: HtmlReportInput): string {
  const path = join(dir, HTML_REPORT_FILE);
  atomicWriteText(path, renderHtmlReport(input));
  return path;
}
