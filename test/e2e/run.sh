#!/usr/bin/env bash
# End-to-end tests in real editors: `npm run test:e2e` (or `bash test/e2e/run.sh [vscode] [nvim] [emacs] [view] [precommit]`).
#
#   vscode  code-server 4.100.3 (VS Code 1.100.3, the last line that runs on Node 20) with the
#           packaged dmabuf-lens.vsix, driven in Debian's Chromium by playwright-core:
#           test/e2e/vscode.e2e.mjs (Problems panel, hover, quick fix, an edit; screenshots
#           in test/e2e/screenshots/), then test/e2e/vscode-views.e2e.mjs (Show topology, Show
#           P2P matrix: follow the editor, refresh on save, click to reveal).
#   nvim    Debian's Neovim, built-in LSP client, headless: test/e2e/nvim.lua; and the lint
#           mode without LSP (dmabuf-lint --stdin on the unsaved buffer): test/e2e/nvim-lint.lua.
#   emacs   Debian's Emacs with elpa-eglot, batch: test/e2e/eglot.el.
#   view    the topology SVG of every sample (dmabuf-lint graph) and the webview pages of
#           "Show topology" / "Show P2P matrix" under their CSP, in Debian's Chromium:
#           test/e2e/view.e2e.mjs (screenshots test/e2e/screenshots/view-*.png).
#   precommit .pre-commit-hooks.yaml through Debian's pre-commit (try-repo on HEAD):
#           test/e2e/precommit.sh.
#
# Installs what is missing, idempotently: the Debian packages (apt-get, as root), and
# code-server and playwright-core, pinned by test/e2e/tools/package.json and its lock, in
# test/e2e/.cache/ (git-ignored; delete it to start over). Nothing goes into the project's
# package.json or node_modules; the editors, code-server and Chromium keep their state in a temp dir.
#
# Environment: E2E_KEEP=1 keeps the temp dir (workspace, code-server log) for a look after;
# E2E_UPDATE_IMAGE=1 copies the hover screenshot to docs/images/vscode-hover.png (and, with
# view, sample 02's diagram to docs/images/topology.png).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E="$ROOT/test/e2e"
CACHE="$E2E/.cache"
SHOTS="$E2E/screenshots"
CS_DIR="$CACHE/node_modules/code-server"
VSCODE_DIR="$CS_DIR/lib/vscode"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
SERVER_JS="$ROOT/dist/server.js"

# ---------------------------------------------------------------- which tests, timings

ALL=(vscode nvim emacs view precommit)
if [ "$#" -gt 0 ]; then TESTS=("$@"); else TESTS=("${ALL[@]}"); fi
for t in "${TESTS[@]}"; do
  case "$t" in vscode | nvim | emacs | view | precommit) ;; *) echo "usage: $0 [vscode] [nvim] [emacs] [view] [precommit]" >&2; exit 2 ;; esac
done
wants() { local t; for t in "${TESTS[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }

now() { date +%s.%N; }
RUN_START="$(now)"
TIMINGS=()
PHASE_NAME=""
PHASE_START=""
phase() { # phase NAME: ends the previous phase (recording its time) and starts NAME
  local t; t="$(now)"
  if [ -n "$PHASE_NAME" ]; then
    TIMINGS+=("$(awk -v a="$PHASE_START" -v b="$t" -v n="$PHASE_NAME" 'BEGIN { printf "%-26s %6.1fs", n, b - a }')")
  fi
  PHASE_NAME="${1:-}"
  PHASE_START="$t"
  [ -n "$PHASE_NAME" ] && echo "== e2e: $PHASE_NAME"
  return 0
}

# ---------------------------------------------------------------- cleanup

TMP="$(mktemp -d /tmp/dmabuf-e2e.XXXXXX)"
CS_PGID=""
cleanup() {
  if [ -n "$CS_PGID" ]; then
    # code-server runs in its own process group (setsid): end it and its children.
    kill -TERM -- "-$CS_PGID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$CS_PGID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$CS_PGID" 2>/dev/null || true
  fi
  if [ "${E2E_KEEP:-}" = 1 ]; then echo "e2e: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- Debian packages

phase "Debian packages"
# g++, make and python3 build code-server's native modules.
APT=()
wants vscode && APT+=(chromium ripgrep libkrb5-dev g++ make python3)
wants nvim && APT+=(neovim)
wants emacs && APT+=(emacs-nox elpa-eglot)
# view installs code-server too (for playwright-core): the same build tools and rg.
wants view && APT+=(chromium ripgrep libkrb5-dev g++ make python3)
wants precommit && APT+=(pre-commit git)
MISSING=()
for p in "${APT[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || MISSING+=("$p")
done
if [ "${#MISSING[@]}" -gt 0 ]; then
  echo "e2e: installing ${MISSING[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "e2e: run as root, or first: sudo apt-get install --no-install-recommends ${MISSING[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${MISSING[@]}"
else
  echo "e2e: all there (${APT[*]})"
fi

# ---------------------------------------------------------------- code-server, playwright-core

timed() { # timed LABEL COMMAND...: runs COMMAND and says how long it took
  local label="$1" t; shift
  t="$(now)"
  "$@"
  awk -v a="$t" -v b="$(now)" -v n="$label" 'BEGIN { printf "e2e:   %s: %.1fs\n", n, b - a }'
}

in_dir() { # in_dir DIR COMMAND...: runs COMMAND in DIR
  local dir="$1"; shift
  (cd "$dir" && "$@")
}

install_tools() {
  # A plain `npm install code-server` fails here: as root its postinstall wants
  # --unsafe-perm, @vscode/ripgrep downloads rg from GitHub, and prebuilt native modules
  # are downloaded too. So: install without scripts, then build what is needed, as its
  # postinstall.sh would, with Debian's rg.
  rm -rf "$CACHE/node_modules" "$CACHE/.installed"
  mkdir -p "$CACHE"
  cp "$E2E/tools/package.json" "$E2E/tools/package-lock.json" "$CACHE/"
  timed "npm ci (code-server, playwright-core)" \
    in_dir "$CACHE" npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  # argon2 (code-server's password hashing, loaded even with --auth none).
  timed "build argon2" \
    in_dir "$CACHE" env npm_config_build_from_source=true npm rebuild argon2 --loglevel=error
  # VS Code's own modules (locked by its npm-shrinkwrap.json), without the dev ones.
  timed "npm install in lib/vscode" \
    in_dir "$VSCODE_DIR" npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
  mkdir -p "$VSCODE_DIR/node_modules/@vscode/ripgrep/bin"
  ln -sfn "$(command -v rg)" "$VSCODE_DIR/node_modules/@vscode/ripgrep/bin/rg"
  # kerberos, node-pty, spdlog, ... from source (kerberos needs libkrb5-dev); their prebuilt
  # downloads fail fast offline. Not npm_config_build_from_source: @parcel/watcher would
  # then compile (30 s) instead of taking its prebuilt @parcel/watcher-linux-x64-glibc.
  timed "build VS Code's native modules" \
    in_dir "$VSCODE_DIR" env npm_config_yes=true npm rebuild --loglevel=error
  # The links postinstall.sh makes.
  ln -sfn node_modules "$VSCODE_DIR/node_modules.asar"
  ln -sfn code-linux.sh "$VSCODE_DIR/bin/remote-cli/code-server"
  ln -sfn browser-linux.sh "$VSCODE_DIR/bin/helpers/browser.sh"
  cp "$E2E/tools/package-lock.json" "$CACHE/.installed"
}

if wants vscode || wants view; then # view needs only playwright-core, installed with code-server
  phase "code-server install"
  if [ -f "$CACHE/.installed" ] && cmp -s "$CACHE/.installed" "$E2E/tools/package-lock.json" &&
    [ -e "$VSCODE_DIR/node_modules/@vscode/ripgrep/bin/rg" ]; then
    echo "e2e: cached in $CACHE"
  else
    echo "e2e: installing code-server and playwright-core into $CACHE (about 300 MB)"
    install_tools
  fi
  echo "e2e: $(XDG_CONFIG_HOME="$TMP/xdg/config" XDG_DATA_HOME="$TMP/xdg/data" node "$CS_DIR/out/node/entry.js" --version | tail -1)"
fi

# ---------------------------------------------------------------- build, package

phase "build and package"
(cd "$ROOT" && npm run --silent build)
wants vscode && (cd "$ROOT" && npm run --silent package)

# The workspace: copies of the samples, and quickfix.dmabuf, sample 01 with a dynamic
# share that lacks move_notify (missing-notifier, whose quick fix adds it).
WS="$TMP/workspace"
mkdir -p "$WS"
cp "$ROOT"/samples/*.dmabuf "$WS/"
sed -n '/^share doorbells/q;p' "$ROOT/samples/01-vfio-switch.dmabuf" >"$WS/quickfix.dmabuf"
echo 'share doorbells -> gpu0 { attach dynamic peer2peer }' >>"$WS/quickfix.dmabuf"
IOMMU_SAMPLE="$WS/02-vfio-switch-iommu.dmabuf"

# From here on only the editors, code-server and Chromium run: they keep their state
# (crash reports, device id, logs) in the temp dir, not in your home.
mkdir -p "$TMP/home" "$TMP/xdg/config" "$TMP/xdg/data" "$TMP/xdg/cache" "$TMP/xdg/state"
export HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/xdg/config" XDG_DATA_HOME="$TMP/xdg/data" \
  XDG_CACHE_HOME="$TMP/xdg/cache" XDG_STATE_HOME="$TMP/xdg/state"

PASSED=()
FAILED=()
record() { # record NAME STATUS
  if [ "$2" = 0 ]; then PASSED+=("$1"); else FAILED+=("$1"); fi
}

# ---------------------------------------------------------------- VS Code (code-server + Chromium)

if wants vscode; then
  phase "vscode: start code-server"
  UD="$TMP/user-data"
  EXT="$TMP/extensions"
  mkdir -p "$UD/User" "$EXT"
  cat >"$UD/User/settings.json" <<'EOF'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "editor.hover.delay": 300
}
EOF
  CS=(node "$CS_DIR/out/node/entry.js" --user-data-dir "$UD" --extensions-dir "$EXT")
  "${CS[@]}" --install-extension "$ROOT/dmabuf-lens.vsix" >"$TMP/install-extension.log" 2>&1 ||
    { cat "$TMP/install-extension.log"; exit 1; }
  grep -h "successfully installed" "$TMP/install-extension.log" || true
  PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
  setsid "${CS[@]}" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
    --disable-workspace-trust --disable-getting-started-override "$WS" >"$TMP/code-server.log" 2>&1 &
  CS_PGID=$!
  # Poll /healthz (every 200 ms, for at most 60 s) while the process lives.
  if ! node -e '
    const [url, pid] = process.argv.slice(1);
    const deadline = Date.now() + 60000;
    const alive = () => { try { process.kill(Number(pid), 0); return true; } catch { return false; } };
    const poll = () => fetch(url).then((r) => r.ok, () => false).then((ok) => {
      if (ok) process.exit(0);
      if (!alive() || Date.now() > deadline) process.exit(1);
      setTimeout(poll, 200);
    });
    poll();' "http://127.0.0.1:$PORT/healthz" "$CS_PGID"; then
    echo "e2e: code-server did not come up on 127.0.0.1:$PORT" >&2
    cat "$TMP/code-server.log" >&2
    exit 1
  fi
  echo "e2e: code-server on http://127.0.0.1:$PORT/ (pid $CS_PGID)"

  phase "vscode: Chromium test"
  rm -f "$SHOTS"/vscode-*.png
  set +e
  E2E_URL="http://127.0.0.1:$PORT/?folder=$WS" E2E_WORKSPACE="$WS" E2E_SCREENSHOTS="$SHOTS" E2E_CACHE="$CACHE" CHROMIUM="$CHROMIUM" \
    timeout 300 node "$E2E/vscode.e2e.mjs"
  STATUS=$?
  set -e
  [ "$STATUS" = 0 ] || { echo "e2e: code-server log:"; tail -n 40 "$TMP/code-server.log"; }
  record vscode "$STATUS"
  if [ "$STATUS" = 0 ] && [ "${E2E_UPDATE_IMAGE:-}" = 1 ]; then
    mkdir -p "$ROOT/docs/images"
    cp "$SHOTS/vscode-02-hover.png" "$ROOT/docs/images/vscode-hover.png"
    echo "e2e: updated docs/images/vscode-hover.png"
  fi
  # The views (Show topology, Show P2P matrix) in the same code-server.
  phase "vscode: views"
  set +e
  E2E_URL="http://127.0.0.1:$PORT/?folder=$WS" E2E_WORKSPACE="$WS" E2E_SCREENSHOTS="$SHOTS" E2E_CACHE="$CACHE" CHROMIUM="$CHROMIUM" \
    timeout 300 node "$E2E/vscode-views.e2e.mjs"
  STATUS=$?
  set -e
  record vscode-views "$STATUS"
  kill -TERM -- "-$CS_PGID" 2>/dev/null || true
fi

# ---------------------------------------------------------------- Neovim, Emacs

if wants nvim; then
  phase "nvim"
  set +e
  (cd "$ROOT" && DMABUF_SERVER="$SERVER_JS" E2E_FILE="$IOMMU_SAMPLE" \
    timeout 120 nvim --headless -u NONE -i NONE -n -c "luafile $E2E/nvim.lua" </dev/null)
  STATUS=$?
  set -e
  record nvim "$STATUS"
  # The lint mode of docs/editors.md: the unsaved buffer through dmabuf-lint --stdin.
  phase "nvim: lint mode (--stdin)"
  set +e
  (cd "$ROOT" && DMABUF_LINT="$ROOT/dist/cli.js" E2E_FILE="$IOMMU_SAMPLE" \
    timeout 120 nvim --headless -u NONE -i NONE -n -c "luafile $E2E/nvim-lint.lua" </dev/null)
  STATUS=$?
  set -e
  record nvim-lint "$STATUS"
fi

if wants emacs; then
  phase "emacs"
  set +e
  (cd "$ROOT" && DMABUF_SERVER="$SERVER_JS" E2E_FILE="$IOMMU_SAMPLE" \
    timeout 120 emacs --batch -l "$E2E/eglot.el" 2>"$TMP/emacs.stderr" </dev/null)
  STATUS=$?
  set -e
  [ "$STATUS" = 0 ] || { echo "e2e: emacs stderr:"; tail -n 40 "$TMP/emacs.stderr"; }
  record emacs "$STATUS"
fi

# ---------------------------------------------------------------- views (Chromium)

if wants view; then
  phase "view: Chromium"
  set +e
  E2E_SCREENSHOTS="$SHOTS" E2E_CACHE="$CACHE" CHROMIUM="$CHROMIUM" timeout 300 node "$E2E/view.e2e.mjs"
  STATUS=$?
  set -e
  record view "$STATUS"
  if [ "$STATUS" = 0 ] && [ "${E2E_UPDATE_IMAGE:-}" = 1 ]; then
    mkdir -p "$ROOT/docs/images"
    cp "$SHOTS/view-docs-topology.png" "$ROOT/docs/images/topology.png"
    echo "e2e: updated docs/images/topology.png"
  fi
fi

# ---------------------------------------------------------------- pre-commit

if wants precommit; then
  phase "pre-commit hooks"
  set +e
  timeout 600 bash "$E2E/precommit.sh" "$ROOT" "$TMP"
  STATUS=$?
  set -e
  record precommit "$STATUS"
fi

# ---------------------------------------------------------------- summary

phase ""
echo "== e2e timings"
printf '  %s\n' "${TIMINGS[@]}"
awk -v a="$RUN_START" -v b="$(now)" 'BEGIN { printf "  %-26s %6.1fs\n", "total", b - a }'
[ "${#FAILED[@]}" -eq 0 ] || echo "e2e: failed: ${FAILED[*]}"
echo "e2e: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
[ "${#FAILED[@]}" -eq 0 ]
