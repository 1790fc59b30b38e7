#!/usr/bin/env bash
# Provision the real backends of the practice sandbox and the integration tests, into a cache
# outside the repository. Every step is skipped when its artefact is present and reports the
# expected version, so a warm cache makes this a no-op. One step at a time holds a lock so two
# concurrent runs (CI + a developer, two test workers) never build into the same directory.
#
# Usage: provision.sh [all|apt|etcd|kube|kwok|moto|node]...   (default: all)
#   node: what real sandbox nodes run — kubelet and kube-proxy (from the same Kubernetes build as the
#         control plane), then provision-node.sh (containerd/runc/CNI from apt, CoreDNS, crictl, the
#         shop, the pause binary, and the node images as OCI archives)
# Env:   GAMEDAY_CACHE (default ~/.cache/gameday)
set -euo pipefail

K8S_VERSION="${GAMEDAY_K8S_VERSION:-v1.34.4}"
ETCD_VERSION="${GAMEDAY_ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${GAMEDAY_KWOK_VERSION:-v0.8.0}"
MOTO_VERSION="${GAMEDAY_MOTO_VERSION:-5.2.5}"
# the AWS CLI the runbooks' `aws …` commands are played with (`gameday sandbox aws`); a virtualenv
# of its own: awscli pins botocore exactly, moto's boto3 must keep its own
AWSCLI_VERSION="${GAMEDAY_AWSCLI_VERSION:-1.46.3}"

CACHE="${GAMEDAY_CACHE:-$HOME/.cache/gameday}"
BIN="$CACHE/bin"
LOGS="$CACHE/logs"
mkdir -p "$BIN" "$LOGS" "$CACHE/go"
export GOMODCACHE="${GOMODCACHE_OVERRIDE:-$CACHE/go/mod}"
export GOCACHE="${GOCACHE_OVERRIDE:-$CACHE/go/build}"
export GOFLAGS="-buildvcs=false -mod=mod"
export GOTOOLCHAIN=local

PROVISION_TAG=provision
# shellcheck source=provision-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/provision-lib.sh"

step_apt() {
  local missing=()
  command -v iptables >/dev/null || missing+=(iptables)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v tmux >/dev/null || missing+=(tmux)
  command -v flock >/dev/null || missing+=(util-linux)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v python3 >/dev/null || missing+=(python3)
  python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
  # the browser tests of the room's screen and the reports (playwright-core drives Debian's build)
  command -v chromium >/dev/null || missing+=(chromium)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then say "missing packages ${missing[*]} and not root: install them with apt-get"; exit 1; fi
  run "apt-get install ${missing[*]}" "$LOGS/apt.log" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing[*]}"
}

# the whole output of a version command: never `cmd | grep -q` here — with pipefail, grep's early
# exit SIGPIPEs a multi-line writer (etcd, kubectl) and a present artefact looks missing
version_of() { "$@" 2>/dev/null || true; }
has_line() { grep -qx -- "$1" <<<"$2"; }
has_text() { grep -q -- "$1" <<<"$2"; }


step_etcd() {
  if [ -x "$BIN/etcd" ] && has_line "etcd Version: ${ETCD_VERSION#v}" "$(version_of "$BIN/etcd" --version)"; then return 0; fi
  need_go "etcd $ETCD_VERSION"
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
  has_line "etcd Version: ${ETCD_VERSION#v}" "$(version_of "$BIN/etcd" --version)" || fail "etcd version check" "$LOGS/etcd-build.log"
}

kube_ok() { # kube_ok BINARY: present and reporting K8S_VERSION exactly
  local b="$1"
  [ -x "$BIN/$b" ] || return 1
  if [ "$b" = kubectl ]; then
    has_line "Client Version: $K8S_VERSION" "$(version_of "$BIN/$b" version --client)"
  else
    has_line "Kubernetes $K8S_VERSION" "$(version_of "$BIN/$b" --version)"
  fi
}

KUBE_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl)

step_kube() {
  local want="${K8S_VERSION}"
  local ok=1
  for b in "${KUBE_BINARIES[@]}"; do
    kube_ok "$b" || ok=0
  done
  [ $ok = 1 ] && return 0
  need_go "kubernetes $want"
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
	_ "k8s.io/kubernetes/cmd/kubelet"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
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
  for b in "${KUBE_BINARIES[@]}"; do
    if kube_ok "$b"; then continue; fi
    run "kubernetes $want: build $b" "$LOGS/kube-build-$b.log" bash -c "cd '$mod' && go build -tags tools -ldflags '$ld' -o '$BIN/$b.tmp' k8s.io/kubernetes/cmd/$b && mv '$BIN/$b.tmp' '$BIN/$b'"
    kube_ok "$b" || fail "kubernetes $want: version check of $b" "$LOGS/kube-build-$b.log"
  done
}

step_kwok() {
  # prints "kwok version v0.8.0 go1.x (linux/amd64)" (the version comes from the ldflags below)
  if [ -x "$BIN/kwok" ] && has_text "^kwok version ${KWOK_VERSION} " "$(version_of "$BIN/kwok" --version)"; then return 0; fi
  need_go "kwok $KWOK_VERSION"
  run "kwok $KWOK_VERSION: build" "$LOGS/kwok-build.log" bash -c "GOBIN='$BIN' go install -ldflags '-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION' sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  has_text "^kwok version ${KWOK_VERSION} " "$(version_of "$BIN/kwok" --version)" || fail "kwok version check (got: $("$BIN/kwok" --version 2>&1 | head -1))" "$LOGS/kwok-build.log"
}

step_moto() {
  local venv="$CACHE/venv"
  if [ -x "$venv/bin/moto_server" ] && "$venv/bin/python" -c "import moto,sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then return 0; fi
  run "moto[server] $MOTO_VERSION: virtualenv" "$LOGS/moto.log" bash -c "python3 -m venv '$venv' && '$venv/bin/pip' install -q 'moto[server]==$MOTO_VERSION'"
}

step_awscli() {
  local venv="$CACHE/awscli"
  if [ -x "$venv/bin/aws" ] && has_text "^aws-cli/${AWSCLI_VERSION} " "$(version_of "$venv/bin/aws" --version)"; then return 0; fi
  run "awscli $AWSCLI_VERSION: virtualenv" "$LOGS/awscli.log" bash -c "python3 -m venv '$venv' && '$venv/bin/pip' install -q 'awscli==$AWSCLI_VERSION'"
  has_text "^aws-cli/${AWSCLI_VERSION} " "$(version_of "$venv/bin/aws" --version)" || fail "awscli version check (got: $("$venv/bin/aws" --version 2>&1 | head -1))" "$LOGS/awscli.log"
}

# the real nodes' kubelet and kube-proxy: the same module and flags as the control plane, then the
# node's other artefacts (provision-node.sh, its own steps and locks)
step_node() {
  KUBE_BINARIES=(kubelet kube-proxy)
  step_kube
  bash "$(dirname "${BASH_SOURCE[0]}")/provision-node.sh" all
}

steps=("$@"); [ ${#steps[@]} -eq 0 ] && steps=(all)
for s in "${steps[@]}"; do
  case "$s" in
    all) with_lock apt step_apt; with_lock moto step_moto; with_lock awscli step_awscli; with_lock kwok step_kwok; with_lock etcd step_etcd; with_lock kube step_kube; with_lock kube step_node ;;
    apt|etcd|kube|kwok|moto|awscli) with_lock "$s" "step_$s" ;;
    node) with_lock kube step_node ;;
    *) say "unknown step $s"; exit 2 ;;
  esac
done
say "ready: $BIN"
