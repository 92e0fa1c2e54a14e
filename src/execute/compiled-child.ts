/**
 * The engine process script as plain JavaScript, for runs under valgrind: compiling TypeScript on the fly
 * (tsx) under valgrind would cost minutes of emulated esbuild. An installed package already runs dist/; a
 * clone compiles its sources once per content (tsc -p tsconfig.build.json) into
 * node_modules/.cache/perf-baseline-child/<hash>/dist, beside a copy of package.json (ESM, and the tool's
 * version), where node still resolves the project's node_modules.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeDirsSync } from "../util/atomic-file.js";
import { EngineError } from "../util/errors.js";
import { engineProcessCommand } from "./engine-process/supervisor.js";

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile() && p.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}

/** A digest of the sources and the compiler settings: a compiled copy is reused only for the same code. */
export function sourcesDigest(root: string): string {
  const h = createHash("sha256");
  for (const f of ["tsconfig.json", "tsconfig.build.json", "package.json"]) {
    const p = join(root, f);
    if (existsSync(p)) h.update(f).update(readFileSync(p));
  }
  for (const f of filesUnder(join(root, "src"))) h.update(f.slice(root.length)).update(readFileSync(f));
  return h.digest("hex").slice(0, 16);
}

/**
 * True when node arguments run compiled JavaScript only (an installed package runs dist/), false when they
 * name a TypeScript source (a clone: tsx's loader and child.ts).
 */
export function isCompiledCommand(args: readonly string[]): boolean {
  return !args.some((arg) => arg.endsWith(".ts"));
}

/**
 * The node arguments of a compiled engine process: engineProcessCommand() when this code is already compiled,
 * else the child.js of a compiled copy of the sources (compiled now when missing).
 * @param detail progress lines (compiling takes a while)
 * @throws EngineError when tsc fails.
 */
export function compiledChildCommand(detail: (line: string) => void = () => {}): string[] {
  const cmd = engineProcessCommand();
  if (isCompiledCommand(cmd)) return cmd;
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const digest = sourcesDigest(root);
  const base = join(root, "node_modules", ".cache", "perf-baseline-child");
  const dir = join(base, digest);
  const child = join(dir, "dist", "execute", "engine-process", "child.js");
  if (existsSync(child)) return [child];
  detail(`compiling the engine process for valgrind into ${dir}`);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  makeDirsSync(tmp);
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(
    process.execPath,
    [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", join(tmp, "dist")],
    {
      encoding: "utf8",
      timeout: 600_000,
      cwd: root,
    },
  );
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const why = (r.stdout || r.stderr || r.error?.message || "").split("\n")[0];
    throw new EngineError(`cannot compile the engine process for valgrind (tsc): ${why}`);
  }
  copyFileSync(join(root, "package.json"), join(tmp, "package.json"));
  // compiled copies of other sources older than a day go (a newer one may be in use by a run in progress)
  if (existsSync(base))
    for (const e of readdirSync(base)) {
      const p = join(base, e);
      if (e !== digest && Date.now() - statSync(p).mtimeMs > 86_400_000)
        rmSync(p, { recursive: true, force: true });
    }
  if (existsSync(dir)) rmSync(tmp, { recursive: true, force: true });
  else {
    makeDirsSync(dirname(dir));
    renameSync(tmp, dir);
  }
  return [child];
}
