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
# Both sides are pinned to the same CPU and alternate, round by round; the
# ratio reported is the median of the per-round ratios (each pair measured
# seconds apart), which drift of the machine affects least.
#
# Environment: SPLICEBENCH (binary), SB_BUILD (build dir), ROUNDS (default 7),
# SECONDS_PER (default 1), CPU (default 0).
set -eu
: "${SPLICEBENCH:?}" "${SB_BUILD:?}"
ROUNDS=${ROUNDS:-7}
CPU=${CPU:-0}
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
	rm -rf "$dir/out"
	if ! "$SPLICEBENCH" run -q --json --dir "$dir" --cpu "$CPU" -w splice.file-to-pipe \
		--chunk 64k --sink "$1" --duration "$SECS" --samples 3 --warmup 1 --no-verify \
		--out "$dir/out" >"$dir/sb.json" 2>"$dir/sb.err"; then
		cat "$dir/sb.err" >&2
		echo "bench-overhead: the splicebench round failed" >&2
		exit 1
	fi
	jq -r '.cells[0].summary.bytes_per_sec.median' "$dir/sb.json"
}

# report A B TARGET LABEL-A LABEL-B: medians of files A and B (bytes/s per
# round), and the median and range of the per-round ratios A/B against TARGET
report() {
	paste "$1" "$2" | awk '{ print $1 / $2 }' >"$dir/ratios.txt"
	awk -v a="$(median <"$1")" -v b="$(median <"$2")" -v r="$(median <"$dir/ratios.txt")" \
		-v g="$(sort -g "$dir/ratios.txt" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f..%.3f", lo, hi }')" \
		-v t="$3" -v la="$4" -v lb="$5" 'BEGIN {
		printf "  %s %.3f GiB/s, %s %.3f GiB/s (medians)\n", la, a / 2^30, lb, b / 2^30
		printf "  ratio %.3f (median of per-round ratios, range %s; target >= %s) %s\n", r, g,
			t, (r >= t ? "MET" : "NOT MET") }'
}

: >"$dir/sb.txt"
: >"$dir/hand.txt"
for _ in $(seq "$ROUNDS"); do
	sb_bps devnull >>"$dir/sb.txt"
	taskset -c "$CPU" "$HAND" "$dir/file" 65536 "$SECS" >>"$dir/hand.txt"
done
echo "splice.file-to-pipe tmpfs 64k devnull, $ROUNDS alternating rounds of ${SECS}s on CPU $CPU:"
report "$dir/sb.txt" "$dir/hand.txt" 0.97 splicebench "hand-written loop"

if ! command -v fio >/dev/null 2>&1; then
	echo "fio not installed: skipping the fio comparison (apt-get install fio)"
	exit 0
fi
: >"$dir/sbu.txt"
: >"$dir/fio.txt"
for _ in $(seq "$ROUNDS"); do
	sb_bps user >>"$dir/sbu.txt"
	fio --name=sb --ioengine=splice --rw=read --bs=64k --size=64m --filename="$dir/file" \
		--time_based --runtime="$SECS" --cpus_allowed="$CPU" --output-format=json 2>/dev/null |
		jq -r '.jobs[0].read.bw_bytes' >>"$dir/fio.txt"
done
echo "splice file->pipe->user 64k on tmpfs (fio's splice engine reads through vmsplice):"
report "$dir/sbu.txt" "$dir/fio.txt" 1.0 "splicebench --sink user" "$(fio --version) splice engine"
