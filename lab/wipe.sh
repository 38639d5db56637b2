#!/usr/bin/env bash
# Wipes every piece of data the lab ever stored, so the next lab/up.sh starts as on a new machine:
# stops the lab (lab/down.sh), then deletes /var/lib/hindsight-lab — the engines' data roots (every
# container, volume, network and loaded image), the S3 buckets, the annex's repository, host and
# client keys — and the clone's .lab/ (config dir, lab.json). Keeps /var/cache/hindsight-lab, the
# cache of built image archives (rebuilding them is minutes of debootstrap and proves nothing).
#   bash lab/wipe.sh            # or: npm run lab:wipe
# CI (.ci/run) runs it before the tests: no test may depend on what an earlier run left behind.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[[ $EUID -eq 0 ]] || die "the lab runs as root"
t0=$(date +%s%3N)
bash "$LAB_DIR/down.sh"
# A lab S3 server another checkout started and lost track of would keep the port: it goes too.
pkill -f "s3-server.mjs --address $S3_ADDR --port $S3_PORT" 2>/dev/null && sleep 1 || true

# Nothing of the lab may still be mounted under the data folder (a dockerd killed hard leaves its
# overlay mounts): rm -rf would otherwise descend into them. Deepest first.
if [[ -d $LAB_LIB ]]; then
  while read -r mnt; do
    [[ -n $mnt ]] || continue
    umount -l "$mnt" 2>/dev/null || warn "could not unmount $mnt"
  done < <(findmnt -rn -o TARGET | grep -E "^$LAB_LIB(/|$)" | sort -r || true)
  rm -rf --one-file-system "$LAB_LIB"
fi
rm -rf "$REPO_DIR/.lab"
log "lab data wiped ($(elapsed_since "$t0") s); image cache kept in $LAB_CACHE"
