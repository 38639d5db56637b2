# shellcheck shell=bash
# The Docker engines of the simulated machines: one dockerd per machine, each in its own network
# namespace (hl-<m>) so every engine has its own docker0 bridge and iptables and containers get
# ordinary bridge networking, exactly like on a real machine, without the daemons fighting over the
# host's docker0. The API socket is a file, so it is reachable from the host (and over SSH)
# whatever the namespace. Each daemon starts its own managed containerd under its exec-root.

# storage_driver — the graph driver for new data roots, probed once and remembered (a data root
# must keep its driver). overlay2 when the kernel can mount overlayfs on the data-root filesystem,
# else fuse-overlayfs if installed, else vfs (slow and big, but works everywhere).
storage_driver() {
  local f="$LAB_LIB/storage-driver"
  if [[ -n ${HINDSIGHT_LAB_STORAGE_DRIVER:-} ]]; then echo "$HINDSIGHT_LAB_STORAGE_DRIVER"; return; fi
  if [[ -s $f ]]; then cat "$f"; return; fi
  local probe="$LAB_LIB/.overlay-probe" drv=vfs
  rm -rf "$probe"; mkdir -p "$probe"/{lower,upper,work,merged}
  echo probe >"$probe/lower/file"
  if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" \
    "$probe/merged" 2>/dev/null; then
    if echo x >>"$probe/merged/file" 2>/dev/null; then drv=overlay2; fi
    umount "$probe/merged" || umount -l "$probe/merged"
  elif command -v fuse-overlayfs >/dev/null; then
    drv=fuse-overlayfs
  fi
  rm -rf "$probe"
  echo "$drv" >"$f"
  echo "$drv"
}

# ensure_netns MACHINE — create the machine's network namespace (loopback up) if needed.
ensure_netns() {
  local ns; ns=$(netns_of "$1")
  # A leftover file that is no longer a namespace mount (e.g. after a crash) blocks `ip netns add`.
  if [[ -e /run/netns/$ns ]] && ! mountpoint -q "/run/netns/$ns"; then rm -f "/run/netns/$ns"; fi
  [[ -e /run/netns/$ns ]] || ip netns add "$ns"
  ip -n "$ns" link set lo up
}

docker_answers() { dk "$1" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# start_dockerd MACHINE — idempotent: leaves a healthy daemon alone, cleans up after a dead one.
start_dockerd() {
  local m=$1 run="$LAB_RUN/$1" pidf="$LAB_RUN/$1/dockerd.pid" pid
  mkdir -p "$run" "$LAB_LIB/$m/docker"
  chmod 755 "$run"
  if pid=$(pidfile_pid "$pidf" dockerd); then
    if wait_until 30 "$m dockerd" docker_answers "$m"; then return 0; fi
    warn "$m: dockerd (pid $pid) does not answer; restarting it"
    stop_pid "$pid" "$m dockerd" 30
  fi
  # Crash leftovers: an orphaned managed containerd of this daemon, a stale socket.
  local cpid
  if cpid=$(pidfile_pid "$run/exec/containerd/containerd.pid" containerd); then
    grep -qF "$run/exec/" "/proc/$cpid/cmdline" && stop_pid "$cpid" "$m containerd" 10
  fi
  rm -f "$(sock_of "$m")" "$pidf"

  ensure_netns "$m"
  local drv; drv=$(storage_driver)
  # Our own config file: settings of the host's /etc/docker/daemon.json must not leak in. And an
  # own identity key (a config-file-only setting in 20.10): otherwise all engines share
  # /etc/docker/key.json and report the same engine ID in `docker info`.
  printf '{ "deprecated-key-path": "%s" }\n' "$LAB_LIB/$m/key.json" >"$run/daemon.json"
  local args=(
    --config-file "$run/daemon.json"
    --host "unix://$(sock_of "$m")" --group "$LAB_GROUP"
    --data-root "$LAB_LIB/$m/docker" --exec-root "$run/exec" --pidfile "$pidf"
    --storage-driver "$drv"
    # Each daemon normally runs its own managed containerd; should a system containerd exist
    # (dockerd then uses /run/containerd/containerd.sock), own namespaces keep them apart.
    --containerd-namespace "hl-$m" --containerd-plugins-namespace "hl-$m-plugins"
  )
  log "$m: starting dockerd (storage driver $drv, netns $(netns_of "$m"))"
  echo "---- $(date -Is) start" >>"$run/dockerd.log"
  # Own UTS namespace too, so the engine reports the machine's name (`docker info` Name).
  spawn_daemon "$run/dockerd.log" unshare --uts -- sh -c 'hostname "$1" && shift && exec "$@"' sh "$m" \
    nsenter --net="/run/netns/$(netns_of "$m")" -- dockerd "${args[@]}"
}

# wait_dockerd MACHINE — until the daemon answers on its socket.
wait_dockerd() {
  local m=$1
  wait_until 90 "$m dockerd" docker_answers "$m" ||
    die "$m: dockerd did not come up; see $LAB_RUN/$m/dockerd.log"
}

stop_dockerd() {
  local m=$1 pid
  if pid=$(pidfile_pid "$LAB_RUN/$m/dockerd.pid" dockerd); then
    log "$m: stopping dockerd (pid $pid)"
    stop_pid "$pid" "$m dockerd" 60
  fi
  rm -f "$LAB_RUN/$m/dockerd.pid" "$(sock_of "$m")"
  # dockerd bind-mounts its data root onto itself (mount propagation); after a crash the mount
  # outlives the daemon. Undo it so the data root can be removed. (Fails harmlessly while a
  # container of a crashed daemon still holds a mount below it.)
  if mountpoint -q "$LAB_LIB/$m/docker"; then umount "$LAB_LIB/$m/docker" 2>/dev/null || true; fi
  # The managed containerd exits with its daemon; make sure of it.
  local cpid
  if cpid=$(pidfile_pid "$LAB_RUN/$m/exec/containerd/containerd.pid" containerd); then
    grep -qF "$LAB_RUN/$m/exec/" "/proc/$cpid/cmdline" && stop_pid "$cpid" "$m containerd" 10
  fi
  local ns; ns=$(netns_of "$m")
  [[ -e /run/netns/$ns ]] && ip netns del "$ns" 2>/dev/null || true
}
