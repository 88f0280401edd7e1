# Sourced by scripts/demo.sh and scripts/test.sh, the README's two commands (and by deps.sh and
# bench-deps.sh, which they run). They need root
# (apt-get, and the network namespaces of the test lab). As root they go on at once; as a
# normal user they run themselves again through sudo (which asks for the password); without
# sudo (a fresh Debian root-less shell) they stop with one line saying what to do.
# With --check as the first argument the script only says which of these it would do: as
# root "as root: running ..." and exit 0; otherwise it re-runs itself through sudo with
# --check (so the root branch answers), or fails without sudo. Nothing else is done.

# ttm_as_root SCRIPT ARGS...: returns only when running as root (and not --check).
ttm_as_root() {
	local self=$1
	shift
	if [ "$(id -u)" -eq 0 ]; then
		if [ "${1-}" = --check ]; then
			echo "as root: running $self without sudo"
			exit 0
		fi
		return 0
	fi
	if ! command -v sudo >/dev/null 2>&1; then
		echo "$(basename "$self"): needs root (apt-get, network namespaces), and sudo is not" \
			"installed: run it as root" >&2
		exit 1
	fi
	# sudo resets the environment: carry over the settings these scripts read.
	local keep=() v
	for v in TTM_TEST_JOBS ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do
		[ -n "${!v-}" ] && keep+=("$v=${!v}")
	done
	echo "$(basename "$self"): not root: running it with sudo" >&2
	exec sudo -- env "${keep[@]}" bash "$self" "$@"
}
