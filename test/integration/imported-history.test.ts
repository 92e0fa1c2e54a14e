/**
 * `history import` of other tools' files through the CLI, then `history trend`: SQLite always, and PostgreSQL
 * when PERF_BASELINE_TEST_PG names a server (an admin URL; .ci/run starts one; each run creates and drops a
 * database of its own). The same file imported twice is stored once; the groups' headings name the format.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { sayWhySkipped } from "../support/skips.js";

const IMP = join(import.meta.dirname, "..", "fixtures", "import");
const PG_ADMIN = process.env.PERF_BASELINE_TEST_PG;

function importTwiceAndTrend(location: string): void {
  const files = [join(IMP, "llama-bench", "readme.json"), join(IMP, "hyperfine", "export.json")];
  const first = runCli(["history", "import", "--history", location, "--json", ...files]);
  expect(first.stderr).toBe("");
  expect(first.status).toBe(0);
  const doc = JSON.parse(first.stdout) as { imported: { added: number; duplicates: number; tests: number } };
  expect(doc.imported.added).toBe(doc.imported.tests);
  expect(doc.imported.added).toBeGreaterThanOrEqual(3);
  const again = runCli(["history", "import", "--history", location, "--json", ...files]);
  expect(JSON.parse(again.stdout).imported).toMatchObject({ added: 0, duplicates: doc.imported.tests });
  const trend = runCli(["history", "trend", "--mode", "generation", "--history", location]);
  expect(trend.status).toBe(0);
  expect(trend.stdout).toContain("imported llama-bench (llama-bench");
  expect(trend.stdout).toContain("imported hyperfine (hyperfine");
}

describe("history import of other tools' files", () => {
  it("SQLite", () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-imported-cli-"));
    try {
      importTwiceAndTrend(join(dir, "history.sqlite"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  sayWhySkipped(
    !PG_ADMIN,
    "imported results in a PostgreSQL store",
    "PERF_BASELINE_TEST_PG is not set (.ci/run sets it: bash .ci/start-postgres.sh)",
  );
  describe.skipIf(!PG_ADMIN)("PostgreSQL (PERF_BASELINE_TEST_PG)", () => {
    const dbName = `pb_imported_${process.pid}_${Date.now().toString(36)}`;
    let url = "";
    beforeAll(async () => {
      const admin = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 10_000 });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${dbName}`);
      await admin.end();
      const u = new URL(PG_ADMIN as string);
      u.pathname = `/${dbName}`;
      url = u.toString();
    });
    afterAll(async () => {
      const admin = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 10_000 });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    });

    it("imports, skips the same file, and draws the trend", () => {
      importTwiceAndTrend(url);
    });
  });
});
