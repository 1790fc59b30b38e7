#!/usr/bin/env bash
# Issue 10's acceptance run: the whole suite as CI runs it (a fresh clone of main, then
# `CI=true bash .ci/run </dev/null`) N times in a row, each with a CPU-heavy process beside it
# (`node -e 'for(;;){}'`, one core). Each run starts from no sandbox, as a fresh machine would.
# One line per run in $OUT/results.txt (commit, exit code, seconds, load, first failures), the
# whole output in $OUT/run-<i>.log. ≈ 21–35 min a run on 2 cores: start it first in a session.
#
#   nohup setsid bash scripts/ci-loop.sh [N=5] [START=1] [OUT=/work/ci-loop] > /dev/null 2>&1 &
#   stop: pkill -f scripts/ci-loop.sh; pkill -f "node -e for"
set -u
N=${1:-5}
START=${2:-1}
OUT=${3:-/work/ci-loop}
REPO=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT"
for i in $(seq "$START" $((START + N - 1))); do
  (cd "$REPO" && node bin/gameday.js sandbox down >/dev/null 2>&1 || true)
  clone="/tmp/ci-clone-$i"
  rm -rf "$clone"
  git clone -q "$REPO" "$clone"
  sha=$(git -C "$clone" rev-parse --short HEAD)
  node -e 'for(;;){}' &
  hog=$!
  t0=$(date +%s)
  (cd "$clone" && CI=true bash .ci/run </dev/null) >"$OUT/run-$i.log" 2>&1
  rc=$?
  t1=$(date +%s)
  kill "$hog" 2>/dev/null
  fails=$(sed 's/\x1b\[[0-9;]*m//g' "$OUT/run-$i.log" | grep -aE '^ FAIL ' | head -5 | tr '\n' '|')
  echo "run $i $sha rc=$rc $((t1 - t0))s start=$(date -d "@$t0" +%H:%M) load=$(cut -d' ' -f1-3 /proc/loadavg) $fails" >>"$OUT/results.txt"
  rm -rf "$clone"
done
