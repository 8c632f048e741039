#!/usr/bin/env bash
# Sourced by the container scripts: makes sure podman (rootful), runc and mmdebstrap are installed (apt, as root)
# and writes the containers.conf this kind of VM needs (docs/deploy.md, "Containers here"):
#   - no CAP_SYS_RESOURCE and a hard open-files limit of about 20,000: podman's default ulimits fail, so the
#     defaults are the host's hard `nofile` and nproc=32768;
#   - crun refuses the hybrid cgroup layout: runc is the runtime.
# container_env_ready returns 1 and sets CONTAINER_SKIP_REASON when containers cannot run here.

container_env_ready () {
  CONTAINER_SKIP_REASON=
  if [ "$(id -u)" != 0 ]; then CONTAINER_SKIP_REASON="not root (the smoke test runs podman rootful)"; return 1; fi
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || missing+=(runc)
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then CONTAINER_SKIP_REASON="${missing[*]} missing and no apt-get"; return 1; fi
    echo "containers: installing ${missing[*]} with apt-get"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman runc mmdebstrap uidmap >/dev/null; }; then
      CONTAINER_SKIP_REASON="apt-get could not install ${missing[*]}"; return 1
    fi
  fi
  local root conf hard
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  conf="$root/.cache/container/containers.conf"
  mkdir -p "$(dirname "$conf")"
  hard=$(ulimit -Hn)
  [ "$hard" = unlimited ] && hard=1048576
  cat > "$conf" <<CONF
[containers]
default_ulimits = ["nofile=$hard:$hard", "nproc=32768:32768"]

[engine]
runtime = "runc"
CONF
  export CONTAINERS_CONF="$conf"
  if ! podman info >/dev/null 2>&1; then CONTAINER_SKIP_REASON="podman info fails: $(podman info 2>&1 | tail -1)"; return 1; fi
}
