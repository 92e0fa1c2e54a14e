/**
 * Issue 20 item 1, for real: a small tmpfs (64 KiB) filled until a few KiB are free. Every file the tool
 * writes is complete or not there: `bench -o` over a valid result keeps the old file and exits non-zero with
 * one line naming the path and ENOSPC; `report --html` does not say "wrote" and leaves no page; the SQLite
 * history stays readable and the command that could not add to it fails with one line. Needs root (mount);
 * skipped elsewhere, with the reason in the test's name. The tmpfs is unmounted in afterAll.
 */
import { spawnSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/util/errors.js";
import { type CliRun, runCli } from "../support/cli.js";
import { sayWhySkipped } from "../support/skips.js";

const mnt = mkdtempSync(join(tmpdir(), "pb-full-disk-"));
const fixture = join(import.meta.dirname, "..", "fixtures", "result-generation.json");

/** Mounts the tmpfs; null when mounted, else why the tests are skipped. */
function mountTmpfs(): string | null {
  if (process.getuid?.() !== 0) return "not root: mounting a tmpfs needs root";
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], { encoding: "utf8" });
  if (r.status !== 0) return `mount -t tmpfs failed: ${(r.stderr || r.error?.message || "").trim()}`;
  return null;
}
const skipped = mountTmpfs();

afterAll(() => {
  if (skipped === null) spawnSync("umount", [mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

/** Fills the tmpfs with a filler file, then frees `free` bytes of it (a multiple of the 4 KiB page). */
function fillDisk(free: number): void {
  const filler = join(mnt, "filler");
  const fd = openSync(filler, "w");
  const chunk = Buffer.alloc(4096, 0x61);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  }
  ftruncateSync(fd, Math.max(0, fstatSync(fd).size - free));
  closeSync(fd);
}

function emptyDisk(): void {
  for (const n of readdirSync(mnt)) rmSync(join(mnt, n), { recursive: true, force: true });
}

/** One line on stderr naming the path and the cause, a non-zero exit, no stack trace. */
function expectDiskFullLine(run: CliRun, path: string) {
  expect(run.signal).toBeNull();
  expect(run.status).not.toBe(0);
  const lines = run.stderr.trim().split("\n");
  const last = lines[lines.length - 1] ?? "";
  expect(last, run.stderr).toMatch(/^perf-baseline: /);
  expect(last).toContain(path);
  expect(last).toMatch(/ENOSPC|SQLITE_FULL|full/);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

sayWhySkipped(skipped !== null, "a full disk (a 64 KiB tmpfs)", skipped ?? "");

describe.skipIf(skipped !== null)(`a full disk${skipped ? ` (skipped: ${skipped})` : ""}`, () => {
  it("bench -o over a valid result keeps the old file and exits non-zero with one line", () => {
    emptyDisk();
    const out = join(mnt, "baseline.json");
    copyFileSync(fixture, out);
    const before = readFileSync(out);
    fillDisk(4096);
    const run = runCli(["bench", "--rounds", "1", "-o", out]);
    expectDiskFullLine(run, out);
    expect(run.status).toBe(EXIT.output);
    expect(readFileSync(out).equals(before)).toBe(true);
    expect(readdirSync(mnt).sort()).toEqual(["baseline.json", "filler"]);
  });

  it("report --html on a full disk does not print wrote and leaves no page", () => {
    emptyDisk();
    fillDisk(8192);
    const dir = join(mnt, "html");
    const run = runCli(["report", "--html", dir, fixture]);
    expect(run.stdout + run.stderr).not.toMatch(/wrote/);
    expectDiskFullLine(run, join(dir, "report.html"));
    expect(existsSync(join(dir, "report.html"))).toBe(false);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it("the SQLite history on a full disk stays intact; the add fails with one line", () => {
    emptyDisk();
    // SQLite's WAL and shared-memory files need more room than 64 KiB to work at all
    expect(spawnSync("mount", ["-o", "remount,size=1m", mnt]).status).toBe(0);
    const db = join(mnt, "history", "history.db");
    mkdirSync(join(mnt, "history"));
    const first = runCli(["history", "import", fixture, "--history", db]);
    expect(first.status, first.stderr).toBe(0);
    const listed = runCli(["history", "list", "--json", "--history", db]);
    expect(listed.status, listed.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(fixture, "utf8"));
    doc.notes = "n".repeat(60_000); // a row larger than anything left on the disk
    const other = join(tmpdir(), `pb-full-disk-other-${process.pid}.json`);
    writeFileSync(other, JSON.stringify(doc));
    fillDisk(0);
    const add = runCli(["history", "import", other, "--history", db]);
    rmSync(other);
    expectDiskFullLine(add, db);
    // the store is intact: once there is space again, it lists what it held before
    rmSync(join(mnt, "filler"));
    const after = runCli(["history", "list", "--json", "--history", db]);
    expect(after.status, after.stderr).toBe(0);
    expect(after.stdout).toBe(listed.stdout);
  });
});
