#!/usr/bin/env bash
# Installs what the benchmarks in tests/bench/ need besides scripts/deps.sh (Debian 12, root):
# headless Chromium, its WebDriver and Janus's own demo pages (deps.sh --with-browser, which
# scripts/test.sh installs too), and mpv. Idempotent: packages already present are skipped.
set -euo pipefail
. "$(dirname "$0")/as-root.sh"
ttm_as_root "$0" "$@" # root, or again through sudo (scripts/as-root.sh)
bash "$(dirname "$0")/deps.sh" --with-browser
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
