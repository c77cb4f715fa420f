#!/usr/bin/env bash
# The whole test suite: set up .venv if needed, lint, then run every test.
# Works unattended (CI=true, no stdin). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null

bash scripts/setup.sh
bash scripts/install-neovim.sh   # the second real LSP client the server tests drive

echo "== ruff check"
.venv/bin/ruff check tangent_lsp tests examples scripts benchmarks

echo "== pytest"
status=0
.venv/bin/python -m pytest -q || status=$?
if [ "$status" -eq 5 ]; then
    echo "test.sh: pytest collected no tests; that counts as a failure" >&2
    exit 1
elif [ "$status" -ne 0 ]; then
    echo "test.sh: pytest failed (exit $status)" >&2
    exit "$status"
fi

echo "== VS Code extension (unit tests, .vsix, editor test in code-server)"
bash scripts/test-extension.sh

echo "test.sh: all tests passed"
