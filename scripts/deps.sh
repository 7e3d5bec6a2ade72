#!/bin/sh
# Install the Debian packages splicebench needs to build, run and test.
# Idempotent: only missing packages are installed. Not root: prints the exact
# apt-get line and fails.
#
# usage: scripts/deps.sh [--check] [--optional]
#   --check     only report what is missing (exit 1 if anything is)
#   --optional  also the optional packages (fio for `make bench-overhead`)
set -eu

# Build: compiler side and libraries. BPF tool chain (clang, llvm, bpftool,
# libbpf) is needed by bpf/ and the doctor's program-type probes.
BUILD="gcc make pkg-config libc6-dev libbpf-dev bpftool clang llvm libelf-dev zlib1g-dev
libjansson-dev libxxhash-dev liblzma-dev"
# Run: file systems the suite creates, plots, the kernel lab (`splicebench vm`),
# ip(8) for --net veth.
RUN="e2fsprogs xfsprogs util-linux gnuplot-nox qemu-system-x86 iproute2"
# Test: TAP runner, static analysis, leak check, JSON checks in shell tests, an
# independent cpio reader to check the initramfs writer, an XML checker for the
# JUnit output of gate.
TEST="perl cppcheck valgrind jq cpio libxml2-utils"
OPTIONAL="fio"

check_only=0
want="$BUILD $RUN $TEST"
for arg in "$@"; do
	case "$arg" in
	--check) check_only=1 ;;
	--optional) want="$want $OPTIONAL" ;;
	*) echo "deps.sh: unknown argument '$arg' (use --check or --optional)" >&2; exit 2 ;;
	esac
done

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "splicebench: deps: dpkg-query not found: this installer supports Debian and derivatives;" \
	     "install the equivalents of: $want" >&2
	exit 1
fi

missing=""
for p in $want; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = "installed" ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi

line="apt-get install -y --no-install-recommends$missing"
if [ "$check_only" -eq 1 ]; then
	echo "deps: missing:$missing" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "splicebench: deps: missing packages:$missing; run as root: $line" >&2
	exit 1
fi

echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y --no-install-recommends $missing; then
	# Package lists may be stale or absent on a fresh machine.
	apt-get update
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing
fi
