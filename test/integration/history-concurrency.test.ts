/**
 * Eight processes add 50 results each (and one result they all share) at once, to SQLite and to PostgreSQL:
 * every result is found, none twice, and they form one comparability group. PostgreSQL runs when
 * PERF_BASELINE_TEST_PG names a server (an admin URL; .ci/run starts one); each run creates and drops a
 * database of its own, so two concurrent runs never collide.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHistoryStore } from "../../src/history/open.js";
import { resultDigest } from "../../src/history/row.js";
import { buildTrends } from "../../src/history/trend.js";
import { ROOT, runCli } from "../support/cli.js";
import { generationSeries } from "../support/history-fixtures.js";

const WORKERS = 8;
const EACH = 50;
const PG_ADMIN = process.env.PERF_BASELINE_TEST_PG;

function writer(location: string, worker: number): Promise<{ added: number; duplicates: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "test", "support", "history-writer.ts"),
        location,
        String(worker),
        String(EACH),
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`writer ${worker} exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

async function expectAllOnce(location: string) {
  const outcomes = await Promise.all(Array.from({ length: WORKERS }, (_, w) => writer(location, w)));
  const total = WORKERS * EACH + 1;
  expect(outcomes.reduce((n, o) => n + o.added, 0)).toBe(total);
  expect(outcomes.reduce((n, o) => n + o.duplicates, 0)).toBe(WORKERS - 1);
  const store = await openHistoryStore(location);
  try {
    expect(await store.count()).toBe(total);
    const rows = await store.list({ limit: 10_000 });
    expect(rows).toHaveLength(total);
    const digests = new Set(rows.map((r) => r.digest));
    expect(digests.size).toBe(total);
    const expected = [
      ...Array.from({ length: WORKERS }, (_, w) =>
        generationSeries(EACH, { seed: 100 + w, start: new Date(Date.UTC(2026, 0, 1 + w)) }),
      ).flat(),
      ...generationSeries(1, { seed: 7, start: new Date(Date.UTC(2025, 0, 1)) }),
    ].map(resultDigest);
    expect(expected.filter((d) => !digests.has(d))).toEqual([]);
    const trends = await buildTrends(store, "generation", "tokens_per_second");
    expect(trends.groups).toHaveLength(1);
    expect(trends.groups[0]?.points).toHaveLength(total);
  } finally {
    await store.close();
  }
}

describe("history store under 8 concurrent writers", () => {
  it("SQLite: all 401 results stored, none twice", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-history-conc-"));
    try {
      await expectAllOnce(join(dir, "history.sqlite"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.skipIf(!PG_ADMIN)("PostgreSQL (PERF_BASELINE_TEST_PG)", () => {
    const dbName = `pb_test_${process.pid}_${Date.now().toString(36)}`;
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

    it("all 401 results stored, none twice", async () => {
      await expectAllOnce(url);
    });

    it("history commands read the same store", () => {
      const r = runCli(["history", "trend", "--mode", "generation", "--history", url, "--last", "3"]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`${WORKERS * EACH + 1} points`);
    });
  });

  it.runIf(!PG_ADMIN)(
    "PostgreSQL part skipped: set PERF_BASELINE_TEST_PG to an admin URL (.ci/run does)",
    () => {
      process.stderr.write(
        "history-concurrency: PostgreSQL tests skipped: PERF_BASELINE_TEST_PG is not set (bash .ci/start-postgres.sh prints a URL)\n",
      );
    },
  );
});

describe("a store that cannot be reached", () => {
  it("is one line naming the store without its password, exit 8", () => {
    const r = runCli(["history", "list", "--history", "postgres://someone:s3cret@127.0.0.1:1/nothing"], {
      timeoutMs: 30_000,
    });
    expect(r.status).toBe(8);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toContain("s3cret");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^perf-baseline: history store postgres:\/\/someone@127\.0\.0\.1:1\/nothing: cannot be reached \((connect )?ECONNREFUSED.*\): start the server or fix --history\n$/,
    );
  });
});
