# shellcheck shell=bash
# Container images of the lab, built offline (no registry is reachable) and cached under
# $LAB_CACHE so the slow part (debootstrap) runs once per machine:
#   hindsight-lab/busybox:latest  — /bin/busybox of busybox-static plus its applet links
#   hindsight-lab/postgres:15     — Debian bookworm minbase + postgresql-15, trimmed, with
#                                   lab/postgres/docker-entrypoint.sh
# Images are loaded from archives in `docker save` format (see below): a daemon gets an image only
# when it lacks it or holds another build of it.

DEBIAN_MIRROR=${HINDSIGHT_LAB_MIRROR:-http://deb.debian.org/debian}
BUSYBOX_IMAGE=hindsight-lab/busybox:latest
POSTGRES_IMAGE=hindsight-lab/postgres:15
# Bump when the rootfs recipes below change (forces a rebuild of the cached tarballs).
BUSYBOX_RECIPE=1
POSTGRES_RECIPE=2

BUSYBOX_TAR="$LAB_CACHE/busybox-rootfs.tar"
POSTGRES_BASE="$LAB_CACHE/postgres15-rootfs.tar.zst"   # debootstrap output, trimmed (slow to make)
POSTGRES_TAR="$LAB_CACHE/postgres15-image.tar"          # base + entrypoint, what gets imported

# --- busybox ------------------------------------------------------------------------------------

build_busybox_rootfs() {
  local stamp="$BUSYBOX_TAR.recipe"
  [[ -s $BUSYBOX_TAR && $(cat "$stamp" 2>/dev/null) == "$BUSYBOX_RECIPE" ]] && return 0
  log "building busybox rootfs"
  local root; root=$(mktemp -d "$LAB_CACHE/busybox-root.XXXXXX")
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,home,srv,run,var/tmp,proc,sys,dev,tmp}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  chmod 700 "$root/root"
  install -m 0755 /bin/busybox "$root/bin/busybox"
  local applet
  while read -r applet; do
    [[ $applet == bin/busybox ]] || ln -sf /bin/busybox "$root/$applet"
  done < <(/bin/busybox --list-full)
  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
www-data:x:33:
app:x:1000:
nogroup:x:65534:
EOF
  echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
  tar --numeric-owner --owner=0 --group=0 --sort=name -C "$root" -cf "$BUSYBOX_TAR.tmp" .
  mv -f "$BUSYBOX_TAR.tmp" "$BUSYBOX_TAR"
  echo "$BUSYBOX_RECIPE" >"$stamp"
  rm -rf "$root"
}

# --- postgres -----------------------------------------------------------------------------------

# Kill anything still running inside a chroot (a package's maintainer script may have started a
# daemon despite policy-rc.d) and unmount what debootstrap mounted, so the tree can be removed.
release_chroot() {
  local dir=$1 p
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/root" 2>/dev/null) == "$dir" ]] && kill -KILL "${p#/proc/}" 2>/dev/null || true
  done
  local mnt
  for mnt in $(awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r); do
    umount -l "$mnt" 2>/dev/null || true
  done
}

# debootstrap_into DIR PACKAGES LOGNAME — a bookworm minbase tree with PACKAGES (comma-separated) in
# DIR. Two stages so a policy-rc.d can go in first: package scripts must not start daemons in the
# chroot. --cache-dir keeps the .debs (shared by all images), so a retry does not download again.
debootstrap_into() {
  local work=$1 packages=$2 logf="$LAB_CACHE/build/$3"
  mkdir -p "$LAB_CACHE/build" "$LAB_CACHE/debs"
  [[ -d $work ]] && { release_chroot "$work"; rm -rf "$work"; }
  debootstrap --foreign --variant=minbase --include="$packages" --cache-dir="$LAB_CACHE/debs" \
    bookworm "$work" "$DEBIAN_MIRROR" >"$logf" 2>&1 ||
    die "debootstrap (first stage) failed; see $logf"
  printf '#!/bin/sh\n# no daemons in an image build\nexit 101\n' >"$work/usr/sbin/policy-rc.d"
  chmod 755 "$work/usr/sbin/policy-rc.d"
  if ! chroot "$work" /debootstrap/debootstrap --second-stage >>"$logf" 2>&1; then
    release_chroot "$work"
    die "debootstrap (second stage) failed; see $logf"
  fi
  release_chroot "$work"
}

build_postgres_rootfs() {
  local stamp="$POSTGRES_BASE.recipe"
  [[ -s $POSTGRES_BASE && $(cat "$stamp" 2>/dev/null) == "$POSTGRES_RECIPE" ]] && return 0
  local work="$LAB_CACHE/build/postgres15" started=$SECONDS
  log "building postgres rootfs with debootstrap (once per machine, a few minutes)"
  debootstrap_into "$work" postgresql-15 debootstrap.log

  # Trim: docs, man pages, locales, apt lists and caches; the LLVM JIT (postgres runs without it
  # and it is a third of the size); the cluster and snakeoil key the package scripts created.
  (
    cd "$work" || exit 1
    rm -rf usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/* usr/share/lintian \
      usr/share/postgresql/15/man usr/share/i18n var/lib/apt/lists/* var/cache/apt/*.bin \
      var/cache/apt/archives/*.deb var/cache/debconf/*-old var/log/* tmp/* \
      usr/lib/postgresql/15/lib/llvmjit* usr/lib/postgresql/15/lib/bitcode \
      usr/lib/x86_64-linux-gnu/libLLVM* usr/lib/x86_64-linux-gnu/libz3* \
      var/lib/postgresql/15 etc/postgresql/15 \
      etc/ssl/private/ssl-cert-snakeoil.key etc/ssl/certs/ssl-cert-snakeoil.pem
    mkdir -p var/lib/postgresql/data run/postgresql
    chroot . chown -R postgres:postgres /var/lib/postgresql /run/postgresql
  )
  tar --numeric-owner -C "$work" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf - . |
    zstd -q -T0 -3 -o "$POSTGRES_BASE.tmp" -f
  mv -f "$POSTGRES_BASE.tmp" "$POSTGRES_BASE"
  echo "$POSTGRES_RECIPE" >"$stamp"
  rm -rf "$work"
  log "postgres rootfs cached: $POSTGRES_BASE ($(du -h "$POSTGRES_BASE" | cut -f1), $((SECONDS - started)) s)"
}

# assemble_image_tar BASE TAR ENTRYPOINT REV — the importable tar = a cached base rootfs (.tar.zst)
# + ENTRYPOINT as /usr/local/bin/docker-entrypoint.sh (GNU tar appends to an uncompressed archive).
assemble_image_tar() {
  local base=$1 tar=$2 entrypoint=$3 rev=$4
  [[ -s $tar && $(cat "$tar.rev" 2>/dev/null) == "$rev" ]] && return 0
  log "assembling $(basename "$tar")"
  zstd -q -dc "$base" >"$tar.tmp"
  local stage; stage=$(mktemp -d)
  install -D -m 0755 "$entrypoint" "$stage/usr/local/bin/docker-entrypoint.sh"
  tar --numeric-owner --owner=0 --group=0 -C "$stage" -rf "$tar.tmp" ./usr/local/bin/docker-entrypoint.sh
  rm -rf "$stage"
  mv -f "$tar.tmp" "$tar"
  echo "$rev" >"$tar.rev"
}

# image_rev RECIPE BASE ENTRYPOINT — changes when the recipe, the cached base or the entrypoint does.
image_rev() {
  { echo "$1"; stat -c '%s %Y' "$2"; cat "$3"; } | sha256sum | cut -c1-16
}

# --- docker image archives ----------------------------------------------------------------------
# `docker import` cannot set STOPSIGNAL (postgres wants SIGINT, a fast shutdown, as in the official
# image), and imports get a different image ID on every engine. So each image is staged as a
# one-layer archive in `docker save` format (manifest.json + config + layer.tar) and `docker load`ed:
# the same content-addressed image ID on every machine, as if pulled from one registry.

IMAGES_DIR="$LAB_CACHE/images"
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# layer_digest TAR — sha256 of a layer (cached beside it, keyed by size and mtime).
layer_digest() {
  local tar=$1 key sum; key=$(stat -c '%s %Y' "$tar")
  if [[ -f $tar.sha256 && $(head -1 "$tar.sha256") == "$key" ]]; then tail -1 "$tar.sha256"; return; fi
  sum=$(sha256sum "$tar" | cut -d' ' -f1)
  printf '%s\n%s\n' "$key" "$sum" >"$tar.sha256"
  echo "$sum"
}

# make_image_archive NAME TAG TAR CONFIG_JSON — stage the archive in $IMAGES_DIR/NAME (the layer is
# hard-linked, not copied); prints the image ID.
make_image_archive() {
  local name=$1 tag=$2 tar=$3 config=$4 dir="$IMAGES_DIR/$1" diff created cfg id
  diff=$(layer_digest "$tar")
  created=$(date -u -d "@$(stat -c %Y "$tar")" +%Y-%m-%dT%H:%M:%SZ)
  cfg=$(printf '{"architecture":"amd64","os":"linux","created":"%s","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"%s","created_by":"hindsight lab: lab/images.sh"}]}' \
    "$created" "$config" "$diff" "$created")
  id=$(printf '%s' "$cfg" | sha256sum | cut -d' ' -f1)
  if [[ ! -f $dir/$id.json || ! -f $dir/$diff/layer.tar ]]; then
    rm -rf "$dir"
    mkdir -p "$dir/$diff"
    printf '%s' "$cfg" >"$dir/$id.json"
    printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$id" "$tag" "$diff" >"$dir/manifest.json"
    ln "$tar" "$dir/$diff/layer.tar" 2>/dev/null || cp "$tar" "$dir/$diff/layer.tar"
  fi
  echo "sha256:$id"
}

# load_image MACHINE NAME TAG ID — load the staged archive unless TAG already is that image.
load_image() {
  local m=$1 name=$2 tag=$3 id=$4
  [[ $(dk "$m" image inspect -f '{{.Id}}' "$tag" 2>/dev/null) == "$id" ]] && return 0
  tar -C "$IMAGES_DIR/$name" -cf - . | dk "$m" load -q >/dev/null
  log "$m: loaded $tag (${id:7:12})"
}

# build_images — make sure the cached tarballs and archives exist (runs before the daemons start).
build_images() {
  mkdir -p "$LAB_CACHE"
  build_busybox_rootfs
  build_postgres_rootfs
  local pg_entry="$LAB_DIR/postgres/docker-entrypoint.sh"
  assemble_image_tar "$POSTGRES_BASE" "$POSTGRES_TAR" "$pg_entry" "$(image_rev "$POSTGRES_RECIPE" "$POSTGRES_BASE" "$pg_entry")"
  BUSYBOX_ID=$(make_image_archive busybox "$BUSYBOX_IMAGE" "$BUSYBOX_TAR" \
    "{\"Env\":[\"PATH=$STD_PATH\"],\"Cmd\":[\"sh\"],\"Labels\":{\"org.hindsight.lab.image\":\"busybox\"}}")
  local pg_config
  pg_config=$(tr -d '\n' <<EOF
{"Env":["PATH=/usr/lib/postgresql/15/bin:$STD_PATH","PG_MAJOR=15","PGDATA=/var/lib/postgresql/data","LANG=C.UTF-8"],
"Entrypoint":["/usr/local/bin/docker-entrypoint.sh"],"Cmd":["postgres"],
"Volumes":{"/var/lib/postgresql/data":{}},"ExposedPorts":{"5432/tcp":{}},"StopSignal":"SIGINT",
"Labels":{"org.hindsight.lab.image":"postgres","org.hindsight.lab.source":"debootstrap bookworm minbase + postgresql-15"}}
EOF
)
  POSTGRES_ID=$(make_image_archive postgres "$POSTGRES_IMAGE" "$POSTGRES_TAR" "$pg_config")
}

# import_images MACHINE — the images every lab engine holds.
import_images() {
  load_image "$1" busybox "$BUSYBOX_IMAGE" "$BUSYBOX_ID"
  load_image "$1" postgres "$POSTGRES_IMAGE" "$POSTGRES_ID"
}
