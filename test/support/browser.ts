/**
 * Opens a page in Debian's headless Chromium (/usr/bin/chromium, or PERF_BASELINE_CHROMIUM) through
 * playwright-core, with no browser download, no network services and a fresh profile folder per launch.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

/** The system Chromium the tests drive. */
export const CHROMIUM = process.env.PERF_BASELINE_CHROMIUM ?? "/usr/bin/chromium";

/** Chromium's flags: headless, no sandbox (root in CI), nothing that reaches the network on its own. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches Chromium with a fresh user-data dir; close() removes it. */
export async function launchChromium() {
  const profile = mkdtempSync(join(tmpdir(), "pb-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
