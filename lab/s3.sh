# shellcheck shell=bash
# The S3 server of the lab: lab/s3-server.mjs (s3rver) run with the project's Node.

S3_RUN="$LAB_RUN/s3"
S3_DATA="$LAB_LIB/s3"
S3_ENDPOINT="http://$S3_ADDR:$S3_PORT"
# The process name of the Node running s3rver: "node" up to Node 22, "MainThread" from Node 24.
NODE_COMM="node|MainThread"

s3_args() {
  local b args=(--address "$S3_ADDR" --port "$S3_PORT" --directory "$S3_DATA"
    --access-key "$S3_ACCESS_KEY" --secret-key "$S3_SECRET_KEY" --pidfile "$S3_RUN/s3.pid")
  for b in "${S3_BUCKETS[@]}"; do args+=(--bucket "$b"); done
  echo "${args[@]}"
}

s3_answers() { tcp_open "$S3_ADDR" "$S3_PORT"; }
# A TCP connect is enough to know it listens (bash's /dev/tcp; no curl needed).
tcp_open() { timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

start_s3() {
  [[ -x $NODE ]] || die "$NODE missing: run npm ci first (the lab uses the project's Node for s3rver)"
  mkdir -p "$S3_RUN" "$S3_DATA"
  local pid want have
  want="legacy-openssl $(s3_args) $(sha256sum "$LAB_DIR/s3-server.mjs" | cut -c1-12)"
  have=$(cat "$S3_RUN/s3.args" 2>/dev/null || true)
  if pid=$(pidfile_pid "$S3_RUN/s3.pid" "$NODE_COMM"); then
    if [[ $want == "$have" ]] && s3_answers; then return 0; fi
    log "s3: server changed or not answering; restarting"
    stop_pid "$pid" "s3 server" 10
  fi
  rm -f "$S3_RUN/s3.pid"
  log "s3: starting s3rver on $S3_ENDPOINT"
  echo "---- $(date -Is) start" >>"$S3_RUN/s3.log"
  # shellcheck disable=SC2046
  # --openssl-legacy-provider: s3rver encrypts ListObjectsV2 continuation tokens with DES, which
  # OpenSSL 3 only has in its legacy provider; without it every truncated page is a 500.
  spawn_daemon "$S3_RUN/s3.log" "$NODE" --openssl-legacy-provider "$LAB_DIR/s3-server.mjs" $(s3_args)
  echo "$want" >"$S3_RUN/s3.args"
}

wait_s3() {
  wait_until 30 "s3" test -s "$S3_RUN/s3.pid" && wait_until 10 "s3" s3_answers ||
    die "s3: server did not come up; see $S3_RUN/s3.log"
}

verify_s3() {
  local b args=(--endpoint "$S3_ENDPOINT" --access-key "$S3_ACCESS_KEY" --secret-key "$S3_SECRET_KEY")
  for b in "${S3_BUCKETS[@]}"; do args+=(--bucket "$b"); done
  "$NODE" "$LAB_DIR/s3-check.mjs" "${args[@]}" >/dev/null || die "s3: PUT/GET check failed"
}

stop_s3() {
  local pid
  if pid=$(pidfile_pid "$S3_RUN/s3.pid" "$NODE_COMM"); then
    log "s3: stopping s3rver (pid $pid)"
    stop_pid "$pid" "s3 server" 10
  fi
  rm -f "$S3_RUN/s3.pid"
}
