#!/bin/sh
# gate against real slowdowns, 5 runs per side (the gate tests run medians):
# a CPU hog sharing the benchmark's CPU, and a smaller chunk presented as the
# same cell; and an A/A pair of interleaved runs of the same build.
. "${SB_TOP:-.}/tests/lib.sh"

command -v taskset >/dev/null || skip_all "taskset (util-linux) not found"
dir=$(mktemp -d /tmp/sb-t_gate-XXXXXX) || bail "mktemp"
hog=
trap '[ -n "$hog" ] && kill "$hog" 2>/dev/null; rm -rf "$dir"' EXIT INT TERM

# the copying twin of vmsplice: its run-to-run spread on the test host is a
# few percent (a zero-copy cell's can be 2x)
run() { # run OUTDIR [options]
	out=$1
	shift
	"$SB" run -q -t pipe -w vmsplice.pipe-to-user --chunk 64k -n 5 -d 0.05 --warmup 1 --cpu 0 \
		-o "$out" "$@" >/dev/null
}
st=0
for i in 1 2 3 4 5; do
	run "$dir/a/r$i" || st=1
	run "$dir/b/r$i" || st=1
done
is "$st" 0 "5 + 5 interleaved runs of the same build, pinned to CPU 0"
"$SB" gate "$dir/a" "$dir/b" > "$dir/out" 2>&1
st=$?
is "$st" 0 "A/A: the same build on both sides passes the gate"
[ "$st" = 0 ] || sed 's/^/#   /' "$dir/out"

sh -c 'while :; do :; done' &
hog=$!
taskset -pc 0 "$hog" >/dev/null; ok $? "a busy loop pinned to CPU 0"
st=0
for i in 1 2 3 4 5; do run "$dir/hog/r$i" || st=1; done
is "$st" 0 "5 runs sharing CPU 0 with it"
kill "$hog"; hog=
"$SB" gate -f json "$dir/a" "$dir/hog" > "$dir/hog.json"
is $? 1 "the CPU hog's slowdown fails the gate"
jq_ok "$dir/hog.json" '[.rows[] | select(.verdict == "REGRESSION" and .gated) | .metric] == ["bytes_per_sec"]' \
	"the regressed gated metric is bytes_per_sec, and only it"
jq_ok "$dir/hog.json" '.headline | test("^-[0-9.]+% regression of vmsplice.pipe-to-user/pipe/64k bytes_per_sec")' \
	"the headline names it"
jq_ok "$dir/hog.json" '[.rows[] | select(.metric == "bytes_per_sec")][0].unit_of_replication == "run medians"' \
	"it tested the runs' medians"

st=0
for i in 1 2 3 4 5; do
	run "$dir/small/r$i" --chunk 4k || st=1
	jq --slurpfile a "$dir/a/r1/result.json" \
		'.cells[0].params = $a[0].cells[0].params | .cells[0].key = $a[0].cells[0].key' \
		"$dir/small/r$i/result.json" > "$dir/small/r$i.json" && rm -r "$dir/small/r$i"
done
is "$st" 0 "5 runs of the same workload with 4k operations"
"$SB" gate -f json "$dir/a" "$dir/small" > "$dir/small-cmp.json"
is $? 1 "4k operations presented as the 64k cell fail the gate"
jq_ok "$dir/small-cmp.json" '[.rows[] | select(.metric == "bytes_per_sec")][0] | .verdict == "REGRESSION" and .delta_ci_pct[1] < -5' \
	"bytes_per_sec REGRESSION with the whole interval below -5%"
done_testing
