#!/usr/bin/env bash
# The action's lint step, as the runner calls it: GITHUB_ACTION_PATH (this repository),
# GITHUB_WORKSPACE (the checkout, the current directory), GITHUB_OUTPUT, and the inputs
# as INPUT_* variables. It writes the SARIF file, prints the workflow annotations
# (--format github) and sets the outputs sarif, errors and warnings.
set -euo pipefail
lint=(node "${GITHUB_ACTION_PATH:?}/bin/dmabuf-lint.js")
cd "${GITHUB_WORKSPACE:-.}"

# Paths and extra options split on white space, never expanded by this shell: a quoted
# glob reaches dmabuf-lint as written.
set -f
# shellcheck disable=SC2206
paths=(${INPUT_PATHS:-.})
# shellcheck disable=SC2206
extra=(${INPUT_ARGS:-})
set +f
sarif="${INPUT_SARIF:-dmabuf-lint.sarif}"
mkdir -p "$(dirname "$sarif")"

# SARIF first: code scanning gets every result, also when the annotations run fails.
status=0
"${lint[@]}" --format sarif "${extra[@]}" -- "${paths[@]}" > "$sarif" || status=$?
if [ "$status" -ge 2 ]; then
  echo "::error::dmabuf-lint could not run (exit status $status)"
  rm -f "$sarif"
  exit "$status"
fi
echo "sarif=$sarif" >> "${GITHUB_OUTPUT:?}"

# The counts, from the SARIF just written (one result per diagnostic).
node -e '
  const runs = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runs;
  const results = runs.flatMap((r) => r.results);
  const n = (l) => results.filter((r) => r.level === l).length;
  console.log(`errors=${n("error")}\nwarnings=${n("warning")}`);
' "$sarif" >> "$GITHUB_OUTPUT"

status=0
GITHUB_ACTIONS=true "${lint[@]}" --format github "${extra[@]}" -- "${paths[@]}" || status=$?
if [ "$status" -eq 1 ] && [ "${INPUT_FAIL_ON_ERROR:-true}" = "false" ]; then
  echo "dmabuf-lint reported errors; fail-on-error is false"
  exit 0
fi
exit "$status"
