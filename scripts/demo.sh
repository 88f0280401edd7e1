#!/usr/bin/env bash
# The main job: a local demo meeting. Installs what is needed (Debian 12; as a normal user
# it asks sudo for root), builds
# ttymeet, starts a private Janus in a network namespace (tests/lab/lab.py) with a demo
# participant that speaks in the room, greets in the chat and shows a moving test picture in
# the video pane, and opens the terminal UI joined
# to it (the privacy notice comes first: Enter joins). /quit or Ctrl-C leaves and cleans up.
set -euo pipefail
. "$(dirname "$0")/as-root.sh"
ttm_as_root "$0" "$@" # root, or again through sudo (scripts/as-root.sh)
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/demo -j"$(nproc)" >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
espeak-ng -w "$tmp/greeting.wav" \
  "Welcome to the ttymeet demo meeting. This voice comes from a second participant, \
through a real Janus audio bridge." 2>/dev/null
bin=$PWD/build/demo/ttymeet
name=${SUDO_USER:-${USER:-you}}
echo "ttymeet demo: starting a local Janus; you join room 1234 as '$name'" >&2
# Inside the lab's client namespace: a speaking bot in the background, then you.
python3 tests/lab/lab.py run --chat-history 5 -- sh -c '
  "$0" --headless --accept-privacy -n demo-bot --play "$1" --loop --video-source testpattern \
    --chat "Hello! I am the demo participant. Type a message and press Enter; /help lists the keys." \
    "$TTM_LAB_URL" "$TTM_LAB_ROOM" </dev/null >/dev/null 2>&1 &
  bot=$!
  trap "kill $bot 2>/dev/null; wait $bot 2>/dev/null" EXIT INT TERM
  sleep 0.5
  "$0" -n "$2" "$TTM_LAB_URL" "$TTM_LAB_ROOM"
' "$bin" "$tmp/greeting.wav" "$name"
