#!/usr/bin/env bash
# Installs what gvmatrix needs on a Debian 12 machine, idempotently: Debian packages (as
# root), a Podman configuration that works on hosts whose root lacks CAP_SYS_RESOURCE or
# that run cgroup v1, the npm dependencies, the compiled CLI and the matrix's images.
# A second run skips every step that is already done.
set -euo pipefail

cd "$(dirname "$0")/.."
log() { printf 'setup: %s\n' "$*" >&2; }

PACKAGES=(podman runc runsc conmon netavark aardvark-dns iptables uidmap slirp4netns
  fuse-overlayfs catatonit mmdebstrap libxml2-utils)

install_packages() {
  local missing=()
  for package in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]}; run this script as root once to install them"
    exit 3
  fi
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Podman's default rlimits fail at container start where root lacks CAP_SYS_RESOURCE.
# crun fails on a cgroup v1 host. runc with explicit limits works on both.
configure_podman() {
  local conf=/etc/containers/containers.conf.d/50-gvmatrix.conf
  if [ "$(id -u)" -ne 0 ] || [ -f "$conf" ]; then
    return
  fi
  log "writing $conf"
  mkdir -p "$(dirname "$conf")"
  cat > "$conf" <<'CONF'
# Written by gvmatrix's scripts/setup.sh.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
CONF
}

install_npm_dependencies() {
  local stamp=node_modules/.gvmatrix-lock.sha256
  local wanted
  wanted=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return
  fi
  log "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$wanted" > "$stamp"
}

build_cli() {
  log "compiling TypeScript"
  npx tsc -p tsconfig.json
}

build_images() {
  node dist/src/cli/main.js images build --matrix "${GVMATRIX_MATRIX:-matrix.yaml}"
}

install_packages
configure_podman
install_npm_dependencies
build_cli
build_images
log "ready"
