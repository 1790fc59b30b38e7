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

PROVISION_TAG=provision-node
# shellcheck source=provision-lib.sh
source "$HERE/provision-lib.sh"

# the whole output of a version command (never `cmd | grep -q`: with pipefail, grep's early exit
# SIGPIPEs the writer and a present artefact looks missing)
version_of() { "$@" 2>&1 || true; }
has_line() { grep -qx -- "$1" <<<"$2"; }


# ---- apt: the node runtime's host packages ----------------------------------------------------------
# containerd (Debian 12: 1.6.20 — containerd, ctr, containerd-shim-runc-v2), runc (1.1.5), the CNI
# plugins (/usr/lib/cni: bridge, host-local, portmap, loopback), busybox-static (copied into the
# shop and agent images), conntrack (kube-proxy), iptables, socat (kubectl port-forward).
# postgresql: the RDS cluster's instances (src/sandbox/db/postgres.ts); its packaged service is not used
NODE_PACKAGES=(containerd runc containernetworking-plugins busybox-static conntrack iptables socat postgresql)
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


# ---- coredns: a slim CoreDNS ----------------------------------------------------------------------
# A small wrapper main that imports only the plugins the sandbox's Corefiles use, instead of
# CoreDNS's own main (40-odd plugins: AWS, Azure, GCP, etcd, dnstap, tracing SDKs): far fewer
# modules to download and compile. CGO off: the binary runs in an image with no libc.
# `coredns -plugins` lists what is in; the Kubernetes-style Corefile (errors, health, ready,
# kubernetes, prometheus, forward, cache, loop, reload, loadbalance) works with it.
COREDNS_PLUGINS=(errors health ready kubernetes hosts forward cache loop reload loadbalance log template rewrite whoami metrics bind)
coredns_ok() { [ -x "$BIN/coredns" ] && has_line "CoreDNS-${COREDNS_VERSION#v}" "$(version_of "$BIN/coredns" -version)"; }

step_coredns() {
  coredns_ok && return 0
  need_go "coredns $COREDNS_VERSION"
  local mod="$CACHE/src/coredns-wrapper-$COREDNS_VERSION" p
  rm -rf "$mod"; mkdir -p "$mod"
  {
    printf '// generated by provision-node.sh: CoreDNS %s with the sandbox'"'"'s plugins only\npackage main\n\nimport (\n' "$COREDNS_VERSION"
    printf '\t_ "github.com/coredns/coredns/core/dnsserver"\n\t"github.com/coredns/coredns/coremain"\n\n'
    for p in "${COREDNS_PLUGINS[@]}"; do printf '\t_ "github.com/coredns/coredns/plugin/%s"\n' "$p"; done
    printf ')\n\nfunc main() { coremain.Run() }\n'
  } >"$mod/main.go"
  # k8s.io modules: the patch release the sandbox's Kubernetes already downloaded (same minor as
  # CoreDNS asks for), so the build reuses them instead of fetching a second copy.
  local kv="v0.${K8S_VERSION#v1.}"
  run "coredns $COREDNS_VERSION: resolve modules" "$LOGS/coredns-mod.log" bash -c "
    set -e; cd '$mod'
    go mod init gameday/coredns-wrapper
    go mod edit -require=github.com/coredns/coredns@$COREDNS_VERSION
    go mod edit -require=k8s.io/api@$kv -require=k8s.io/apimachinery@$kv -require=k8s.io/client-go@$kv
    go mod tidy"
  run "coredns $COREDNS_VERSION: build" "$LOGS/coredns-build.log" bash -c "
    cd '$mod' && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w -X github.com/coredns/coredns/coremain.GitCommit=gameday-slim' -o '$BIN/coredns.tmp' . && mv '$BIN/coredns.tmp' '$BIN/coredns'"
  coredns_ok || fail "coredns version check (got: $(version_of "$BIN/coredns" -version | head -1))" "$LOGS/coredns-build.log"
}

# ---- crictl: the CRI client (debugging pods on a node, kubelet-independent) ------------------------
crictl_ok() { [ -x "$BIN/crictl" ] && has_line "crictl version $CRICTL_VERSION" "$(version_of "$BIN/crictl" --version)"; }

step_crictl() {
  crictl_ok && return 0
  need_go "crictl $CRICTL_VERSION"
  local tmp="$CACHE/src/crictl-$CRICTL_VERSION"
  rm -rf "$tmp"; mkdir -p "$tmp"
  # cri-tools' go.mod has no replace directives, so `go install pkg@version` builds it as released;
  # the version comes from the ldflag its Makefile sets.
  run "crictl $CRICTL_VERSION: build" "$LOGS/crictl-build.log" bash -c "
    CGO_ENABLED=0 GOBIN='$tmp' go install -trimpath -ldflags '-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION' sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION &&
    mv '$tmp/crictl' '$BIN/crictl'"
  crictl_ok || fail "crictl version check (got: $(version_of "$BIN/crictl" --version))" "$LOGS/crictl-build.log"
}

# ---- shop: the demo shop server (src/sandbox/shop) -------------------------------------------------
# Its version is a hash of its sources, so editing the server rebuilds it (and then the shop image).
shop_version() { (cd "$HERE/shop" && find . -type f \( -name '*.go' -o -name go.mod \) ! -name '*_test.go' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16); }
shop_ok() { [ -x "$BIN/shop" ] && has_line "shop $1" "$(version_of "$BIN/shop" --version)"; }

step_shop() {
  local v; v="$(shop_version)"
  shop_ok "$v" && return 0
  need_go "shop"
  run "shop $v: build" "$LOGS/shop-build.log" bash -c "
    cd '$HERE/shop' && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w -X main.version=$v' -o '$BIN/shop.tmp' . && mv '$BIN/shop.tmp' '$BIN/shop'"
  shop_ok "$v" || fail "shop version check" "$LOGS/shop-build.log"
}

# ---- pause: Kubernetes' own pause.c, static ---------------------------------------------------------
# Built the way build/pause/Makefile does (-Os -Wall -Werror -static -DVERSION=v<TAG>-<REV>), from
# the Kubernetes module source the sandbox build already downloaded.
pause_ok() { [ -x "$BIN/pause" ] && has_line "pause.c $PAUSE_VERSION" "$(version_of "$BIN/pause" -v)"; }

step_pause() {
  pause_ok && return 0
  local src="$GOMODCACHE/k8s.io/kubernetes@$K8S_VERSION/build/pause/linux/pause.c"
  if [ ! -f "$src" ]; then
    need_go "pause (Kubernetes $K8S_VERSION source)"
    run "pause: download k8s.io/kubernetes@$K8S_VERSION source" "$LOGS/pause-src.log" bash -c "cd '$CACHE' && go mod download k8s.io/kubernetes@$K8S_VERSION"
  fi
  command -v gcc >/dev/null || { say "pause: gcc (and libc6-dev for -static) must be installed: apt-get install gcc libc6-dev"; exit 1; }
  run "pause $PAUSE_VERSION: compile" "$LOGS/pause-build.log" bash -c "
    gcc -Os -Wall -Werror -static -DVERSION=$PAUSE_VERSION -o '$BIN/pause.tmp' '$src' && strip '$BIN/pause.tmp' && mv '$BIN/pause.tmp' '$BIN/pause'"
  pause_ok || fail "pause version check (got: $(version_of "$BIN/pause" -v))" "$LOGS/pause-build.log"
}

# ---- images: OCI archives the nodes import into their containerd ----------------------------------
# No registry is reachable, so each image is a rootfs staged here, packed into one uncompressed layer
# (fixed mtimes, owners and order: the same inputs give the same digest) and an OCI layout written by
# node-images/oci-image.py. `ctr -n k8s.io images import <archive>` (containerd 1.6) names the image
# from the index's io.containerd.image.name annotation. An archive is rewritten only when its
# manifest digest changes; $IMAGES/<name>.ref holds "<ref> <manifest digest>" of the archive.
IMAGE_NAMES=(pause shop coredns iptables-agent)
DEFAULT_PATH="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# det_tar DIR OUT: a reproducible tarball of DIR's contents (names without a leading ./)
det_tar() {
  local dir="$1" out="$2"
  (cd "$dir" && LC_ALL=C find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort |
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -cf "$out" --files-from=-)
}

# base_fs ROOT: what a shell image needs besides its binaries: /tmp, /etc/passwd and /etc/group
base_fs() {
  local root="$1"
  mkdir -p "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/run"
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
}

# busybox_into ROOT BINDIR: Debian's static busybox at BINDIR/busybox with a symlink per applet
busybox_into() {
  local root="$1" bindir="$2" a
  mkdir -p "$root$bindir"
  # busybox-static's /bin/busybox: the images have no libc for a dynamic one
  if ldd /bin/busybox >/dev/null 2>&1; then say "images: /bin/busybox is not static (apt-get install busybox-static)"; exit 1; fi
  install -m 0755 /bin/busybox "$root$bindir/busybox"
  for a in $(/bin/busybox --list); do
    [ "$a" = busybox ] && continue
    [ -e "$root$bindir/$a" ] || [ -L "$root$bindir/$a" ] || ln -s busybox "$root$bindir/$a"
  done
}

stage_pause() { # the pause binary alone, like registry.k8s.io/pause
  install -m 0755 "$BIN/pause" "$1/pause"
  IMAGE_REF="$PAUSE_REF"
  IMAGE_CONFIG="{\"Entrypoint\":[\"/pause\"],\"User\":\"65535:65535\",\"WorkingDir\":\"/\",\"Env\":[\"$DEFAULT_PATH\"]}"
}

stage_shop() { # /shop plus busybox for players: kubectl exec deploy/checkout -- nslookup catalog
  base_fs "$1"
  busybox_into "$1" /bin
  install -m 0755 "$BIN/shop" "$1/shop"
  IMAGE_REF="$SHOP_REF"
  IMAGE_CONFIG="{\"Entrypoint\":[\"/shop\"],\"WorkingDir\":\"/\",\"Env\":[\"$DEFAULT_PATH\"],\"ExposedPorts\":{\"8080/tcp\":{},\"5432/tcp\":{}}}"
}

stage_coredns() { # /coredns alone (static), like the upstream image
  install -m 0755 "$BIN/coredns" "$1/coredns"
  IMAGE_REF="$COREDNS_REF"
  IMAGE_CONFIG="{\"Entrypoint\":[\"/coredns\"],\"WorkingDir\":\"/\",\"Env\":[\"$DEFAULT_PATH\"],\"ExposedPorts\":{\"53/tcp\":{},\"53/udp\":{},\"9153/tcp\":{}}}"
}

# The node.iptables agent's image, under the name of Kubernetes' debian-iptables build image (the
# agent's default), built locally: busybox for /bin/sh and the shell tools agent.sh uses, and
# Debian's iptables (nft and legacy multi-binaries under all their names, their shared libraries,
# the xtables extensions). Merged-/usr layout like Debian's, so every path ldd prints resolves.
stage_iptables_agent() {
  local root="$1" f lib target
  mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib/x86_64-linux-gnu" "$root/usr/lib64"
  ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
  base_fs "$root"
  mkdir -p "$root/var"; ln -s ../run "$root/var/run"
  busybox_into "$root" /usr/bin
  install -m 0755 /usr/sbin/xtables-nft-multi /usr/sbin/xtables-legacy-multi "$root/usr/sbin/"
  # every name Debian's iptables package links to the two multi-binaries
  for f in $(dpkg -L iptables | grep -E '^/usr/s?bin/'); do
    [ -L "$f" ] || continue
    target="$(readlink -f "$f")"
    case "$target" in /usr/sbin/xtables-nft-multi|/usr/sbin/xtables-legacy-multi) ;; *) continue ;; esac
    ln -sf "$(basename "$target")" "$root/usr/sbin/$(basename "$f")"
  done
  # the unsuffixed names follow Debian's default alternative (nft); agent.sh picks -nft or -legacy itself
  ln -sf iptables-nft "$root/usr/sbin/iptables"; ln -sf iptables-nft-save "$root/usr/sbin/iptables-save"; ln -sf iptables-nft-restore "$root/usr/sbin/iptables-restore"
  ln -sf ip6tables-nft "$root/usr/sbin/ip6tables"; ln -sf ip6tables-nft-save "$root/usr/sbin/ip6tables-save"; ln -sf ip6tables-nft-restore "$root/usr/sbin/ip6tables-restore"
  cp -a /usr/lib/x86_64-linux-gnu/xtables "$root/usr/lib/x86_64-linux-gnu/"
  # shared libraries of the binaries and of every extension (libnetfilter_conntrack for connlabel...)
  for lib in $( { ldd /usr/sbin/xtables-nft-multi; ldd /usr/sbin/xtables-legacy-multi; for f in /usr/lib/x86_64-linux-gnu/xtables/*.so; do ldd "$f"; done; } |
      awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | LC_ALL=C sort -u); do
    case "$lib" in
      /lib64/*) install -m 0755 "$(readlink -f "$lib")" "$root/usr/lib64/$(basename "$lib")" ;;
      */x86_64-linux-gnu/*) install -m 0644 "$(readlink -f "$lib")" "$root/usr/lib/x86_64-linux-gnu/$(basename "$lib")" ;;
      *) say "images: unexpected library path $lib"; exit 1 ;;
    esac
  done
  IMAGE_REF="$AGENT_REF"
  IMAGE_CONFIG="{\"Cmd\":[\"/bin/sh\"],\"WorkingDir\":\"/\",\"Env\":[\"$DEFAULT_PATH\"]}"
}

# image_inputs NAME: what an image is made of (its files' hashes, the package versions, the recipe):
# when $IMAGES/NAME.inputs still says this, the archive is current and nothing is staged (warm run)
image_inputs() {
  local name="$1"
  sha256sum "$HERE/provision-node.sh" "$HERE/node-images/oci-image.py"
  case "$name" in
    pause) sha256sum "$BIN/pause" ;;
    shop) sha256sum "$BIN/shop" /bin/busybox ;;
    coredns) sha256sum "$BIN/coredns" ;;
    iptables-agent)
      sha256sum /bin/busybox /usr/sbin/xtables-nft-multi /usr/sbin/xtables-legacy-multi
      dpkg-query -W iptables libc6 libxtables12 libip4tc2 libip6tc2 libnftnl11 libmnl0 libnetfilter-conntrack3 libnfnetlink0 ;;
  esac
}

# build_image NAME: stage, pack, and (when the digest changed) write $IMAGES/NAME.tar
build_image() {
  local name="$1" work="$IMAGES/.build-$1" digest old="" inputs
  inputs="$(image_inputs "$name")"
  if [ -f "$IMAGES/$name.tar" ] && [ -f "$IMAGES/$name.ref" ] && [ "$(cat "$IMAGES/$name.inputs" 2>/dev/null)" = "$inputs" ]; then
    return 0
  fi
  rm -rf "$work"; mkdir -p "$work/rootfs" "$work/oci"
  local mask; mask="$(umask)"; umask 022
  "stage_${name//-/_}" "$work/rootfs" # sets IMAGE_REF and IMAGE_CONFIG
  umask "$mask"
  det_tar "$work/rootfs" "$work/layer.tar"
  digest="$(python3 "$HERE/node-images/oci-image.py" layout "$work/oci" "$work/layer.tar" "$IMAGE_REF" "$IMAGE_CONFIG")"
  [ -f "$IMAGES/$name.ref" ] && old="$(cat "$IMAGES/$name.ref")"
  if [ "$old" = "$IMAGE_REF $digest" ] && [ -f "$IMAGES/$name.tar" ]; then
    say "image $IMAGE_REF unchanged ($digest)"
  else
    det_tar "$work/oci" "$IMAGES/$name.tar.tmp"
    mv "$IMAGES/$name.tar.tmp" "$IMAGES/$name.tar"
    echo "$IMAGE_REF $digest" >"$IMAGES/$name.ref"
    say "image $IMAGE_REF → $IMAGES/$name.tar ($(du -h "$IMAGES/$name.tar" | cut -f1), $digest)"
  fi
  printf '%s\n' "$inputs" >"$IMAGES/$name.inputs"
  rm -rf "$work"
}

step_images() {
  # the binaries first (each a no-op when present with its version)
  with_lock node-apt step_apt; with_lock node-pause step_pause; with_lock node-shop step_shop; with_lock node-coredns step_coredns
  local name
  for name in "${IMAGE_NAMES[@]}"; do build_image "$name"; done
  python3 "$HERE/node-images/oci-image.py" list "$IMAGES" "$IMAGES/manifest.json" "${IMAGE_NAMES[@]}"
}

steps=("$@"); [ ${#steps[@]} -eq 0 ] && steps=(all)
for s in "${steps[@]}"; do
  case "$s" in
    all) for t in apt pause shop crictl coredns images; do with_lock "node-$t" "step_$t"; done ;;
    apt|pause|shop|crictl|coredns|images) with_lock "node-$s" "step_$s" ;;
    *) say "unknown step $s"; exit 2 ;;
  esac
done
say "ready: $BIN, $IMAGES"
