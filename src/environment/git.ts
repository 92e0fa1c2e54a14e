import { execFileSync } from "node:child_process";

/** The repository state a result was produced from. */
export interface GitInfo {
  commit: string;
  dirty: boolean;
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync("git", args, {
      cwd,
      encoding: "utf8",
      timeout: 5000,
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return null;
  }
}

/** The commit of the repository at `cwd` and whether its work tree has changes; null outside a repository. */
export function gitInfo(cwd = process.cwd()): GitInfo | null {
  const commit = git(["rev-parse", "HEAD"], cwd);
  if (!commit) return null;
  const status = git(["status", "--porcelain", "--untracked-files=no"], cwd);
  return { commit, dirty: status !== null && status !== "" };
}

/**
 * Paths changed between `commit` and the work tree, limited to `pathspecs`; null when git cannot tell
 * (no repository, or the commit is unknown here, as in a shallow clone).
 */
export function changedPathsSince(
  commit: string,
  pathspecs: readonly string[],
  cwd = process.cwd(),
): string[] | null {
  if (git(["cat-file", "-e", `${commit}^{commit}`], cwd) === null) return null;
  const out = git(["diff", "--name-only", commit, "--", ...pathspecs], cwd);
  if (out === null) return null;
  return out.split("\n").filter((l) => l !== "");
}
