#!/usr/bin/env bash
# Create .venv and install tangent-lsp into it (editable, with the test extra),
# only when needed: the install is skipped while .venv works and pyproject.toml
# is byte-for-byte the one installed last (its hash, with the list of the
# package's __init__.py files, is kept in a stamp file).
#
#   bash scripts/setup.sh          # idempotent; run by example.sh and test.sh
#   FORCE_INSTALL=1 bash scripts/setup.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv
STAMP="$VENV/.tangent-lsp-install-stamp"
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "setup: tangent-lsp needs Python >= 3.11; '$PYTHON' is $("$PYTHON" --version 2>&1)" >&2
    exit 1
fi

# A .venv whose interpreter no longer runs (moved, or Python removed) is rebuilt.
if [ -d "$VENV" ] && ! "$VENV/bin/python" -c 'pass' 2>/dev/null; then
    echo "setup: $VENV is broken; recreating it"
    rm -rf "$VENV"
fi
if [ ! -d "$VENV" ]; then
    echo "setup: creating $VENV with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv "$VENV"
fi

# The fingerprint of an install: pyproject.toml, plus which directories of the
# package are regular packages (an editable install records that at install time).
want="$("$VENV/bin/python" - <<'PY'
import hashlib
from pathlib import Path

digest = hashlib.sha256(Path("pyproject.toml").read_bytes())
for init in sorted(Path("tangent_lsp").rglob("__init__.py")):
    digest.update(b"\0" + init.as_posix().encode())
print(digest.hexdigest())
PY
)"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [ "${FORCE_INSTALL:-0}" != 1 ] && [ "$want" = "$have" ] && [ -x "$VENV/bin/tangent-lsp" ]; then
    echo "setup: $VENV is up to date"
    exit 0
fi

echo "setup: installing tangent-lsp[test] into $VENV (editable)"
rm -f "$STAMP"
"$VENV/bin/python" -m pip install --quiet -e '.[test]'
echo "$want" > "$STAMP"
echo "setup: done"
