#!/usr/bin/env bash
# Stops what lab/up.sh started — the S3 server, the sshds, the dockerds (which stop their
# containers and containerd) — by their pid files under /run/hindsight-lab, and waits for each to
# exit. Caches, data roots, keys and volumes stay, so the next lab/up.sh is a warm start.
# Idempotent: stopping a stopped lab is a no-op.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$LAB_DIR/machines.sh"
source "$LAB_DIR/ssh.sh"
source "$LAB_DIR/s3.sh"
source "$LAB_DIR/gateway.sh"

[[ $EUID -eq 0 ]] || die "the lab runs as root"
[[ -d $LAB_RUN ]] || { log "lab is not running"; exit 0; }
t0=$(date +%s%3N)
exec 9>"$LAB_RUN/.lock"
flock -w 600 9 || die "another lab/up.sh or lab/down.sh holds $LAB_RUN/.lock"

stop_gateway
stop_s3
for m in "${MACHINES[@]}" annex; do stop_sshd "$m"; done
# The engines stop in parallel: each stops its containers first.
pids=()
for m in "${MACHINES[@]}"; do stop_dockerd "$m" & pids+=($!); done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
((rc == 0)) || die "some engine did not stop cleanly"
log "lab is down ($(elapsed_since "$t0") s)"
