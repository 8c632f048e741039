#!/usr/bin/env bash
# The image built and run for real (issue 17): podman (rootful, runc; installed with apt when missing), the base
# image made locally when no registry answers (scripts/container-base-image.sh, cached under .cache/), the project's
# Dockerfile built, then bench/deploy/container-smoke.ts runs it against a PostgreSQL, a Redis and the simulators
# started on the host. Prints the image size and the build time. Exit 0 = passed; 1 = failed; 2 = skipped (the
# reason printed: containers cannot run here).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/container-env.sh

if ! container_env_ready; then echo "container smoke: SKIPPED — $CONTAINER_SKIP_REASON"; exit 2; fi
IMAGE=${IMAGE:-localhost/lienthong-gateway:smoke}

base_start=$(date +%s)
if ! podman image exists docker.io/library/node:24-bookworm-slim; then
  # A registry may answer elsewhere; here lookups fail fast, and the base is made locally.
  timeout 30 podman pull -q docker.io/library/node:24-bookworm-slim >/dev/null 2>&1 || bash scripts/container-base-image.sh
fi
base_s=$(( $(date +%s) - base_start ))

# npm inside the build goes through this machine's HTTPS proxy: the host's CA bundle and an npmrc naming it are
# mounted read-only into the build steps (never into the image).
npmrc=$(mktemp)
trap 'rm -f "$npmrc"' EXIT
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nfund=false\naudit=false\n' > "$npmrc"
build_start=$(date +%s)
podman build --quiet --format docker --network=host \
  -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro -v "$npmrc:/usr/local/etc/npmrc:ro" \
  --build-arg VERSION="$(node -p 'require("./package.json").version')" \
  --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -t "$IMAGE" . >/dev/null
build_s=$(( $(date +%s) - build_start ))
podman image prune -f >/dev/null 2>&1 || true  # the previous build's layers
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "container smoke: image $IMAGE built in ${build_s} s (base image step ${base_s} s); size $(( size / 1000000 )) MB"
podman image inspect --format '{{.Config.User}} {{json .Config.Volumes}} {{index .Config.Labels "org.opencontainers.image.revision"}}' "$IMAGE" |
  sed 's/^/container smoke: user, volumes, revision: /'
if podman run --rm --entrypoint sh "$IMAGE" -c 'test -d node_modules/typescript || test -d node_modules/tap || test -d dist/bench || test -d dist/test'; then
  echo "container smoke: FAIL — dev dependencies, tests or bench code in the runtime image"; exit 1
fi

[ -f dist/bench/deploy/container-smoke.js ] || npx tsc -p tsconfig.build.json
run_start=$(date +%s)
IMAGE="$IMAGE" node dist/bench/deploy/container-smoke.js
echo "container smoke: run checks took $(( $(date +%s) - run_start )) s"
