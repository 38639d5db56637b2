# shellcheck shell=bash
# Shared constants and helpers of the Hindsight test lab. Sourced by every lab script.
#
# Layout on the machine (all outside the clone, so a fresh clone starts warm):
#   /run/hindsight-lab/<m>/        runtime: sockets, pid files, logs, generated sshd configs
#   /var/lib/hindsight-lab/<m>/    state: dockerd data roots, sshd host keys
#   /var/lib/hindsight-lab/keys/   the lab client keys (stable across runs)
#   /var/cache/hindsight-lab/      image rootfs tarballs (debootstrap runs once per machine)

set -euo pipefail

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$LAB_DIR/.." && pwd)"
LAB_RUN=/run/hindsight-lab
LAB_LIB=/var/lib/hindsight-lab
LAB_CACHE=/var/cache/hindsight-lab
CONFIG_DIR="$REPO_DIR/.lab/config"

# Simulated machines running a Docker engine, and the SFTP-only backup server.
MACHINES=(production uat science)
declare -A ADDR=([production]=127.0.0.11 [uat]=127.0.0.12 [science]=127.0.0.13 [annex]=127.0.0.14)
SSH_PORT=2222
S3_ADDR=127.0.0.15
S3_PORT=9000
S3_ACCESS_KEY=hindsight
S3_SECRET_KEY=hindsight-secret
S3_BUCKETS=(hindsight-lab hindsight-e2e)
# Where tests listen for notifications (webhooks, pings): reachable from every machine (gateway.sh).
HOOKS_ADDR=127.0.0.16
HOOKS_PORT=8099

LAB_USER=hindsight                 # SSH login user on every lab machine
LAB_GROUP=hindsight-docker         # group of the dockerd sockets; LAB_USER is a member
LAB_HOME="$LAB_LIB/home"
ANNEX_CHROOT="$LAB_LIB/annex/sftp" # sftp chroot of the annex; the repository is <chroot>/repo

NODE="$REPO_DIR/node_modules/.bin/node"
# The Debian client matches the 20.10 daemons; fall back to whatever docker is on PATH.
if [[ -x /usr/bin/docker ]]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi

# elapsed_since T0_MS — seconds since T0 (from `date +%s%3N`), one decimal.
elapsed_since() { local ms=$(($(date +%s%3N) - $1)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

if [[ -t 1 ]]; then C_LOG=$'\e[1;34m' C_WARN=$'\e[1;33m' C_ERR=$'\e[1;31m' C_OFF=$'\e[0m'
else C_LOG='' C_WARN='' C_ERR='' C_OFF=''; fi
log()  { printf '%s[lab %s]%s %s\n' "$C_LOG" "$(date +%T)" "$C_OFF" "$*"; }
warn() { printf '%s[lab %s] WARNING:%s %s\n' "$C_WARN" "$(date +%T)" "$C_OFF" "$*" >&2; }
die()  { printf '%s[lab %s] ERROR:%s %s\n' "$C_ERR" "$(date +%T)" "$C_OFF" "$*" >&2; exit 1; }

sock_of()   { echo "$LAB_RUN/$1/docker.sock"; }
netns_of()  { echo "hl-$1"; }
# dk MACHINE ARGS... — the docker CLI pointed at one lab machine's engine.
dk() { local m=$1; shift; "$DOCKER" -H "unix://$(sock_of "$m")" "$@"; }

# pid_alive PID [COMM] — true if PID runs and is not a zombie (PID 1 in this sandbox does not reap
# orphans, so `kill -0` alone would report exited daemons as alive). With COMM, the process name
# must match too, so a stale pid file whose number got reused never makes us signal a stranger.
pid_alive() {
  local pid=$1 comm=${2:-} state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z && $state != X ]] || return 1
  # COMM may list alternatives ("node|MainThread": Node 24 names its main thread, and so the comm).
  [[ -z $comm ]] || [[ $(cat "/proc/$pid/comm" 2>/dev/null) =~ ^($comm)$ ]]
}

# pidfile_pid FILE COMM — print the live pid recorded in FILE, or fail (and drop a stale FILE).
pidfile_pid() {
  local f=$1 comm=$2 pid
  [[ -s $f ]] || return 1
  pid=$(tr -dc '0-9' <"$f")
  if pid_alive "$pid" "$comm"; then echo "$pid"; return 0; fi
  rm -f "$f"
  return 1
}

# stop_pid PID NAME [TIMEOUT_S] — SIGTERM, wait for the exit, SIGKILL after the timeout.
stop_pid() {
  local pid=$1 name=$2 timeout=${3:-20} i
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  warn "$name (pid $pid) ignored SIGTERM for ${timeout}s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do pid_alive "$pid" || return 0; sleep 0.1; done
  die "$name (pid $pid) does not die"
}

# spawn_daemon LOG CMD... — start CMD in the background as a daemon: own session, stdin from
# /dev/null, output appended to LOG, and no inherited file descriptors (an inherited pipe would make
# a caller such as `npm run` or `$(...)` wait for the daemon's exit; the lock fd would stay held).
spawn_daemon() {
  local log=$1; shift
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-"; fi
    done 2>/dev/null
    exec setsid "$@" </dev/null >>"$log" 2>&1
  ) &
}

# wait_until TIMEOUT_S DESCRIPTION CMD... — poll CMD every 0.1 s until it succeeds.
wait_until() {
  local timeout=$1 i; shift 2
  for ((i = 0; i < timeout * 10; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

# write_if_changed FILE MODE — write stdin to FILE only when the content differs; returns 0 when
# the file changed (callers use that to decide whether a daemon must be restarted).
write_if_changed() {
  local f=$1 mode=$2 tmp
  tmp=$(mktemp "$f.XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if [[ -f $f ]] && cmp -s "$tmp" "$f"; then rm -f "$tmp"; return 1; fi
  mv -f "$tmp" "$f"
  return 0
}
