# shellcheck shell=sh
# TAP helpers for splicebench's shell tests (run under prove).
# The binary under test is $SPLICEBENCH (set by the Makefile).

: "${SPLICEBENCH:?SPLICEBENCH must point at the binary (make check sets it)}"
SB=$SPLICEBENCH
_tap_n=0
_tap_fail=0

plan() { echo "1..$1"; }
diag() { echo "# $*"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
bail() { echo "Bail out! $*"; exit 255; }

ok() { # ok COND-STATUS DESCRIPTION
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_fail=$((_tap_fail + 1))
	fi
}

is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; diag "got '$1', want '$2'"; fi
}

skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $*"; }

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_fail" -eq 0 ]
}

# jq_ok FILE FILTER DESCRIPTION: the filter must evaluate to true.
jq_ok() {
	if jq -e "$2" "$1" >/dev/null 2>&1; then ok 0 "$3"; else ok 1 "$3"; diag "jq '$2' failed on $1"; fi
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (mounts, loop devices)"
}

# Leftovers of splicebench: mounts and loop devices whose path contains $1
# (default: any splicebench path), and scratch directories under $1.
leftovers() {
	{
		grep -F "${1:-splicebench}" /proc/mounts
		for f in /sys/block/loop*/loop/backing_file; do
			[ -r "$f" ] && grep -H "${1:-splicebench}" "$f"
		done
		[ -n "${1:-}" ] && ls -d "$1"/splicebench-* 2>/dev/null
	} 2>/dev/null
}
