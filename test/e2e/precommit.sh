#!/usr/bin/env bash
# End-to-end test of .pre-commit-hooks.yaml with Debian's pre-commit: a scratch git
# repository with one good and one bad model, both hooks run through `pre-commit
# try-repo` against this repository's HEAD (its first run installs and builds
# dmabuf-lint in pre-commit's clone: about a minute and a half here).
#
#   bash test/e2e/precommit.sh REPO TMPDIR
set -euo pipefail
REPO="$1"
TMP="$2"
WS="$TMP/precommit-ws"
export PRE_COMMIT_HOME="$TMP/precommit-home"
rm -rf "$WS" && mkdir -p "$WS" && cd "$WS"
git init -q
git -c user.email=e2e@example.invalid -c user.name=e2e commit -q --allow-empty -m init
# A model laid out as the formatter writes it (the samples keep one-line blocks).
cp "$REPO/test/e2e/fixtures/precommit-good.dmabuf" good.dmabuf
git add good.dmabuf

fail() { echo "precommit-e2e FAIL: $*"; exit 1; }

# A staged model that is clean and formatted: both hooks pass.
pre-commit try-repo "$REPO" dmabuf-lint > out-lint.txt 2>&1 || { cat out-lint.txt; fail "dmabuf-lint failed on a clean model"; }
grep -q '^dmabuf-lint\.*Passed' out-lint.txt || { cat out-lint.txt; fail "dmabuf-lint did not pass"; }
pre-commit try-repo "$REPO" dmabuf-format-check > out-fmt.txt 2>&1 || { cat out-fmt.txt; fail "dmabuf-format-check failed on a formatted model"; }

# A staged model with an error: the hook fails, names the file, line and code.
printf 'platform p { cpu intel }\nshare x -> y\n' > bad.dmabuf
git add bad.dmabuf
if pre-commit try-repo "$REPO" dmabuf-lint > out-bad.txt 2>&1; then cat out-bad.txt; fail "dmabuf-lint passed a model with errors"; fi
grep -q "bad.dmabuf:2:7 error unknown-name" out-bad.txt || { cat out-bad.txt; fail "no unknown-name at bad.dmabuf:2:7"; }
echo "precommit-e2e PASS"
