# shellcheck shell=bash
# The ready-made Hindsight config dir (<repo>/.lab/config) and the facts file for tests
# (<repo>/.lab/lab.json). Rewritten on every run, so every test run starts from the same config.

LAB_JSON="$REPO_DIR/.lab/lab.json"

json_str() { # a JSON string literal (the lab's values need no escaping beyond these)
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

write_config() {
  local now; now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
  rm -rf "$CONFIG_DIR"
  mkdir -p "$CONFIG_DIR/keys"
  chmod 700 "$CONFIG_DIR" "$CONFIG_DIR/keys"
  install -m 0600 "$LAB_KEY" "$CONFIG_DIR/keys/lab_ed25519"
  install -m 0644 "$LAB_KEY.pub" "$CONFIG_DIR/keys/lab_ed25519.pub"
  install -m 0600 "$WRONG_KEY" "$CONFIG_DIR/keys/wrong_ed25519"
  install -m 0644 "$WRONG_KEY.pub" "$CONFIG_DIR/keys/wrong_ed25519.pub"
  local key="$CONFIG_DIR/keys/lab_ed25519" wrong="$CONFIG_DIR/keys/wrong_ed25519"

  local m
  for m in "${MACHINES[@]}" annex; do known_hosts_line "$m"; done >"$CONFIG_DIR/known_hosts"
  chmod 644 "$CONFIG_DIR/known_hosts"

  # hosts.json — what the app's config store reads. uat is left out on purpose: the e2e test adds
  # it through the UI (its details are in lab.json).
  host_entry() { # MACHINE PROTECTED
    local m=$1
    cat <<EOF
    {
      "id": "lab-$m",
      "name": "$m",
      "role": "$m",
      "protected": $2,
      "createdAt": "$now",
      "connection": {
        "type": "ssh",
        "address": "${ADDR[$m]}",
        "port": $SSH_PORT,
        "user": "$LAB_USER",
        "auth": { "type": "key", "keyPath": $(json_str "$key") },
        "remoteSocket": "$(sock_of "$m")"
      }
    }
EOF
  }
  {
    printf '{\n  "version": 1,\n  "hosts": [\n'
    host_entry production true
    printf '    ,\n'
    host_entry science false
    printf '  ]\n}\n'
  } >"$CONFIG_DIR/hosts.json"

  # repositories.json + repository-secrets.json — what the app's RepositoriesStore reads: the
  # lab's S3 bucket (under the prefix repo/) and a directory on annex. Neither is initialised here
  # (hindsight repo init lab-s3 / annex); the built-in "local" repository is never stored.
  cat >"$CONFIG_DIR/repositories.json" <<EOF
{
  "version": 1,
  "repositories": [
    {
      "id": "lab-s3",
      "name": "lab-s3",
      "createdAt": "$now",
      "kind": "s3",
      "endpoint": "$S3_ENDPOINT",
      "region": "us-east-1",
      "bucket": "${S3_BUCKETS[0]}",
      "prefix": "repo/",
      "forcePathStyle": true,
      "credentials": { "source": "keys", "accessKeyId": "$S3_ACCESS_KEY" },
      "maxAttempts": 3
    },
    {
      "id": "lab-annex",
      "name": "annex",
      "createdAt": "$now",
      "kind": "sftp",
      "address": "${ADDR[annex]}",
      "port": $SSH_PORT,
      "user": "$LAB_USER",
      "auth": { "type": "key", "keyPath": $(json_str "$key") },
      "path": "/repo/hindsight"
    }
  ]
}
EOF
  chmod 644 "$CONFIG_DIR/repositories.json"
  (
    umask 077
    cat >"$CONFIG_DIR/repository-secrets.json" <<EOF
{
  "version": 1,
  "secrets": {
    "lab-s3": { "secretAccessKey": $(json_str "$S3_SECRET_KEY") }
  }
}
EOF
  )
  chmod 600 "$CONFIG_DIR/repository-secrets.json"

  # lab.json — facts for the tests.
  machine_entry() {
    local m=$1
    cat <<EOF
    "$m": {
      "name": "$m",
      "role": "$m",
      "address": "${ADDR[$m]}",
      "port": $SSH_PORT,
      "user": "$LAB_USER",
      "keyPath": $(json_str "$key"),
      "wrongKeyPath": $(json_str "$wrong"),
      "remoteSocket": "$(sock_of "$m")",
      "localSocket": "$(sock_of "$m")",
      "hostKeyFingerprint": "$(host_fingerprint "$m")",
      "hostKeyLine": "$(known_hosts_line "$m")"
    }
EOF
  }
  local rows="" t
  for t in customers products orders audit.events; do rows+="${rows:+, }\"$t\": ${SHOP_ROWS[$t]}"; done
  local maria_rows=""
  for t in warehouses items stock_moves; do maria_rows+="${maria_rows:+, }\"$t\": ${MARIA_ROWS[$t]}"; done
  local buckets="" b
  for b in "${S3_BUCKETS[@]}"; do buckets+="${buckets:+, }\"$b\""; done
  {
    cat <<EOF
{
  "version": 1,
  "generatedAt": "$now",
  "configDir": $(json_str "$CONFIG_DIR"),
  "knownHostsPath": $(json_str "$CONFIG_DIR/known_hosts"),
  "hostsJsonPath": $(json_str "$CONFIG_DIR/hosts.json"),
  "machines": {
EOF
    machine_entry production; printf '    ,\n'
    machine_entry uat; printf '    ,\n'
    machine_entry science
    cat <<EOF
  },
  "annex": {
    "name": "annex",
    "role": "backup",
    "address": "${ADDR[annex]}",
    "port": $SSH_PORT,
    "user": "$LAB_USER",
    "keyPath": $(json_str "$key"),
    "wrongKeyPath": $(json_str "$wrong"),
    "repoPath": "/repo",
    "hostRepoPath": "$ANNEX_CHROOT/repo",
    "hostKeyFingerprint": "$(host_fingerprint annex)",
    "hostKeyLine": "$(known_hosts_line annex)"
  },
  "s3": {
    "endpoint": "$S3_ENDPOINT",
    "region": "us-east-1",
    "forcePathStyle": true,
    "accessKeyId": "$S3_ACCESS_KEY",
    "secretAccessKey": "$S3_SECRET_KEY",
    "buckets": [$buckets],
    "dataDir": "$S3_DATA"
  },
  "hooks": { "address": "$HOOKS_ADDR", "port": $HOOKS_PORT },
  "images": { "busybox": "$BUSYBOX_IMAGE", "postgres": "$POSTGRES_IMAGE", "mariadb": "$MARIADB_IMAGE" },
  "stacks": {
    "production": {
      "project": "shop",
      "containers": ["shop-db-1", "shop-app-1"],
      "volumes": ["shop_pgdata", "shop_files"],
      "database": { "container": "shop-db-1", "name": "shop", "user": "postgres", "rowCounts": { $rows } },
      "filesVolume": { "name": "shop_files", "container": "shop-app-1", "mountPath": "/srv/files" }
    },
    "uat": {
      "project": "shop",
      "containers": ["shop-db-1", "shop-app-1", "uat-web"],
      "volumes": ["shop_pgdata", "shop_files"],
      "database": { "container": "shop-db-1", "name": "shop", "user": "postgres", "rowCounts": {} },
      "filesVolume": { "name": "shop_files", "container": "shop-app-1", "mountPath": "/srv/files" }
    },
    "science": {
      "containers": ["notebook", "maria-db-1"],
      "volumes": ["science_data", "lab-maria_data"],
      "mariadb": { "project": "lab-maria", "container": "maria-db-1", "image": "$MARIADB_IMAGE", "name": "inventory", "rootPassword": "$MARIA_ROOT_PASSWORD", "rowCounts": { $maria_rows } }
    }
  }
}
EOF
  } >"$LAB_JSON"
  # Validate the generated files with the project's Node: a broken JSON here would fail tests obscurely.
  "$NODE" -e 'for (const f of process.argv.slice(1)) JSON.parse(require("fs").readFileSync(f, "utf8"))' \
    "$CONFIG_DIR/hosts.json" "$CONFIG_DIR/repositories.json" "$CONFIG_DIR/repository-secrets.json" "$LAB_JSON" || die "generated JSON is invalid"
}
