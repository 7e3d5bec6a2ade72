#!/bin/sh
# make bench-gate: does the gate hold on this machine?
#
# Each side of a comparison is RUNS runs of one cell (the gate tests their
# medians); base and new runs are interleaved (a1 b1 a2 b2 ...).
# 1. A/A: ROUNDS comparisons of two sides made by the same build, default
#    gate settings. Every exit 1 is a false alarm (target: 0 of 20). For
#    contrast, the first run of each side gated alone with --unit samples
#    (the samples of one run taken as independent).
# 2. Power: for each SHIFT (percent), the new side's throughput samples
#    scaled by (1 - SHIFT/100): the noise is the machine's, the slowdown is
#    known. Reported: how often the change was significant in the worse
#    direction (REGRESSION or SMALL), how often a REGRESSION at the default
#    5% threshold, and the smallest shift detected in >= 95% of the rounds.
# 3. Real slowdowns against the first round's base: a CPU hog sharing the
#    benchmark's pinned CPU, and the same workload with a 4k chunk
#    presented as the 64k cell (its params rewritten).
#
# Environment: SPLICEBENCH, ROUNDS (20), RUNS (10 per side), SAMPLES (5 per
# run), SECONDS_PER (0.05 s per sample), SHIFTS ("2 3 5 10 15 20"), CPU (0),
# WORKLOAD (vmsplice.pipe-to-user on the pipe target: no root needed).
set -eu
: "${SPLICEBENCH:?}"
ROUNDS=${ROUNDS:-20}
RUNS=${RUNS:-10}
SAMPLES=${SAMPLES:-5}
SECS=${SECONDS_PER:-0.05}
SHIFTS=${SHIFTS:-"2 3 5 10 15 20"}
CPU=${CPU:-0}
WORKLOAD=${WORKLOAD:-vmsplice.pipe-to-user}
SB=$SPLICEBENCH

dir=$(mktemp -d /var/tmp/sb-bench-gate-XXXXXX)
hog=
cleanup() {
	[ -n "$hog" ] && kill "$hog" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM HUP

run() { # run OUT [options]
	out=$1
	shift
	"$SB" run -q -t pipe -w "$WORKLOAD" --gift off --chunk 64k -n "$SAMPLES" -d "$SECS" \
		--warmup 1 --cpu "$CPU" -o "$out" "$@" >/dev/null 2>"$dir/err" ||
		{ cat "$dir/err" >&2; exit 1; }
}

# gate BASE NEW [options]: prints "<exit> <bytes_per_sec verdict>", leaves $dir/g.json
gate() {
	b=$1 n=$2
	shift 2
	set +e
	"$SB" gate -f json "$@" "$b" "$n" >"$dir/g.json" 2>/dev/null
	st=$?
	set -e
	echo "$st $(jq -r '[.rows[] | select(.metric == "bytes_per_sec")][0].verdict // "none"' "$dir/g.json")"
}
delta() { jq -r '[.rows[] | select(.metric == "bytes_per_sec")][0].delta_pct * 10 | round / 10' "$dir/g.json"; }

echo "bench-gate: $WORKLOAD on pipe, 64k, CPU $CPU; $ROUNDS rounds of $RUNS runs per side," \
	"$SAMPLES samples of ${SECS}s per run"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	i=1
	while [ "$i" -le "$RUNS" ]; do
		run "$dir/a$r/r$i"
		run "$dir/b$r/r$i"
		i=$((i + 1))
	done
	r=$((r + 1))
done

fa=0 tr=0 fa1=0 r=1
while [ "$r" -le "$ROUNDS" ]; do
	set -- $(gate "$dir/a$r" "$dir/b$r")
	[ "$1" = 1 ] && fa=$((fa + 1))
	[ "$1" = 2 ] && tr=$((tr + 1))
	set -- $(gate "$dir/a$r/r1" "$dir/b$r/r1" --unit samples)
	[ "$1" = 1 ] && fa1=$((fa1 + 1))
	r=$((r + 1))
done
runcv=$(cat "$dir"/a*/r*/result.json | jq -s '[.[].cells[0].summary.bytes_per_sec.median] | (sort | .[length / 2 | floor]) as $m | (map(. - $m | fabs) | sort | .[length / 2 | floor]) * 1.4826 / $m * 1000 | round / 10')
samplecv=$(cat "$dir"/a*/r*/result.json | jq -s '[.[].cells[0].summary.bytes_per_sec.rcv] | sort | .[length / 2 | floor] * 1000 | round / 10')
echo "noise: robust CV of the run medians $runcv%; median robust CV within a run $samplecv%"
echo "A/A, $RUNS runs per side: $fa false alarms (exit 1), $tr trouble (exit 2) in $ROUNDS (target 0)"
echo "A/A, one run per side with --unit samples: $fa1 false alarms in $ROUNDS"

smallest=
for s in $SHIFTS; do
	sig=0 reg=0 r=1
	while [ "$r" -le "$ROUNDS" ]; do
		rm -rf "$dir/shift" && mkdir "$dir/shift"
		for f in "$dir/b$r"/r*/result.json; do
			jq --arg f "$s" '(.cells[].samples[].bytes_per_sec) |= . * (1 - ($f | tonumber) / 100)' \
				"$f" >"$dir/shift/$(basename "$(dirname "$f")").json"
		done
		set -- $(gate "$dir/a$r" "$dir/shift")
		case $2 in
		REGRESSION) sig=$((sig + 1)) reg=$((reg + 1)) ;;
		SMALL) sig=$((sig + 1)) ;;
		esac
		r=$((r + 1))
	done
	echo "shift -$s%: significant in $sig/$ROUNDS, REGRESSION (threshold 5%) in $reg/$ROUNDS"
	if [ -z "$smallest" ] && [ $((sig * 100)) -ge $((ROUNDS * 95)) ]; then
		smallest=$s
	fi
done
echo "smallest shift detected in >= 95% of the rounds: ${smallest:-none of $SHIFTS}%"

# real slowdowns
sh -c 'while :; do :; done' &
hog=$!
taskset -pc "$CPU" "$hog" >/dev/null
i=1
while [ "$i" -le "$RUNS" ]; do run "$dir/hog/r$i"; i=$((i + 1)); done
kill "$hog"
hog=
set -- $(gate "$dir/a1" "$dir/hog")
echo "CPU hog on CPU $CPU: gate exit $1, bytes_per_sec $2 ($(delta)%)"

i=1
while [ "$i" -le "$RUNS" ]; do
	run "$dir/small/r$i" --chunk 4k
	jq --slurpfile a "$dir/a1/r1/result.json" \
		'.cells[0].params = $a[0].cells[0].params | .cells[0].key = $a[0].cells[0].key' \
		"$dir/small/r$i/result.json" >"$dir/small/r$i.json" && rm -r "$dir/small/r$i"
	i=$((i + 1))
done
set -- $(gate "$dir/a1" "$dir/small")
echo "4k chunk presented as 64k: gate exit $1, bytes_per_sec $2 ($(delta)%)"
