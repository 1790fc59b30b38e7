#!/usr/bin/env bash
# The "init" of one real sandbox node (what systemd is inside a kind node container).
#
# Started by the sandbox as
#   unshare --mount --uts --propagation slave nsenter --net=/run/netns/<node ns> bash node-init.sh
# so it runs in the node's own network namespace (created by the sandbox: eth0 on the VPC bridge)
# and in a mount and UTS namespace of its own. It then:
#   1. joins a cgroup of its own (every v1 hierarchy and the unified one), so that everything the
#      node starts — containerd, its shims, the pods (kubelet's cgroupRoot sits beside it) — can be
#      found and stopped by `gameday sandbox down` even after a SIGKILL of this script;
#   2. gives the node a private /run (tmpfs), /var/lib and /var/log (its own directories), so
#      containerd, kubelet and crictl use their standard paths and nothing lands on the host;
#   3. shows kubelet the kernel tunables it insists on through bind-mounted files, instead of
#      letting it rewrite the host's (vm.overcommit_memory, kernel.panic… are not per namespace);
#   4. starts containerd, imports the node's images (no registry is ever used), then kubelet and
#      kube-proxy, and supervises them: if one exits the node stops; SIGTERM stops it cleanly
#      (pods removed through the CRI, so their network namespaces and IPs are released).
#
# Env: GAMEDAY_NODE_NAME, GAMEDAY_NODE_DIR, GAMEDAY_NODE_LOGS, GAMEDAY_BIN, GAMEDAY_CGROUP (relative path, e.g.
#      gameday-sandbox/sandbox-real-1), GAMEDAY_NODE_IP, GAMEDAY_NODE_LABELS,
#      GAMEDAY_IMAGES ("ref=archive …")
set -euo pipefail

NAME="${GAMEDAY_NODE_NAME:?}"
D="${GAMEDAY_NODE_DIR:?}"
L="${GAMEDAY_NODE_LOGS:?}"
BIN="${GAMEDAY_BIN:?}"
CG="${GAMEDAY_CGROUP:?}"
IMAGES="${GAMEDAY_IMAGES:-}"
SOCK=/run/containerd/containerd.sock
export PATH="$BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export CONTAINERD_ADDRESS="$SOCK" CONTAINERD_NAMESPACE=k8s.io

log() { printf '%s node-init %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$NAME" "$*"; }

# ---- 1. our own cgroup ---------------------------------------------------------------------------
inherit_cpuset() { # a new v1 cpuset cgroup starts with no CPUs and refuses tasks: copy down
  local path="$1" parent level
  for level in ${CG//\// } system; do
    parent="$path"; path="$path/$level"
    [ -n "$(cat "$path/cpuset.cpus")" ] || cat "$parent/cpuset.cpus" >"$path/cpuset.cpus"
    [ -n "$(cat "$path/cpuset.mems")" ] || cat "$parent/cpuset.mems" >"$path/cpuset.mems"
  done
}

join_cgroups() {
  local h
  for h in /sys/fs/cgroup/*/; do
    h="${h%/}"
    [ -w "$h" ] || continue
    mkdir -p "$h/$CG/system"
    [ -f "$h/cpuset.cpus" ] && inherit_cpuset "$h"
    echo $$ >"$h/$CG/system/cgroup.procs"
  done
}

# ---- 2./3. the node's own filesystem view ----------------------------------------------------------
private_mounts() {
  mkdir -p "$D/var/lib" "$D/var/log" "$D/sysctl"
  mount -t tmpfs -o mode=0755,size=256m "gameday-$NAME-run" /run
  mount --bind "$D/var/lib" /var/lib
  mount --bind "$D/var/log" /var/log
  local kv key value f
  for kv in vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1 kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000; do
    key="${kv%%=*}"; value="${kv#*=}"
    f="$D/sysctl/${key//\//.}"
    echo "$value" >"$f"
    mount --bind "$f" "/proc/sys/$key"
  done
  # per network namespace: this node's own
  echo 1 >/proc/sys/net/ipv4/ip_forward
  echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
  hostname "$NAME" 2>/dev/null || true
}

# ---- 4. the node's processes -----------------------------------------------------------------------
PIDS=()
STOPPING=""

declare -A NAMES=()
start() { # start NAME CMD...: in the background, its output in logs/NAME.log
  local what="$1"; shift
  "$@" >>"$L/$what.log" 2>&1 &
  PIDS+=($!)
  NAMES[$!]="$what"
  log "$what started (pid $!)"
}

wait_for_containerd() {
  for _ in $(seq 1 100); do
    ctr version >/dev/null 2>&1 && return 0
    kill -0 "${PIDS[0]}" 2>/dev/null || { log "containerd exited during start-up"; return 1; }
    sleep 0.2
  done
  log "containerd did not answer within 20 s"
  return 1
}

import_images() { # GAMEDAY_IMAGES: "ref=archive ref=archive …"; an image already there is kept
  local have entry ref tar
  have="$(ctr images ls -q 2>/dev/null || true)"
  for entry in $IMAGES; do
    ref="${entry%%=*}"; tar="${entry#*=}"
    grep -qxF "$ref" <<<"$have" && continue
    ctr images import "$tar" >>"$L/images.log" 2>&1 || { log "could not import $tar (see $L/images.log)"; return 1; }
  done
  log "images ready"
}

shutdown() {
  STOPPING=1
  log "stopping"
  local kubelet="${PIDS[1]:-}" proxy="${PIDS[2]:-}" ctrd="${PIDS[0]:-}"
  [ -n "$kubelet" ] && kill -TERM "$kubelet" 2>/dev/null || true
  [ -n "$proxy" ] && kill -TERM "$proxy" 2>/dev/null || true
  # remove every pod through the CRI: CNI DEL releases the IPs and the pods' network namespaces
  if [ -n "$ctrd" ] && kill -0 "$ctrd" 2>/dev/null; then
    timeout 40 crictl --timeout 30s --runtime-endpoint "unix://$SOCK" rmp -fa >>"$L/node-init.log" 2>&1 || true
    kill -TERM "$ctrd" 2>/dev/null || true
  fi
  for _ in $(seq 1 50); do
    local alive=0
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  log "stopped"
}

trap 'shutdown; exit 0' TERM INT

mkdir -p "$L"
join_cgroups
private_mounts
mkdir -p /run/containerd /var/lib/kubelet /var/log/pods /var/log/containers
start containerd containerd --config "$D/etc/containerd.toml"
wait_for_containerd || { shutdown; exit 1; }
import_images || { shutdown; exit 1; }
start kubelet kubelet --config="$D/etc/kubelet.yaml" --kubeconfig="$D/etc/kubelet.kubeconfig" \
  --hostname-override="$NAME" --node-ip="${GAMEDAY_NODE_IP:?}" --node-labels="${GAMEDAY_NODE_LABELS:-}" --v=1
start kube-proxy kube-proxy --config="$D/etc/kube-proxy.yaml" --v=1
set +e
wait -n -p DEAD "${PIDS[@]}"
rc=$?
if [ -z "$STOPPING" ]; then
  what="${NAMES[${DEAD:-}]:-a node component}"
  log "$what exited (status $rc): see $L/$what.log; stopping the node"
  shutdown
  exit 1
fi
