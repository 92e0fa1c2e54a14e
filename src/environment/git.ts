import { execFileSync } from "node:child_process";

/** The repository state a result was produced from. */
export interface GitInfo {
  commit: string;
  dirty: boolean;
}

/**
 * What git said about the repository at a folder: its state, or why it gave none. `unavailable` is git's
 * own reason in one line (e.g. "detected dubious ownership in repository at '/src'", "not a git repository
 * (or any of the parent directories): .git", "git is not installed (spawn git ENOENT)"); null when `git` is set.
 */
export interface GitProvenance {
  git: GitInfo | null;
  unavailable: string | null;
}

/** The output of one git command, or why git failed (its first `fatal:`/`error:` line, else its first line). */
type GitOutcome = { ok: true; out: string } | { ok: false; why: string };

/** The first line of git's stderr that says what went wrong, without its "fatal: " prefix. */
export function gitReason(stderr: string, fallback: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const line = lines.find((l) => /^(fatal|error):/.test(l)) ?? lines[0];
  return line ? line.replace(/^(fatal|error):\s*/, "") : fallback;
}

function runGit(args: string[], cwd: string): GitOutcome {
  try {
    const out = execFileSync("git", args, {
      cwd,
      encoding: "utf8",
      timeout: 5000,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { ok: true, out: out.trim() };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string | Buffer; status?: number | null };
    if (e.code === "ENOENT") return { ok: false, why: `git is not installed (${e.message})` };
    if (e.code === "ETIMEDOUT") return { ok: false, why: "git did not answer within 5 s" };
    const stderr = typeof e.stderr === "string" ? e.stderr : (e.stderr?.toString("utf8") ?? "");
    return { ok: false, why: gitReason(stderr, `git exited with status ${e.status ?? "unknown"}`) };
  }
}

/**
 * The commit of the repository at `cwd` and whether its work tree has changes, or git's reason for giving
 * none (outside a repository, a repository git refuses to read, git missing). Never throws.
 */
export function gitProvenance(cwd = process.cwd()): GitProvenance {
  const head = runGit(["rev-parse", "HEAD"], cwd);
  if (!head.ok) return { git: null, unavailable: head.why };
  if (head.out === "") return { git: null, unavailable: "git rev-parse HEAD printed nothing" };
  const status = runGit(["status", "--porcelain", "--untracked-files=no"], cwd);
  return { git: { commit: head.out, dirty: status.ok && status.out !== "" }, unavailable: null };
}

/** The commit of the repository at `cwd` and whether its work tree has changes; null when git gives none. */
export function gitInfo(cwd = process.cwd()): GitInfo | null {
  return gitProvenance(cwd).git;
}

/**
 * What changed between a commit and the work tree under some paths: the paths, `unknown_commit` when the
 * repository does not hold the commit (a shallow clone), or `unavailable` with git's reason when git cannot
 * read the repository at all (no repository, dubious ownership, git missing).
 */
export type PathsSince = string[] | { unknown_commit: true } | { unavailable: string };

/**
 * Paths changed between `commit` and the work tree, limited to `pathspecs` (see {@link PathsSince}).
 */
export function changedPathsSince(
  commit: string,
  pathspecs: readonly string[],
  cwd = process.cwd(),
): PathsSince {
  const repo = runGit(["rev-parse", "--git-dir"], cwd);
  if (!repo.ok) return { unavailable: repo.why };
  if (!runGit(["cat-file", "-e", `${commit}^{commit}`], cwd).ok) return { unknown_commit: true };
  const out = runGit(["diff", "--name-only", commit, "--", ...pathspecs], cwd);
  if (!out.ok) return { unavailable: out.why };
  return out.out.split("\n").filter((l) => l !== "");
}
