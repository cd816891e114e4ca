#!/usr/bin/env bash
# The pre-commit hooks' entry (.pre-commit-hooks.yaml, `language: script`): pre-commit
# runs it from its clone of this repository, in the user's repository, with the staged
# files as arguments. The first run installs and builds dmabuf-lint inside the clone
# (npm ci runs the `prepare` build); later runs reuse it.
#
# Not `language: node`: pre-commit installs those with `npm pack` and reads the
# tarball's name from its output, which npm 10 and later mixes with the banner of the
# `prepare` script.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -f "$here/dist/cli.js" ] || [ ! -f "$here/dist/server.js" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
exec node "$here/dist/cli.js" "$@"
