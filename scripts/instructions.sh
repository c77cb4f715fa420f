#!/usr/bin/env bash
# Instructions executed per `derive` of the synthetic N-statement function (default 200),
# counted by valgrind's callgrind: a deterministic measure of generation cost, for A/B
# comparisons on a machine whose timings vary by a third from run to run. Slow (about a
# minute per run under valgrind); not part of the test suite.
#   bash scripts/instructions.sh [statements]
set -euo pipefail
cd "$(dirname "$0")/.."
statements="${1:-200}"
count() {  # instructions of a process that derives the function once, then $1 more times
  valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python -c "
import sys
sys.path.insert(0, '.')
from benchmarks.generation import synthetic_source
from tangent_lsp.engine import derive
source = synthetic_source($statements)
for _ in range(1 + $1):
    derive(source, 'synthetic', wrt=('x',))
" 2>&1 | grep -o 'Collected : [0-9]*' | grep -o '[0-9]*'
}
once=$(count 0)
thrice=$(count 2)
echo "$(( (thrice - once) / 2 / 1000000 ))M instructions per derive of $statements statements"
