#!/usr/bin/env bash
# Installs everything ttymeet needs to build, test and run its demo on Debian 12 (as root;
# a normal user is asked for sudo).
# --with-browser adds headless Chromium, its WebDriver and Janus's demo pages: the browser
# that tests/integration/test_browser_videoroom.py (scripts/test.sh installs them) and the
# benchmarks (scripts/bench-deps.sh) put in a meeting with ttymeet; about 100 MB to fetch.
# --with-jitsi-browser adds to that a real Jitsi client for the browser to run: the npm
# packages of tests/lab/jitsi (lib-jitsi-meet, pinned with its whole tree by package-lock.json,
# `npm ci`; ~9 MB to fetch, 33 MB in tests/lab/jitsi/node_modules, which git ignores) for
# tests/integration/test_browser_jitsi.py.
# Idempotent: packages already present are skipped by apt, the npm tree when its lock is met.
set -euo pipefail
. "$(dirname "$0")/as-root.sh"
ttm_as_root "$0" "$@" # root, or again through sudo (scripts/as-root.sh)
pkgs=(
  # build
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libwebsockets-dev libwebsockets-evlib-glib libglib2.0-dev libjansson-dev libnice-dev
  libssl-dev libsrtp2-dev libopus-dev portaudio19-dev libncurses-dev libsodium-dev
  libusrsctp-dev libvpx-dev libcmocka-dev libexpat1-dev
  # run time: GIO's TLS module (a Jitsi link's https:// /config.js, src/jitsi/fetch.c)
  glib-networking
  # test lab and fixtures
  janus prosody iproute2 nftables python3 tmux espeak-ng sox opus-tools strace procps
  # the chat-only participant of tests/integration/test_roster_merge.py (npm werift + ws)
  nodejs
)
browser=0 jitsi=0
for a in "$@"; do
  case $a in
    --with-browser) browser=1 ;;
    --with-jitsi-browser) browser=1 jitsi=1 ;;
    *) echo "deps.sh: unknown option $a (--with-browser, --with-jitsi-browser)" >&2; exit 2 ;;
  esac
done
if [ $browser = 1 ]; then
  pkgs+=(chromium chromium-driver janus-demos fonts-dejavu-core)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Debian's nodejs comes without npm; other builds of nodejs (NodeSource) bundle it and
# conflict with Debian's npm package.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d or not, never let the packaged janus.service take ports: we run our own.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # the same for prosody (the Jitsi tests run their own, with a config they write)
  for svc in janus prosody; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet $svc 2>/dev/null; then
      systemctl disable --now $svc >/dev/null 2>&1 || true
    fi
  done
fi
if [ $jitsi = 1 ]; then
  # What package-lock.json pins, nothing else (npm ci); no package's install scripts run. A
  # stamp with the lock's hash makes a second run a no-op.
  dir=$(cd "$(dirname "$0")/../tests/lab/jitsi" && pwd)
  want=$(sha256sum <"$dir/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$dir/node_modules/.ttm-installed" 2>/dev/null)" != "$want" ]; then
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" >"$dir/node_modules/.ttm-installed"
  fi
fi
