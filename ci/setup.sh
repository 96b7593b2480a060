#!/usr/bin/env bash
# ci/setup.sh - make this Debian 12 machine ready to build, test and run ogup.
#
# Idempotent: a second run checks and returns quickly. As root, no systemd:
#   1. installs every build and run dependency from Debian (apt-get update
#      only when something is missing);
#   2. creates the users and groups libvirt's QEMU driver expects, and the
#      openGauss cluster user omm:dbgrp;
#   3. applies the hugetlb cgroup fix LXC needs on hybrid cgroup hosts
#      (see ../shared/reference/node-runtime-facts.md);
#   4. starts virtlogd and libvirtd as daemons with pid files, if not running;
#   5. verifies that lxc:///system and qemu:///system answer;
#   6. unpacks the QEMU driver's guest kernel (Debian's cloud kernel) into
#      /var/cache/ogsim/vmkernel.
# Exit 0 when ready; otherwise non-zero with the failing step named.
set -euo pipefail

PACKAGES=(
  meson ninja-build gcc pkg-config
  libvirt-dev libvirt-daemon libvirt-daemon-driver-lxc libvirt-daemon-driver-qemu
  libvirt-clients qemu-system-x86 qemu-utils qemu-guest-agent dnsmasq-base iptables iproute2
  libssh2-1-dev libxml2-dev libxml2-utils libpq-dev libarchive-dev libssl-dev
  libfiu-dev fiu-utils libjson-c-dev libcriterion-dev lcov
  openssh-server openssh-client postgresql-15 postgresql-contrib
  e2fsprogs busybox-static cpio bzip2 procps util-linux groff-base chromium
  clang libclang-rt-14-dev  # ci/sanitize.sh: ASan/UBSan build, libFuzzer (a Recommends)
  clang-format git          # ci/test.sh: the format check over the tracked files
)
RUN_DIR=/run/ogup
LIBVIRTD_PID=$RUN_DIR/libvirtd.pid
VIRTLOGD_PID=$RUN_DIR/virtlogd.pid

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (it installs packages and starts libvirtd)"

# --- 1. packages ------------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${#missing[@]} packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]}"
else
  say "packages: all ${#PACKAGES[@]} present"
fi

# --- 2. users and groups ------------------------------------------------------
# With --no-install-recommends these do not exist and the QEMU driver refuses
# to initialise ("Failed to parse user 'libvirt-qemu'").
getent group kvm >/dev/null || groupadd -r kvm
getent group libvirt >/dev/null || groupadd -r libvirt
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
  useradd -r -g libvirt-qemu -G kvm -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu

# The openGauss cluster user: PostgreSQL refuses to run as root, and nodes
# share /etc with the host, so omm:dbgrp exists here.
getent group dbgrp >/dev/null || groupadd dbgrp
getent passwd omm >/dev/null || useradd -m -g dbgrp -s /bin/bash omm
# useradd leaves the account locked ("!"); sshd (without PAM) refuses locked
# accounts even for key logins. "*" = no password, not locked.
case "$(getent shadow omm | cut -d: -f2)" in '!'*) usermod -p '*' omm ;; esac

# --- 3. hugetlb cgroup fix ------------------------------------------------------
# On a hybrid layout (v1 controllers + cgroup2 at /sys/fs/cgroup/unified) with
# hugetlb only on cgroup2, libvirt's LXC driver picks its v2 backend and fails
# with "Unable to create directory /sys/fs/cgroup/unified". Mounting hugetlb
# as v1 moves it off cgroup2; no daemon restart is needed.
if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = tmpfs ] && \
   [ -d /sys/fs/cgroup/unified ] && ! mountpoint -q /sys/fs/cgroup/hugetlb; then
  say "applying the hugetlb cgroup fix"
  mkdir -p /sys/fs/cgroup/hugetlb
  mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb || die "mount hugetlb cgroup"
fi

# --- 4. daemons (no systemd: started by hand, left running) ---------------------
mkdir -p "$RUN_DIR" /var/log/libvirt /var/run/libvirt /var/lib/libvirt /run/sshd
running() { # pidfile comm: ours from the pid file, or one started elsewhere
  local pid
  if [ -s "$1" ]; then
    pid=$(cat "$1")
    [ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && return 0
  fi
  pgrep -x "$2" >/dev/null
}
wait_socket() { # path seconds
  local i
  for i in $(seq 1 $(( $2 * 10 ))); do
    [ -S "$1" ] && return 0
    sleep 0.1
  done
  return 1
}
if ! running "$VIRTLOGD_PID" virtlogd; then
  say "starting virtlogd"
  virtlogd -d -p "$VIRTLOGD_PID" || die "virtlogd did not start"
  wait_socket /var/run/libvirt/virtlogd-sock 10 || die "virtlogd socket did not appear"
fi
if ! running "$LIBVIRTD_PID" libvirtd; then
  say "starting libvirtd"
  libvirtd -d -p "$LIBVIRTD_PID" || die "libvirtd did not start (see /var/log/libvirt/libvirtd.log)"
  wait_socket /var/run/libvirt/libvirt-sock 20 || die "libvirtd socket did not appear"
fi

# --- 5. verify the drivers answer ----------------------------------------------
for uri in lxc:///system qemu:///system; do
  ok=
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    if out=$(timeout 20 virsh -c "$uri" version 2>&1); then ok=1; break; fi
    sleep 0.5
  done
  [ -n "$ok" ] || die "libvirt driver $uri does not answer: $out"
done
say "ready: libvirtd and virtlogd running, lxc:///system and qemu:///system answer"


# --- 6. the QEMU driver's guest kernel ------------------------------------------
# Debian's cloud kernel (virtio, virtiofs, ext4; no 9p), unpacked as the
# package holds it: boot/vmlinuz-REL and lib/modules/REL. ogsim packs the
# modules it needs into each cluster's initramfs (simulator/cluster/vmimage.c).
VMKERNEL=/var/cache/ogsim/vmkernel
if ! compgen -G "$VMKERNEL/boot/vmlinuz-*" >/dev/null; then
  pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  if [ -z "$pkg" ]; then
    apt-get update -qq || die "apt-get update"
    pkg=$(apt-cache depends linux-image-cloud-amd64 |
          awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  fi
  [ -n "$pkg" ] || die "no linux-image-cloud-amd64 in the package lists"
  say "unpacking the guest kernel $pkg into $VMKERNEL"
  tmp=$(mktemp -d) && chmod 755 "$tmp"
  (cd "$tmp" && apt-get download -qq "$pkg" >/dev/null) || { rm -rf "$tmp"; die "apt-get download $pkg"; }
  rm -rf "$VMKERNEL.new" && mkdir -p "$VMKERNEL.new"
  dpkg-deb -x "$tmp"/*.deb "$VMKERNEL.new" || { rm -rf "$tmp"; die "dpkg-deb -x $pkg"; }
  rm -rf "$tmp" "$VMKERNEL" && mv "$VMKERNEL.new" "$VMKERNEL"
fi
say "guest kernel: $(basename "$(compgen -G "$VMKERNEL/boot/vmlinuz-*" | head -1)")"
