#!/usr/bin/env bash
# Installs what tests/bench/browser_bench.py needs besides scripts/deps.sh (Debian 12, root):
# headless Chromium and its WebDriver (the browser side of the comparison) and Janus's own demo
# pages (the AudioBridge page the browser joins with). Not part of the test command: Chromium
# is large and no test needs it. Idempotent: packages already present are skipped.
set -euo pipefail
. "$(dirname "$0")/as-root.sh"
ttm_as_root "$0" "$@" # root, or again through sudo (scripts/as-root.sh)
bash "$(dirname "$0")/deps.sh"
pkgs=(chromium chromium-driver janus-demos fonts-dejavu-core)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# tests/bench/video_term_bench.py: mpv (--vo=tct and --vo=caca, libcaca comes with it) for the
# terminal-output comparison of the video preview; cc (build-essential, from deps.sh) builds the
# clip writer tests/bench/tp2y4m.c.
video_pkgs=(mpv)
missing=()
for p in "${video_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
