# shellcheck shell=bash
# The lab's shared network: each machine's engine lives in its own network namespace (machines.sh),
# so a container there with host networking — the Hindsight agent — sees only that namespace's
# loopback. Real hosts reach their S3 endpoint and backup server over the network; here each shared
# service (the S3 server, the annex's sshd) is made reachable from every machine at the very
# address it has on the lab host: a socat in the root namespace listens on a Unix socket and
# connects to the service, and one socat per machine listens on the service's address inside the
# machine's namespace and connects to that socket (Unix sockets are files: they cross namespaces).
# "hooks" is where tests listen for notifications (nothing listens there otherwise).

GW_RUN="$LAB_RUN/gateway"
# name address port
GATEWAY_SERVICES=("s3 $S3_ADDR $S3_PORT" "annex ${ADDR[annex]} $SSH_PORT" "hooks $HOOKS_ADDR $HOOKS_PORT")

# gw_spawn PIDFILE LOG CMD... — start one socat unless it already runs.
gw_spawn() {
  local pidf=$1 logf=$2; shift 2
  pidfile_pid "$pidf" socat >/dev/null && return 0
  spawn_daemon "$logf" "$@"
  echo $! >"$pidf"
}

# socat's transfer block (default 8 KiB): an agent's backup of 1 GiB crosses two socats, and with
# 8 KiB blocks they spent 1.3 s of CPU on it — on the same 2 cores as what is measured.
GW_BUFFER=262144

start_gateway() {
  mkdir -p "$GW_RUN"
  local svc name addr port m
  for svc in "${GATEWAY_SERVICES[@]}"; do
    read -r name addr port <<<"$svc"
    gw_spawn "$GW_RUN/$name.pid" "$GW_RUN/gateway.log" \
      socat -b "$GW_BUFFER" "UNIX-LISTEN:$GW_RUN/$name.sock,fork,unlink-early,mode=600" "TCP:$addr:$port"
    for m in "${MACHINES[@]}"; do
      gw_spawn "$GW_RUN/$name-$m.pid" "$GW_RUN/gateway.log" \
        nsenter --net="/run/netns/$(netns_of "$m")" -- \
        socat -b "$GW_BUFFER" "TCP-LISTEN:$port,bind=$addr,fork,reuseaddr" "UNIX-CONNECT:$GW_RUN/$name.sock"
    done
  done
}

stop_gateway() {
  local f pid
  for f in "$GW_RUN"/*.pid; do
    [[ -f $f ]] || continue
    if pid=$(pidfile_pid "$f" socat); then stop_pid "$pid" "gateway $(basename "$f" .pid)" 5; fi
    rm -f "$f"
  done
}

# verify_gateway — the S3 server answers from inside each machine's namespace.
verify_gateway() {
  local m
  for m in "${MACHINES[@]}"; do
    wait_until 10 "gateway $m" ip netns exec "$(netns_of "$m")" \
      timeout 1 bash -c "exec 3<>/dev/tcp/$S3_ADDR/$S3_PORT" ||
      die "gateway: S3 not reachable from $m's network namespace; see $GW_RUN/gateway.log"
  done
}
