#!/bin/bash
# The checks that need a GPU, in one run (about two minutes on an H200):
#   bash benchmarks/device_checks.sh [DEVICE [OUTDIR [PYTHON]]]   (default: cuda /tmp/device-checks python3)
# 1. every test that takes the `device` fixture, on DEVICE only (pytest -k DEVICE), with
#    tests/test_training_loop.py's CUDA sync-debug test; 2. the compile test; 3. make
#    bench on DEVICE at N = 10^7 and at N = 10^8 (the compiled row's memory-floor goal).
# Runs from the repository's top folder with any Python that has torch, pytest,
# matplotlib, scipy, sympy and mpmath (the package is imported from the checkout); each
# step's output is also written to OUTDIR.
DEV=${1:-cuda}; OUT=${2:-/tmp/device-checks}; PY=${3:-python3}
mkdir -p "$OUT"
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1 MPLBACKEND=Agg
{
  date -u; uname -m; nvidia-smi -L 2>/dev/null
  $PY -c "import sys, torch; print(sys.version.split()[0], torch.__version__, torch.cuda.is_available() and torch.cuda.get_device_name())"
} 2>&1 | tee "$OUT/env.txt"
FILES="tests/test_contract.py tests/test_metrics.py tests/test_training.py tests/test_training_loop.py tests/test_data.py tests/test_plotting.py"
echo "== device tests ($DEV)"
timeout 300 $PY -m pytest -q -p no:xdist -k "$DEV" -rs $FILES 2>&1 | tee "$OUT/tests.txt" | tail -25
echo "== compile test"
# Another torch than the pinned one may warn from its own modules (an error under this
# suite's filterwarnings): those warnings are let through here.
timeout 120 $PY -m pytest -q -p no:xdist -W ignore::DeprecationWarning tests/test_compile.py 2>&1 \
  | tee "$OUT/compile.txt" | tail -3
echo "== make bench, N = 10^7"
timeout 200 $PY benchmarks/bench_losses.py --device "$DEV" 2>&1 | tee "$OUT/bench-1e7.txt"
echo "== make bench, N = 10^8"
timeout 200 $PY benchmarks/bench_losses.py --device "$DEV" --n 100000000 --repeats 10 2>&1 \
  | tee "$OUT/bench-1e8.txt"
