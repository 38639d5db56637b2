#!/usr/bin/env bash
# Installs the Debian packages the lab (and, with `ci`, the whole test suite) needs — only those
# missing, so a prepared machine costs one dpkg query and no network.
#   bash lab/install-packages.sh        # what lab/up.sh needs
#   bash lab/install-packages.sh ci     # + what the tests need (Chromium for Playwright, git)
set -euo pipefail

LAB_PACKAGES=(
  docker.io containerd runc tini   # one dockerd per simulated machine
  openssh-server openssh-client    # one sshd per machine; ssh/sftp/ssh-keygen/ssh-keyscan
  debootstrap debian-archive-keyring zstd  # the postgres image rootfs, built offline once
  busybox-static                   # the busybox image
  iproute2 util-linux procps       # ip netns, nsenter/setsid/flock, ps
  socat                            # the shared services inside each machine namespace (gateway.sh)
  python3-minimal                  # the S3 server joins multipart parts with copy_file_range
  age                              # repository encryption interop tests
  restic                           # retention checked against restic's own forget; benchmarks
  ca-certificates
)
CI_PACKAGES=(chromium fonts-liberation git)

want=("${LAB_PACKAGES[@]}")
# With AppArmor enabled in the kernel, dockerd needs apparmor_parser to load its container profile.
[[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y ]] && want+=(apparmor)
[[ ${1:-} == ci ]] && want+=("${CI_PACKAGES[@]}")

missing=()
for p in "${want[@]}"; do
  [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]})) || exit 0

[[ $EUID -eq 0 ]] || { echo "install-packages: need root to install: ${missing[*]}" >&2; exit 1; }
echo "install-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Package scripts must not start system services (a system dockerd/containerd/sshd would take the
# default sockets and port 22, and the lab daemons would pick up the system containerd).
policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
fi
trap '((own_policy)) && rm -f "$policy"' EXIT
# Some configured third-party sources may be unreachable here; Debian's mirror is what matters.
apt-get update -q || echo "install-packages: apt-get update reported errors; trying anyway" >&2
apt-get install -y -q --no-install-recommends "${missing[@]}"
