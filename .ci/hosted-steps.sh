#!/usr/bin/env bash
# Runs the steps of the perf-ab job of .github/workflows/ci.yml (a pull request on a GitHub-hosted runner)
# here, since the hosted workflow cannot run outside GitHub: install, valgrind where it can be installed, the
# A/B of BASE_REF against this working tree (check-release --against) with its evidence folder and job
# summary. The pull-request comment needs GitHub: its command is printed, not run.
#
#   .ci/hosted-steps.sh [BASE_REF]        BASE_REF: the revision to compare with (default: main)
#   EVIDENCE_DIR=DIR .ci/hosted-steps.sh  the evidence folder (default: evidence/hosted-<time>)
#
# Exit code: check-release's (0 PASS, 1 REGRESSION, 3 INCONCLUSIVE, 4 INCOMPARABLE; others are errors).
set -uo pipefail
cd "$(dirname "$0")/.."
base_ref="${1:-main}"
evidence="${EVIDENCE_DIR:-evidence/hosted-$(date -u +%Y%m%dT%H%M%SZ)}"
export CI=true
summary="$(mktemp)"
export GITHUB_STEP_SUMMARY="$summary"
trap 'rm -f "$summary"' EXIT

# step "Install": npm ci (skipped when make's install stamp says node_modules matches the lock file)
if [ ! -f node_modules/.perf-baseline-installed ] || [ package-lock.json -nt node_modules/.perf-baseline-installed ]; then
  npm ci --no-audit --no-fund || exit 2
fi

# step "valgrind, for the instruction counts": where it is missing and can be installed
if ! command -v valgrind >/dev/null; then
  sudo=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then sudo="sudo -n"; fi
  { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends valgrind; } </dev/null >/dev/null 2>&1 ||
    echo "hosted-steps: valgrind not installed (instruction counts are skipped)" >&2
fi

# step "A/B of the base branch against the pull request, gated"
node bin/perf-baseline.js check-release --against "$base_ref" --evidence-dir "$evidence"
status=$?

echo "--- job summary (\$GITHUB_STEP_SUMMARY) ---"
cat "$summary"
echo "--- step \"Comment the report on the pull request\" needs GitHub; it would run:"
echo "gh pr comment \"\$PR_NUMBER\" --body-file $evidence/report.md"
exit "$status"
