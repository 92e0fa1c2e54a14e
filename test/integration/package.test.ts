/**
 * The package as npm installs it (npm pack, a git URL, a tarball): bin/ and the compiled dist/, no src/, no
 * tsx at run time. Built here into a temporary folder (never into the repository, so that two test runs do
 * not collide), then run from there on the real engine.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseResult } from "../../src/results/io.js";
import { ROOT } from "../support/cli.js";

describe("the installed package", () => {
  it("runs its bin from dist/ without the sources", () => {
    const pkg = mkdtempSync(join(tmpdir(), "pb-package-"));
    const files = (
      JSON.parse(execFileSync("npm", ["pkg", "get", "files"], { cwd: ROOT, encoding: "utf8" })) as string[]
    ).map((f) => f.replace(/\/$/, ""));
    expect(files).toContain("dist");
    expect(files).not.toContain("src");
    for (const f of [...files.filter((f) => f !== "dist"), "package.json"])
      cpSync(join(ROOT, f), join(pkg, f), { recursive: true });
    execFileSync(
      process.execPath,
      [
        join(ROOT, "node_modules/typescript/bin/tsc"),
        "-p",
        join(ROOT, "tsconfig.build.json"),
        "--outDir",
        join(pkg, "dist"),
      ],
      {
        cwd: ROOT,
        stdio: "pipe",
      },
    );
    symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
    expect(readdirSync(pkg)).not.toContain("src");
    const run = (args: string[]) =>
      spawnSync(process.execPath, [join(pkg, "bin", "perf-baseline.js"), ...args], {
        cwd: pkg,
        encoding: "utf8",
        env: { ...process.env, CI: "true" },
        timeout: 180_000,
      });
    const help = run(["--help"]);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/Usage: perf-baseline <command>/);
    const bench = run(["bench", "--rounds", "1", "--warmup", "0", "--max-new-tokens", "2"]);
    expect(bench.status, bench.stderr).toBe(0);
    const r = parseResult(JSON.parse(bench.stdout), "stdout");
    expect(r.engine.name).toBe("llama-cpp");
    expect(r.samples).toHaveLength(1);
  });
});
