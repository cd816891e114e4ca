#!/usr/bin/env bash
# The action's first step: install and build dmabuf-lint in the action's own folder
# (npm ci runs the `prepare` build), unless a build is there already.
set -euo pipefail
cd "${GITHUB_ACTION_PATH:?}"
if [ -f dist/cli.js ] && [ -f dist/server.js ]; then
  echo "dmabuf-lint is built"
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
