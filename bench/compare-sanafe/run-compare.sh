#!/usr/bin/env bash
# Side-by-side run of SANA-FE (Loihi architecture) and the bwsnn simulator on the same dense SNN,
# 784-256-256-10, T = 4 steps per MNIST digit, SAMPLES digits one after another.
#
# Usage (from the repository root, after `npm run build` and build-sanafe.sh):
#   bench/compare-sanafe/run-compare.sh [RUNS] [SAMPLES...]      default: 5 runs, samples 25 and 100
#   SANAFE   the built simulator (default /tmp/sanafe-build/sanafe/sim)
#   OUT      scratch directory (default /tmp/bwsnn-vs-sanafe)
#
# For each SAMPLES: writes the SANA-FE YAML (not timed), then RUNS pairs A B A B ... after one
# warm-up pair, each whole process timed by /usr/bin/time (wall, user, sys), with the 1-minute load
# average beside every run. Host time per simulated step = difference of the medians between two
# SAMPLES values over the difference in steps (removes start-up: YAML parsing, model compile,
# data loading). Both tools run single-threaded (OMP_NUM_THREADS=1 for SANA-FE; 1 worker for bwsnn).
# Also prints each tool's own in-process figures (SANA-FE run_summary wall_time; bwsnn simulate()).
set -euo pipefail
RUNS=${1:-5}; shift || true
if [ $# -gt 0 ]; then SAMPLES=("$@"); else SAMPLES=(25 100); fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SANAFE=${SANAFE:-/tmp/sanafe-build/sanafe/sim}
ARCH=${ARCH:-$(dirname "$SANAFE")/arch/loihi.yaml}
OUT=${OUT:-/tmp/bwsnn-vs-sanafe}
T=4
mkdir -p "$OUT/sanafe-out"
SIDE="$ROOT/dist/bench/compare-sanafe/bwsnn-side.js"

timed() { # timed LABEL CMD...: one line "LABEL wall user sys load1"
  local f; f=$(mktemp)
  /usr/bin/time -f '%e %U %S' -o "$f" "${@:2}" >"$OUT/last-$1.log" 2>&1
  echo "$1 $(cat "$f") $(cut -d' ' -f1 /proc/loadavg)"; rm -f "$f"
}

for n in "${SAMPLES[@]}"; do
  steps=$((n * T))
  node "$SIDE" sanafe-yaml "$OUT/mlp-$n.yaml" "$n" "$T" >/dev/null
  A=(env OMP_NUM_THREADS=1 "$SANAFE" -o "$OUT/sanafe-out" "$ARCH" "$OUT/mlp-$n.yaml" "$steps")
  B=(node "$SIDE" sim "$n" "$T")
  echo "# samples $n, steps $steps: label wall_s user_s sys_s load1  ($(date -u +%FT%TZ))"
  "${A[@]}" >/dev/null 2>&1; "${B[@]}" >/dev/null 2>&1   # warm-up pair
  for ((r = 0; r < RUNS; r++)); do
    timed "sanafe-$steps" "${A[@]}"
    timed "bwsnn-$steps" "${B[@]}"
  done
  echo "# in-process: SANA-FE run_summary wall_time (s); bwsnn simulate() line"
  grep -A5 '^wall_time' "$OUT/sanafe-out/run_summary.yaml" | tr -s ' ' | paste -sd' '
  grep '^{' "$OUT/last-bwsnn-$steps.log"
done
