#!/usr/bin/env bash
# Renders assets/icon.svg to the 512×512 PNGs the app and electron-builder use, with Debian's
# headless Chromium (transparent background). Run after editing the SVG; the PNGs are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
page="$(mktemp --suffix=.html)"
trap 'rm -f "$page"' EXIT
printf '<!doctype html><style>html,body{margin:0;background:transparent}img{display:block}</style><img src="file://%s" width="512" height="512">' "$PWD/assets/icon.svg" > "$page"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
  --window-size=512,512 --screenshot="$PWD/assets/icon.png" "file://$page" 2>/dev/null
cp assets/icon.png build/icon.png
echo "assets/icon.png and build/icon.png rendered from assets/icon.svg"
