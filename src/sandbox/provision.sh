#!/usr/bin/env bash
# Provision the real backends of the practice sandbox and the integration tests, into a cache
# outside the repository. Every step is skipped when its artefact is present and reports the
# expected version, so a warm cache makes this a no-op. One step at a time holds a lock so two
# concurrent runs (CI + a developer, two test workers) never build into the same directory.
#
# Usage: provision.sh [all|apt|etcd|kube|kwok|moto]...   (default: all)
# Env:   GAMEDAY_CACHE (default ~/.cache/gameday)
set -euo pipefail

K8S_VERSION="${GAMEDAY_K8S_VERSION:-v1.34.4}"
ETCD_VERSION="${GAMEDAY_ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${GAMEDAY_KWOK_VERSION:-v0.8.0}"
MOTO_VERSION="${GAMEDAY_MOTO_VERSION:-5.2.5}"

CACHE="${GAMEDAY_CACHE:-$HOME/.cache/gameday}"
BIN="$CACHE/bin"
LOGS="$CACHE/logs"
mkdir -p "$BIN" "$LOGS" "$CACHE/go"
export GOMODCACHE="${GOMODCACHE_OVERRIDE:-$CACHE/go/mod}"
export GOCACHE="${GOCACHE_OVERRIDE:-$CACHE/go/build}"
export GOFLAGS="-buildvcs=false -mod=mod"
export GOTOOLCHAIN=local

say() { printf '[provision %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { say "FAILED: $1 (log: $2)"; tail -n 20 "$2" >&2 || true; exit 1; }

# run STEP LOGFILE CMD...: runs a long step with its output in a log, printing a heartbeat
run() {
  local step="$1" log="$2"; shift 2
  say "$step … (log: $log)"
  local start=$SECONDS
  ( "$@" ) >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 15
    kill -0 "$pid" 2>/dev/null && say "$step still running ($((SECONDS - start)) s)"
  done
  wait "$pid" || fail "$step" "$log"
  say "$step done in $((SECONDS - start)) s"
}

with_lock() { # with_lock NAME FN: serialise a step across processes
  local name="$1"; shift
  exec {fd}>"$CACHE/.lock-$name"
  flock "$fd"
  "$@"
  flock -u "$fd"
}

step_apt() {
  local missing=()
  command -v iptables >/dev/null || missing+=(iptables)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v tmux >/dev/null || missing+=(tmux)
  command -v flock >/dev/null || missing+=(util-linux)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then say "missing packages ${missing[*]} and not root: install them with apt-get"; exit 1; fi
  run "apt-get install ${missing[*]}" "$LOGS/apt.log" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing[*]}"
}

step_etcd() {
  if [ -x "$BIN/etcd" ] && "$BIN/etcd" --version 2>/dev/null | grep -q "etcd Version: ${ETCD_VERSION#v}"; then return 0; fi
  local mod="$CACHE/src/etcd-wrapper"
  rm -rf "$mod"; mkdir -p "$mod"
  cat >"$mod/main.go" <<'GO'
package main

import _ "go.etcd.io/etcd/server/v3/etcdmain"

func main() {}
GO
  # etcd's server module is itself a main package: build it directly from the wrapper's module graph.
  run "etcd $ETCD_VERSION: resolve modules" "$LOGS/etcd-mod.log" bash -c "cd '$mod' && go mod init gameday/etcd-wrapper && go get go.etcd.io/etcd/server/v3@$ETCD_VERSION && go mod tidy"
  run "etcd $ETCD_VERSION: build" "$LOGS/etcd-build.log" bash -c "cd '$mod' && go build -o '$BIN/etcd.tmp' go.etcd.io/etcd/server/v3 && mv '$BIN/etcd.tmp' '$BIN/etcd'"
  "$BIN/etcd" --version | grep -q "${ETCD_VERSION#v}" || fail "etcd version check" "$LOGS/etcd-build.log"
}

step_kube() {
  local want="${K8S_VERSION}"
  local ok=1
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    if [ -x "$BIN/$b" ] && "$BIN/$b" --version 2>/dev/null | grep -q "$want\b" || { [ "$b" = kubectl ] && "$BIN/$b" version --client 2>/dev/null | grep -q "$want"; }; then :; else ok=0; fi
  done
  [ $ok = 1 ] && return 0
  local mod="$CACHE/src/kube-wrapper-$want"
  mkdir -p "$mod"
  if [ ! -f "$mod/.resolved" ]; then
    rm -rf "$mod"/*
    cat >"$mod/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
    local minor="0.${want#v1.}"   # v1.34.4 -> 0.34.4
    run "kubernetes $want: fetch go.mod" "$LOGS/kube-mod.log" bash -c "
      set -e; cd '$mod'
      go mod init gameday/kube-wrapper
      go mod download -json k8s.io/kubernetes@$want > dl.json
      gomod=\$(python3 -c 'import json,sys; print(json.load(open(\"dl.json\"))[\"GoMod\"])')
      # every staging module k8s replaces with ./staging/... is pinned to its published twin
      reps=\$(grep -E '=> \./staging/' \"\$gomod\" | awk '{print \$1}' | sort -u)
      go mod edit -require=k8s.io/kubernetes@$want
      for m in \$reps; do go mod edit -replace=\$m=\$m@v$minor; done
      # pin the rest of k8s' own requirements so resolution never drifts to newer (Go 1.27-only) modules
      awk '/^require \(/{f=1;next} f&&/^\)/{f=0} f&&NF>=2&&\$1!~/^\/\//{print \$1\"@\"\$2}' \"\$gomod\" | while read -r r; do
        case \"\$r\" in k8s.io/kubernetes@*) ;; *) go mod edit -require=\"\$r\";; esac
      done
      go mod tidy -e
    "
    touch "$mod/.resolved"
  fi
  local pkg=k8s.io/component-base/version
  local ld="-s -w -X $pkg.gitVersion=$want -X $pkg.gitMajor=1 -X $pkg.gitMinor=$(echo "$want" | cut -d. -f2) -X $pkg.gitTreeState=clean"
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    if [ -x "$BIN/$b" ] && { "$BIN/$b" --version 2>/dev/null || "$BIN/$b" version --client 2>/dev/null; } | grep -q "$want"; then continue; fi
    run "kubernetes $want: build $b" "$LOGS/kube-build-$b.log" bash -c "cd '$mod' && go build -tags tools -ldflags '$ld' -o '$BIN/$b.tmp' k8s.io/kubernetes/cmd/$b && mv '$BIN/$b.tmp' '$BIN/$b'"
  done
}

step_kwok() {
  if [ -x "$BIN/kwok" ] && "$BIN/kwok" --version 2>/dev/null | grep -q "${KWOK_VERSION#v}"; then return 0; fi
  run "kwok $KWOK_VERSION: build" "$LOGS/kwok-build.log" bash -c "GOBIN='$BIN' go install -ldflags '-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION' sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
}

step_moto() {
  local venv="$CACHE/venv"
  if [ -x "$venv/bin/moto_server" ] && "$venv/bin/python" -c "import moto,sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then return 0; fi
  run "moto[server] $MOTO_VERSION: virtualenv" "$LOGS/moto.log" bash -c "python3 -m venv '$venv' && '$venv/bin/pip' install -q 'moto[server]==$MOTO_VERSION'"
}

steps=("$@"); [ ${#steps[@]} -eq 0 ] && steps=(all)
for s in "${steps[@]}"; do
  case "$s" in
    all) with_lock apt step_apt; with_lock moto step_moto; with_lock kwok step_kwok; with_lock etcd step_etcd; with_lock kube step_kube ;;
    apt|etcd|kube|kwok|moto) with_lock "$s" "step_$s" ;;
    *) say "unknown step $s"; exit 2 ;;
  esac
done
say "ready: $BIN"
