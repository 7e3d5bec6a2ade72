#!/bin/sh
# make bench-overhead: how much does splicebench's harness cost?
#
# 1. splicebench's splice.file-to-pipe (tmpfs, 64 KiB, devnull sink) against a
#    minimal hand-written loop of the same syscalls (tests/tools/sb-handloop.c),
#    alternating in one run. Target: ratio >= 0.97.
# 2. Where fio is installed: fio's splice engine (splice file->pipe, then
#    vmsplice pipe->user, a copy) against splicebench with --sink user (splice
#    file->pipe, read pipe->user), same file. Target: ratio >= 1.0.
#
# Environment: SPLICEBENCH (binary), SB_BUILD (build dir), ROUNDS (default 5),
# SECONDS_PER (default 1).
set -eu
: "${SPLICEBENCH:?}" "${SB_BUILD:?}"
ROUNDS=${ROUNDS:-5}
SECS=${SECONDS_PER:-1}
HAND=$SB_BUILD/tests/tools/sb-handloop

dir=$(mktemp -d /var/tmp/sb-bench-overhead-XXXXXX)
mounted=0
cleanup() {
	[ "$mounted" -eq 1 ] && umount "$dir"
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM HUP
if [ "$(id -u)" -eq 0 ]; then
	mount -t tmpfs -o size=256m,mode=0700 splicebench-bench "$dir"
	mounted=1
elif [ -d /dev/shm ]; then
	rmdir "$dir"
	dir=$(mktemp -d /dev/shm/sb-bench-overhead-XXXXXX)
else
	echo "bench-overhead: needs root (to mount a tmpfs) or /dev/shm" >&2
	exit 3
fi
head -c 67108864 /dev/urandom >"$dir/file"

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

sb_bps() { # sb_bps SINK: median bytes/s of one splicebench cell
	"$SPLICEBENCH" run -q --json --dir "$dir" -w splice.file-to-pipe --chunk 64k --sink "$1" \
		--duration "$SECS" --samples 3 --warmup 1 --no-verify --out "$dir/out" 2>/dev/null |
		jq -r '.cells[0].summary.bytes_per_sec.median'
}

: >"$dir/sb.txt"
: >"$dir/hand.txt"
for r in $(seq "$ROUNDS"); do
	sb_bps devnull >>"$dir/sb.txt"
	"$HAND" "$dir/file" 65536 "$SECS" >>"$dir/hand.txt"
done
sb=$(median <"$dir/sb.txt")
hand=$(median <"$dir/hand.txt")
echo "splice.file-to-pipe tmpfs 64k devnull, $ROUNDS alternating rounds of ${SECS}s:"
awk -v s="$sb" -v h="$hand" 'BEGIN {
	printf "  splicebench %.3f GiB/s, hand-written loop %.3f GiB/s, ratio %.3f (target >= 0.97) %s\n",
		s / 2^30, h / 2^30, s / h, (s / h >= 0.97 ? "MET" : "NOT MET") }'

if ! command -v fio >/dev/null 2>&1; then
	echo "fio not installed: skipping the fio comparison (apt-get install fio)"
	exit 0
fi
: >"$dir/sbu.txt"
: >"$dir/fio.txt"
for r in $(seq "$ROUNDS"); do
	sb_bps user >>"$dir/sbu.txt"
	fio --name=sb --ioengine=splice --rw=read --bs=64k --size=64m --filename="$dir/file" \
		--time_based --runtime="$SECS" --output-format=json 2>/dev/null |
		jq -r '.jobs[0].read.bw_bytes' >>"$dir/fio.txt"
done
sbu=$(median <"$dir/sbu.txt")
fio=$(median <"$dir/fio.txt")
echo "splice file->pipe->user 64k on tmpfs (fio's splice engine reads through vmsplice):"
awk -v s="$sbu" -v f="$fio" -v v="$(fio --version)" 'BEGIN {
	printf "  splicebench --sink user %.3f GiB/s, %s splice engine %.3f GiB/s, ratio %.3f (target >= 1.0) %s\n",
		s / 2^30, v, f / 2^30, s / f, (s / f >= 1.0 ? "MET" : "NOT MET") }'
