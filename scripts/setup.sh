#!/usr/bin/env bash
# Installs what gvmatrix needs on a Debian 12 machine, idempotently: Debian packages (as
# root), a Podman configuration that works on hosts whose root lacks CAP_SYS_RESOURCE or
# that run cgroup v1, the npm dependencies, the compiled CLI and the matrix's images.
# A second run skips every step that is already done.
set -euo pipefail

cd "$(dirname "$0")/.."
log() { printf 'setup: %s\n' "$*" >&2; }

# xsltproc and chromium are for the tests: the JUnit schema check and the HTML report's
# browser test. curl is for the benchmark's plain script (bench/).
PACKAGES=(podman runc runsc conmon netavark aardvark-dns iptables uidmap slirp4netns
  fuse-overlayfs catatonit mmdebstrap libxml2-utils gcc libc6-dev linux-libc-dev
  xsltproc chromium curl)

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

# The second gVisor release in the shipped matrix: runsc 0.0~20240729 from Debian trixie.
# The .deb holds one static binary, so it is extracted into its own folder; installing
# trixie packages system-wide would mix releases on a bookworm machine.
RUNSC_NEXT_VERSION=20240729
RUNSC_NEXT_DIR=/opt/gvmatrix/runsc-$RUNSC_NEXT_VERSION

install_runsc_next() {
  if [ -x "$RUNSC_NEXT_DIR/runsc" ]; then
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    log "missing $RUNSC_NEXT_DIR/runsc; run this script as root once to extract it"
    exit 3
  fi

  local mirror work
  mirror=$(grep -hoE '^(URIs:|deb( \[[^]]*\])?) *[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | awk '{print $NF}' | head -n 1)
  mirror=${GVMATRIX_DEBIAN_MIRROR:-${mirror:-http://deb.debian.org/debian}}
  work=$(mktemp -d)
  log "extracting runsc $RUNSC_NEXT_VERSION from Debian trixie ($mirror) into $RUNSC_NEXT_DIR"

  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$work/sources.list"
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
  local apt_options=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1
    -o APT::Sandbox::User=root)
  apt-get "${apt_options[@]}" -qq update
  local version
  version=$(apt-cache "${apt_options[@]}" madison runsc | awk -v want="$RUNSC_NEXT_VERSION" '$3 ~ want {print $3; exit}')
  if [ -z "$version" ]; then
    log "trixie on $mirror has no runsc $RUNSC_NEXT_VERSION; set GVMATRIX_DEBIAN_MIRROR to a mirror or snapshot that has it"
    rm -rf "$work"
    exit 3
  fi
  (cd "$work" && apt-get "${apt_options[@]}" -qq download "runsc=$version")
  dpkg-deb -x "$work"/runsc_*.deb "$work/root"
  install -D -m 0755 "$work/root/usr/bin/runsc" "$RUNSC_NEXT_DIR/runsc"
  rm -rf "$work"
}

# Rootless runs (`gvmatrix run --rootless`) use an unprivileged account with subordinate
# id ranges. slirp4netns, rootless Podman's network, opens /dev/net/tun as that user,
# and the device is root-only (0600) on these machines.
ROOTLESS_USER=${GVMATRIX_ROOTLESS_USER:-gvmatrix}

prepare_rootless_user() {
  if [ "$(id -u)" -ne 0 ]; then
    return
  fi
  if ! id "$ROOTLESS_USER" >/dev/null 2>&1; then
    log "adding user $ROOTLESS_USER for rootless runs"
    useradd --create-home --shell /usr/sbin/nologin "$ROOTLESS_USER"
  fi
  if ! grep -q "^$ROOTLESS_USER:" /etc/subuid 2>/dev/null || ! grep -q "^$ROOTLESS_USER:" /etc/subgid 2>/dev/null; then
    log "adding subordinate uid and gid ranges for $ROOTLESS_USER"
    usermod --add-subuids 200000-265535 --add-subgids 200000-265535 "$ROOTLESS_USER"
  fi
  if [ -c /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
    log "making /dev/net/tun usable by unprivileged users (mode 0666)"
    chmod 0666 /dev/net/tun
  fi
  configure_rootless_storage
}

# Without a storage.conf, rootless Podman here falls back to the vfs driver, which copies
# the whole image for every container (measured: about 15 s per test instead of 1 s).
# The kernel's overlayfs works in a user namespace, so the user gets the overlay driver.
configure_rootless_storage() {
  local home conf uid driver
  home=$(getent passwd "$ROOTLESS_USER" | cut -d: -f6)
  conf="$home/.config/containers/storage.conf"
  if [ -f "$conf" ]; then
    return
  fi
  log "configuring the overlay storage driver for $ROOTLESS_USER"
  install -d -o "$ROOTLESS_USER" -g "$ROOTLESS_USER" "$home/.config" "$home/.config/containers"
  printf '# Written by gvmatrix'"'"'s scripts/setup.sh.\n[storage]\ndriver = "overlay"\n' > "$conf"
  chown "$ROOTLESS_USER:" "$conf"

  uid=$(id -u "$ROOTLESS_USER")
  install -d -m 0700 -o "$ROOTLESS_USER" -g "$ROOTLESS_USER" "/run/user/$uid"
  driver=$(cd / && runuser -u "$ROOTLESS_USER" -- env XDG_RUNTIME_DIR="/run/user/$uid" HOME="$home" podman info --format '{{.Store.GraphDriverName}}' 2>/dev/null || true)
  if [ "$driver" = vfs ]; then
    # A store created with vfs keeps that driver; gvmatrix copies images into it again on demand.
    log "resetting $ROOTLESS_USER's vfs image store"
    (cd / && runuser -u "$ROOTLESS_USER" -- env XDG_RUNTIME_DIR="/run/user/$uid" HOME="$home" podman system reset --force >/dev/null 2>&1)
  fi
}

# Rootful Podman gives each `userns: auto` container its own slice of the subordinate ids
# of the account "containers" (containers/storage's default root-auto-userns-user), and
# without such a line it fails with "could not find enough available IDs". The account
# itself need not exist, so the lines are written directly. The range is the example of
# Podman's --userns documentation. It lies above useradd's default SUB_UID_MAX (600100000).
AUTO_USERNS_LINE=containers:2147483647:2147483648

add_auto_userns_range() {
  if [ "$(id -u)" -ne 0 ]; then
    return
  fi
  local file
  for file in /etc/subuid /etc/subgid; do
    if ! grep -q '^containers:' "$file" 2>/dev/null; then
      log "adding $AUTO_USERNS_LINE to $file for userns: auto"
      echo "$AUTO_USERNS_LINE" >> "$file"
    fi
  done
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

# Compiles only when a TypeScript source, tsconfig.json or the installed packages changed
# since the last compile, which leaves a stamp in dist/.
build_cli() {
  local stamp=dist/.gvmatrix-build-stamp
  if [ -f "$stamp" ] && [ -z "$(find src test bench scripts tsconfig.json package-lock.json -newer "$stamp" \( -name '*.ts' -o -name '*.json' \) -print -quit 2>/dev/null)" ]; then
    return
  fi
  log "compiling TypeScript"
  npx tsc -p tsconfig.json
  touch "$stamp"
}

# Builds only the images whose folder or base image changed, several at a time
# (GVMATRIX_BUILD_JOBS sets how many; the default is one per CPU).
build_images() {
  node dist/src/cli/main.js images build --matrix "${GVMATRIX_MATRIX:-matrix.yaml}"
}

install_packages
configure_podman
install_runsc_next
prepare_rootless_user
add_auto_userns_range
install_npm_dependencies
build_cli
build_images
log "ready"
