#!/bin/sh
# make bench-probes: what does copy accounting cost the measured path?
#
# One run per cell whose timed samples alternate: probes detached, attached,
# detached, ... (--probes-alternate), so drift of the machine hits both
# sides alike; each attached sample is compared with the detached one just
# before it. Printed per cell: the tier, both medians, and the median and
# range of the pair ratios: what counting costs the path while it runs
# (--probes-in-samples). By default (--probes auto) the probes count one
# untimed accounting sample per cell and the timed samples run without them.
# Target: at most 2% loss (ratio >= 0.98).
#
# Environment: SPLICEBENCH, ROUNDS (default 7), SECONDS_PER (default 1),
# CPU (default 0), CELLS ("workload:target" words; default: splice.file-to-pipe
# on tmpfs and xfs, vmsplice.user-to-pipe on pipe, splice.pipe-to-file on ext4,
# rw.file-read on xfs).
set -eu
: "${SPLICEBENCH:?}"
ROUNDS=${ROUNDS:-7}
SECS=${SECONDS_PER:-1}
CPU=${CPU:-0}
CELLS=${CELLS:-"splice.file-to-pipe:tmpfs splice.file-to-pipe:xfs vmsplice.user-to-pipe:pipe splice.pipe-to-file:ext4 rw.file-read:xfs"}

[ "$(id -u)" -eq 0 ] || { echo "bench-probes: needs root (BPF, file systems)" >&2; exit 3; }
dir=$(mktemp -d /var/tmp/sb-bench-probes-XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM HUP

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for cell in $CELLS; do
	w=${cell%%:*}
	t=${cell#*:}
	rm -rf "$dir/out"
	if ! "$SPLICEBENCH" run -q --json --cpu "$CPU" -w "$w" -t "$t" --probes-alternate \
		--chunk 64k --gift off --duration "$SECS" --samples $((2 * ROUNDS)) --warmup 1 \
		--no-verify --scratch-root "$dir" --out "$dir/out" >"$dir/r.json" 2>"$dir/err"; then
		cat "$dir/err" >&2
		exit 1
	fi
	jq -r --arg n "$ROUNDS" '.cells[0] |
		"\(.workload) on \(.target), 64k, \($n) pairs of samples, tier \(.accounting.tier // "none"):",
		(.probes_ab // empty | "  probes detached \(.detached_bytes_per_sec / 1073741824 * 1000 | round / 1000) GiB/s, attached \(.attached_bytes_per_sec / 1073741824 * 1000 | round / 1000) GiB/s (medians)",
		 "  ratio \(.ratio_median * 1000 | round / 1000) (median of pair ratios, range \(.ratio_min * 1000 | round / 1000)..\(.ratio_max * 1000 | round / 1000); target >= 0.98) \(if .ratio_median >= 0.98 then "MET" else "NOT MET" end)"),
		(if .probes_ab == null then "  no probes could attach: nothing to measure" else empty end)' \
		"$dir/r.json"
done
