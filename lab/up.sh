#!/usr/bin/env bash
# Brings the Hindsight test lab up on loopback (Linux, root). Idempotent: what already runs
# correctly is left alone; leftovers of a crash (stale pid files, sockets) are cleaned up.
#   bash lab/up.sh            # or: npm run lab:up
#   bash lab/up.sh --reset    # also put the machines' containers and data back to the initial state
# What it starts and where: lab/README.md. Stop it with lab/down.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$LAB_DIR/images.sh"
source "$LAB_DIR/machines.sh"
source "$LAB_DIR/ssh.sh"
source "$LAB_DIR/s3.sh"
source "$LAB_DIR/gateway.sh"
source "$LAB_DIR/stack.sh"
source "$LAB_DIR/mariadb.sh"
source "$LAB_DIR/config.sh"

RESET=0
for arg in "$@"; do
  case $arg in
    --reset) RESET=1 ;;
    *) die "unknown argument: $arg (usage: lab/up.sh [--reset])" ;;
  esac
done
[[ $(uname -s) == Linux && $EUID -eq 0 ]] || die "the lab runs on Linux as root"
t0=$(date +%s%3N)

bash "$LAB_DIR/install-packages.sh"
[[ -x $NODE ]] || die "$NODE missing: run npm ci first"

mkdir -p "$LAB_RUN" "$LAB_LIB" "$LAB_CACHE"
chmod 755 "$LAB_RUN" "$LAB_LIB"
# One up/down at a time (fd 9; the daemons we start do not inherit it, see spawn_daemon).
exec 9>"$LAB_RUN/.lock"
flock -w 600 9 || die "another lab/up.sh or lab/down.sh holds $LAB_RUN/.lock"

ensure_user
ensure_keys
build_images
build_mariadb_image

# Start everything that can start in parallel, then wait for each.
for m in "${MACHINES[@]}"; do start_dockerd "$m"; done
for m in "${MACHINES[@]}" annex; do start_sshd "$m" 9>&-; done  # sshd closes other fds itself
if ((RESET)); then
  # Empty backup targets too: the S3 buckets (recreated at start) and the annex repository.
  stop_s3
  rm -rf "$S3_DATA"
  [[ ! -d $ANNEX_CHROOT/repo ]] || find "$ANNEX_CHROOT/repo" -mindepth 1 -delete
fi
start_s3
for m in "${MACHINES[@]}"; do wait_dockerd "$m"; done

# Images and stacks: one background job per machine (imports are the slow part of a warm start).
setup_machine() {
  local m=$1
  ((RESET)) && reset_machine "$m"
  import_images "$m"
  "setup_$m"
  # Older builds of the lab images, once no container uses them.
  dk "$m" image prune -f >/dev/null
}
declare -A jobs=()
for m in "${MACHINES[@]}"; do
  setup_machine "$m" > >(sed -u "s/^/  [$m] /") 2>&1 &
  jobs[$m]=$!
done
failed=()
for m in "${MACHINES[@]}"; do wait "${jobs[$m]}" || failed+=("$m"); done
((${#failed[@]} == 0)) || die "setting up ${failed[*]} failed (output above)"

for m in "${MACHINES[@]}" annex; do wait_sshd "$m"; done
wait_s3
start_gateway
write_config

# Prove the parts work the way Hindsight uses them.
verify_ssh "$CONFIG_DIR/known_hosts"
verify_s3
verify_gateway

cat <<EOF

Hindsight lab is up ($(elapsed_since "$t0") s; storage driver $(storage_driver)).
  machine     ssh (user $LAB_USER)    docker socket (forward this over ssh)
$(for m in "${MACHINES[@]}"; do printf '  %-11s %-21s %s\n' "$m" "${ADDR[$m]}:$SSH_PORT" "$(sock_of "$m")"; done)
  annex       ${ADDR[annex]}:$SSH_PORT      SFTP only, repository /repo (= $ANNEX_CHROOT/repo)
  s3          $S3_ENDPOINT  access key $S3_ACCESS_KEY / $S3_SECRET_KEY, buckets ${S3_BUCKETS[*]}
  client key  $CONFIG_DIR/keys/lab_ed25519 (unauthorized: keys/wrong_ed25519)
  config dir  $CONFIG_DIR   (hosts.json, repositories.json, known_hosts)
  facts       $LAB_JSON
EOF
