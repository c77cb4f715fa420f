#!/usr/bin/env bash
# Instructions per gradient call of the hand-written, chain-rule and generated gradients,
# counted by valgrind's callgrind (deterministic, unlike times on this machine): for
# A/B comparisons of the generated code's overhead at small sizes. About two minutes per
# problem; not part of the test suite.
#   bash scripts/gradient_instructions.sh [size] [problem ...]   (default: small, all)
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-small}"
shift || true
problems=("$@")
if [ ${#problems[@]} -eq 0 ]; then
  mapfile -t problems < <(.venv/bin/python -c "
from benchmarks.problems import PROBLEMS
print('\n'.join(p.name for p in PROBLEMS))")
fi
count() {  # instructions of a process that calls column $2 of problem $1, $3 times
  PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1 valgrind --tool=callgrind \
    --callgrind-out-file=/dev/null .venv/bin/python -m benchmarks.calls "$1" "$2" "$3" "$size" \
    2>&1 | grep -o 'Collected : [0-9]*' | grep -o '[0-9]*'
}
calls=200
for problem in "${problems[@]}"; do
  base=$(count "$problem" hand 0)
  row="$problem"
  for column in hand chain_rule ours; do
    row="$row $(( ($(count "$problem" "$column" $calls) - base) / calls ))"
  done
  echo "$row" | awk '{printf "%-14s hand %8d  chain rule %8d  ours %8d  ours/hand %.2f  ours/chain rule %.2f\n", $1, $2, $3, $4, $4 / $2, $4 / $3}'
done
