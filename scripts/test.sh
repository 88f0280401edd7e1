#!/usr/bin/env bash
# Installs what is needed (Debian 12; as a normal user it asks sudo for root), builds ttymeet
# twice and runs every test:
#   1. gcc, -Werror: unit tests, fuzz-corpus replays, integration tests against a real Janus
#      in network namespaces (tests/lab/lab.py);
#   2. clang with AddressSanitizer + UBSan and libFuzzer: the same tests, plus each fuzz target
#      for a bounded time.
# Prints ctest's summary for each build and a closing total; exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/as-root.sh"
ttm_as_root "$0" "$@" # root, or again through sudo (scripts/as-root.sh)
cd "$(dirname "$0")/.."
# Chromium (tests/integration/test_browser_videoroom.py) and lib-jitsi-meet for it to run
# (tests/integration/test_browser_jitsi.py)
bash scripts/deps.sh --with-jitsi-browser || exit 1
python3 tests/lab/lab.py cleanup >/dev/null 2>&1 || true
# The Node test participant's packages (npm registry), once, before tests run in parallel.
python3 -c 'import sys; sys.path.insert(0, "tests/integration"); import chatprobe; chatprobe.ensure_node_deps()' || exit 1

jobs=${TTM_TEST_JOBS:-2}
status=0
summary=()

run_build() { # name, cmake args...
	local name=$1; shift
	local dir=build/$name
	echo "=== build: $name ($*)"
	if ! cmake -S . -B "$dir" -DTTM_WERROR=ON "$@" >"$dir.configure.log" 2>&1; then
		mkdir -p build; cat "$dir.configure.log"; summary+=("$name: configure FAILED"); status=1; return
	fi
	if ! cmake --build "$dir" -j"$jobs" >"$dir.build.log" 2>&1; then
		tail -50 "$dir.build.log"; summary+=("$name: build FAILED"); status=1; return
	fi
	echo "=== tests: $name"
	local log=$dir.ctest.log
	(cd "$dir" && ctest --output-on-failure --timeout 400 -j"$jobs" ${TTM_CTEST_EXCLUDE:+-E "$TTM_CTEST_EXCLUDE"}) 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || status=1
	summary+=("$name: $(grep -E 'tests passed, [0-9]+ tests failed' "$log" | tail -1)")
}

mkdir -p build
run_build gcc -DCMAKE_C_COMPILER=gcc
# Sanitizers: leaks inside GLib's type system and libnice's one-time init are by design.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The sanitizer pass leaves out the interop tests that only a browser's side makes long
# (Chromium on Janus's VideoRoom page, lib-jitsi-meet in the P2P call and through the bridge):
# they run in the gcc pass; ttymeet's same code paths run under the sanitizers in the cheaper
# tests (integ_jitsi_switch still drives lib-jitsi-meet: P2P audio and video, the bridge, the
# switches), which keeps the whole suite under 30 minutes on 2 cores. It leaves out integ_lab
# too: the lab's own tests run Python and Janus only, no ttymeet code, so sanitizers add nothing.
TTM_CTEST_EXCLUDE='^(integ_browser_videoroom|integ_browser_jitsi|integ_jitsi_bridge|integ_lab)$' \
	run_build asan -DCMAKE_C_COMPILER=clang -DTTM_SANITIZE=ON -DTTM_FUZZ=ON

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
python3 tests/lab/lab.py cleanup >/dev/null 2>&1 || true
exit $status
