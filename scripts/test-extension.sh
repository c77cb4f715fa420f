#!/usr/bin/env bash
# The VS Code extension's tests: build the .vsix, run the unit tests, then run
# the extension in a real VS Code (code-server 4.100.3 in headless Chromium,
# driven with playwright-core). Unattended (CI=true, no stdin).
#
#   bash scripts/test-extension.sh              # everything
#   bash scripts/test-extension.sh --unit       # build + unit tests only (no editor)
#
# The first run installs code-server and Chromium (Debian) and caches
# code-server under ~/.cache/tangent-lsp (scripts/install-code-server.sh);
# later runs reuse it. Screenshots of each step of the editor test go to
# vscode-extension/test-results/editor/ (printed at the end); with
# UPDATE_DOC_IMAGES=1 they are also copied to docs/images/ for docs/extension.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null
ROOT="$PWD"
start=$SECONDS
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

unit_only=0
if [ "${1:-}" = "--unit" ]; then
    unit_only=1
fi

# The editor test runs the server from the repository's .venv.
if [ "$unit_only" = 0 ]; then
    bash scripts/setup.sh
fi

cd vscode-extension
# npm ci (the lock file's exact versions, from the npm registry), skipped while
# node_modules was installed by npm ci from this very package-lock.json.
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "${FORCE_INSTALL:-0}" != 1 ] && [ "$(cat node_modules/.tangent-lock-hash 2>/dev/null)" = "$lock_hash" ]; then
    echo "== extension: node_modules is up to date with package-lock.json"
else
    echo "== extension: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock_hash" > node_modules/.tangent-lock-hash
fi
echo "== extension: type check, unit tests"
npm test
echo "== extension: .vsix"
npm run --silent package
ls -l tangent-lsp.vsix

if [ "$unit_only" = 1 ]; then
    echo "test-extension: unit tests passed ($((SECONDS - start)) s)"
    exit 0
fi

echo "== extension: code-server and Chromium"
CODE_SERVER_ENTRY="$(bash "$ROOT/scripts/install-code-server.sh")"
export CODE_SERVER_ENTRY
export TANGENT_PYTHON="$ROOT/.venv/bin/python"
export TANGENT_VSIX="$PWD/tangent-lsp.vsix"
export TANGENT_SCREENSHOTS="${TANGENT_SCREENSHOTS:-$PWD/test-results/editor}"

echo "== extension: editor test (code-server + headless Chromium)"
editor_start=$SECONDS
status=0
node --test --test-reporter=spec --test-concurrency=1 test/e2e/ || status=$?
editor_time=$((SECONDS - editor_start))

if [ "$status" = 0 ] && [ "${UPDATE_DOC_IMAGES:-0}" = 1 ]; then
    mkdir -p "$ROOT/docs/images"
    for shot in 02-hover-derivative 03-show-gradient 04-code-action-menu 07-stale-warning 10-not-installed-error; do
        cp "$TANGENT_SCREENSHOTS/$shot.png" "$ROOT/docs/images/extension-$shot.png"
    done
    echo "test-extension: copied screenshots to docs/images/"
fi

echo "test-extension: screenshots in $TANGENT_SCREENSHOTS"
echo "test-extension: editor test took ${editor_time} s; all extension tests $((SECONDS - start)) s"
if [ "$status" != 0 ]; then
    echo "test-extension: the editor test failed (exit $status)" >&2
    exit "$status"
fi
echo "test-extension: all extension tests passed"
