# Shared by provision.sh and provision-node.sh (sourced, not run): progress lines, long steps with
# their output in a log and a heartbeat, failures that name the step and its log, and one lock per
# step across processes. The sourcing script sets CACHE, and PROVISION_TAG for its progress lines.

say() { printf '[%s %s] %s\n' "${PROVISION_TAG:-provision}" "$(date +%H:%M:%S)" "$*" >&2; }
fail() { say "FAILED: $1 (log: $2)"; tail -n 20 "$2" >&2 || true; exit 1; }

# run STEP LOGFILE CMD...: runs a long step with its output in a log, a heartbeat every 15 s; a
# quick step returns within a second of finishing
run() {
  local step="$1" log="$2"; shift 2
  say "$step … (log: $log)"
  local start=$SECONDS n=0
  ( "$@" ) >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1; n=$((n + 1))
    if [ $((n % 15)) -eq 0 ] && kill -0 "$pid" 2>/dev/null; then say "$step still running ($((SECONDS - start)) s)"; fi
  done
  wait "$pid" || fail "$step" "$log"
  say "$step done in $((SECONDS - start)) s"
}

# with_lock NAME FN...: serialise a step across processes (a lock file per step name, under the cache)
with_lock() {
  local name="$1" fd; shift
  exec {fd}>"$CACHE/.lock-$name"
  flock "$fd"
  "$@"
  flock -u "$fd"
}

need_go() {
  command -v go >/dev/null || { say "$1: Go (>= 1.24) must be on PATH to build it from source (https://go.dev/dl/)"; exit 1; }
}
