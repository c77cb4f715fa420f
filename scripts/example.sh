#!/usr/bin/env bash
# The main job on a bundled example: set up .venv if needed, print the
# derivative tangent-lsp writes for the loss of examples/mlp.py, then check
# tangent_lsp.grad on every example against central finite differences.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

echo
echo "== tangent-lsp grad examples/mlp.py::loss --wrt W1,b1,W2,b2"
echo
.venv/bin/tangent-lsp grad examples/mlp.py::loss --wrt W1,b1,W2,b2
echo
echo "== grad(loss) against central finite differences"
echo
.venv/bin/python scripts/check_example.py
echo
echo "OK"
