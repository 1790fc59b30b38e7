#!/usr/bin/env bash
# Provision the artefacts the sandbox's REAL worker nodes run, into the same cache as provision.sh:
# host packages (containerd, runc, CNI plugins, busybox, conntrack, iptables, socat), binaries built
# from source (CoreDNS, crictl, the demo shop server, Kubernetes' pause) and the OCI image archives
# the nodes import into their containerd (no registry is reachable from these machines, so every
# image a pod uses is built here from a rootfs and imported locally).
#
# Every step is skipped when its artefact is present with the expected version (warm = no-op in
# seconds); one lock per step, so concurrent runs never build into the same place; long steps log
# to $CACHE/logs/<step>.log with a heartbeat, and a failure names the step and its log.
#
# Usage: provision-node.sh [all|apt|coredns|crictl|shop|pause|images]...   (default: all)
# Env:   GAMEDAY_CACHE (default ~/.cache/gameday)
set -euo pipefail

K8S_VERSION="${GAMEDAY_K8S_VERSION:-v1.34.4}"
# CoreDNS 1.13.x: the newest line whose go.mod still asks for Go 1.24 and client-go 0.34 (1.14 wants
# client-go 0.35, 1.15 Go 1.26 + client-go 0.37); same Kubernetes minor as the sandbox.
COREDNS_VERSION="${GAMEDAY_COREDNS_VERSION:-v1.13.2}"
CRICTL_VERSION="${GAMEDAY_CRICTL_VERSION:-v1.34.0}"
# pause.c of Kubernetes $K8S_VERSION (its Makefile says TAG 3.10.1); the image keeps the 3.10 tag
PAUSE_VERSION="v3.10.1-$K8S_VERSION"

# image refs: keep in sync with src/sandbox/images.ts (test/sandbox/images.test.ts checks both)
PAUSE_REF="gameday.local/pause:3.10"
SHOP_REF="gameday.local/shop:1"
COREDNS_REF="gameday.local/coredns:${COREDNS_VERSION#v}"
AGENT_REF="registry.k8s.io/build-image/debian-iptables:bookworm-v1.0.0"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${GAMEDAY_CACHE:-$HOME/.cache/gameday}"
BIN="$CACHE/bin"
LOGS="$CACHE/logs"
IMAGES="$CACHE/images"
mkdir -p "$BIN" "$LOGS" "$IMAGES" "$CACHE/go"
export GOMODCACHE="${GOMODCACHE_OVERRIDE:-$CACHE/go/mod}"
export GOCACHE="${GOCACHE_OVERRIDE:-$CACHE/go/build}"
export GOFLAGS="-buildvcs=false -mod=mod"
export GOTOOLCHAIN=local

say() { printf '[provision-node %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { say "FAILED: $1 (log: $2)"; tail -n 20 "$2" >&2 || true; exit 1; }

# run STEP LOGFILE CMD...: runs a long step with its output in a log, printing a heartbeat
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

with_lock() { # with_lock NAME FN: serialise a step across processes
  local name="$1"; shift
  exec {fd}>"$CACHE/.lock-node-$name"
  flock "$fd"
  "$@"
  flock -u "$fd"
}

# the whole output of a version command (never `cmd | grep -q`: with pipefail, grep's early exit
# SIGPIPEs the writer and a present artefact looks missing)
version_of() { "$@" 2>&1 || true; }
has_line() { grep -qx -- "$1" <<<"$2"; }

need_go() {
  command -v go >/dev/null || { say "$1: Go (>= 1.24) must be on PATH to build it from source (https://go.dev/dl/)"; exit 1; }
}

# ---- apt: the node runtime's host packages ----------------------------------------------------------
# containerd (Debian 12: 1.6.20 — containerd, ctr, containerd-shim-runc-v2), runc (1.1.5), the CNI
# plugins (/usr/lib/cni: bridge, host-local, portmap, loopback), busybox-static (copied into the
# shop and agent images), conntrack (kube-proxy), iptables, socat (kubectl port-forward).
NODE_PACKAGES=(containerd runc containernetworking-plugins busybox-static conntrack iptables socat)
pkg_installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]; }

step_apt() {
  local missing=() p
  for p in "${NODE_PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then say "missing packages ${missing[*]} and not root: install them with apt-get"; exit 1; fi
  # No systemd here: containerd's postinst only registers its unit (deb-systemd-helper) and starts
  # nothing; the nodes run their own containerd with their own config, never /etc/containerd.
  # DPkg::Lock::Timeout: another provisioning run may hold dpkg's lock for a while.
  run "apt-get install ${missing[*]}" "$LOGS/node-apt.log" bash -c "
    apt-get -o DPkg::Lock::Timeout=300 update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends ${missing[*]}"
  for p in "${NODE_PACKAGES[@]}"; do pkg_installed "$p" || fail "apt: $p is still not installed" "$LOGS/node-apt.log"; done
}

steps=("$@"); [ ${#steps[@]} -eq 0 ] && steps=(all)
for s in "${steps[@]}"; do
  case "$s" in
    all) for t in apt; do with_lock "$t" "step_$t"; done ;;
    apt) with_lock "$s" "step_$s" ;;
    *) say "unknown step $s"; exit 2 ;;
  esac
done
