#!/bin/sh
# compare and gate on real result files (pipe cells: no root) and on copies
# edited with jq: verdicts, exit codes, formats, and one-line trouble.
. "${SB_TOP:-.}/tests/lib.sh"

dir=$(mktemp -d /tmp/sb-t_compare-XXXXXX) || bail "mktemp"
trap 'rm -rf "$dir"' EXIT INT TERM

run() { # run OUTDIR [extra run options]: a small real result
	out=$1
	shift
	"$SB" run -q -t pipe -w vmsplice.user-to-pipe --gift off -n 10 -d 0.05 --warmup 1 \
		-o "$out" "$@" >/dev/null
}
run "$dir/a"; ok $? "base run"
run "$dir/b"; ok $? "second run of the same build"
R=$dir/a/result.json
B=$dir/b/result.json

# edit FILE JQ OUT: a copy of a result with a jq change
edit() { jq "$2" "$1" > "$3" || bail "jq $2"; }

# The edited cases start from the real run with its throughput samples
# replaced by a known, narrow spread around their median (+-2%): what they
# test is the decision, not this machine's noise (t_gate.sh and
# make bench-gate do that).
edit "$R" '.cells[].samples |= (to_entries | map(.value.bytes_per_sec = 2e10 * (1 + 0.004 * (.key - 4.5))) | map(.value))' "$dir/steady.json"
A=$dir/steady.json

# gate_is WANT DESCRIPTION ARGS...: exit status of gate
gate_is() {
	want=$1 desc=$2
	shift 2
	"$SB" gate "$@" > "$dir/out" 2> "$dir/err"
	st=$?
	is "$st" "$want" "$desc"
	[ "$st" = "$want" ] || { diag "stdout:"; sed 's/^/#   /' "$dir/out" | tail -n 30; diag "stderr: $(cat "$dir/err")"; }
}

# ---- identical and A/A
gate_is 0 "a result gated against itself: exit 0" "$R" "$R"
grep -q '^splicebench: no regression in' "$dir/out"; ok $? "headline: no regression"
"$SB" compare -f json "$A" "$A" > "$dir/self.json"; ok $? "compare -f json of a result with itself"
jq_ok "$dir/self.json" '.schema == "splicebench.compare/1" and .exit_code == 0 and .verdict == "PASS"' \
	"json: schema, exit code and verdict"
jq_ok "$dir/self.json" '[.rows[] | select(.metric == "bytes_per_sec")][0] | .verdict == "~" and .delta_pct == 0 and .p == 1' \
	"itself: bytes_per_sec ~, delta 0, p 1"
jq_ok "$dir/self.json" '[.rows[] | select(.metric == "syscalls_per_op")][0] | .verdict == "=" and .method == "exact"' \
	"itself: syscalls_per_op is exact and ="
jq_ok "$dir/self.json" '.env_diff == [] and .cells.matched == 1' "no env difference, one cell matched"
jq_ok "$dir/self.json" '(.warnings | any(test("one run on a side"))) and ([.rows[] | select(.metric == "bytes_per_sec")][0].gated | not)' \
	"one run per side: said, and throughput not gated"
gate_is 0 "A/A: two runs of the same build, default settings" "$R" "$B"

# ---- one run per side: throughput is shown, not gated (run-to-run variance unknown)
edit "$A" '(.cells[].samples[].bytes_per_sec) |= . * 0.8' "$dir/slow.json"
gate_is 0 "one run per side, throughput x0.8: not gated by default" "$A" "$dir/slow.json"
grep -q 'not gated: one run on a side' "$dir/out" && grep -q 'REGRESSION (info)' "$dir/out"
ok $? "the row says REGRESSION (info) and why it is not gated"
grep -q 'timings not gated: one run per side$' "$dir/out"; ok $? "the headline says so too"

# ---- a known 20% slowdown, gated on samples (--unit samples)
S="--unit samples"
gate_is 1 "--unit samples, throughput x0.8: exit 1" $S "$A" "$dir/slow.json"
grep -q '^splicebench: -20.0% regression of vmsplice.user-to-pipe/pipe/64k bytes_per_sec' "$dir/out"
ok $? "headline names -20.0%, the cell and bytes_per_sec"
grep -q '^RESULT: REGRESSION -> exit 1' "$dir/out"; ok $? "RESULT line"
"$SB" compare $S "$A" "$dir/slow.json" > /dev/null; is $? 1 "compare exits 1 on a regression too"
"$SB" compare $S --no-fail "$A" "$dir/slow.json" > /dev/null; is $? 0 "compare --no-fail exits 0"
"$SB" gate $S -f json "$A" "$dir/slow.json" > "$dir/slow-cmp.json"
jq_ok "$dir/slow-cmp.json" '[.rows[] | select(.metric == "bytes_per_sec")][0] | .verdict == "REGRESSION" and (.delta_pct | . > -20.01 and . < -19.99) and .delta_ci_pct[1] < -5 and .p_adj < 0.01' \
	"json: REGRESSION, delta -20%, CI beyond -5%, p_adj < alpha"
jq_ok "$dir/slow-cmp.json" '.settings.gated_family == 1 and .settings.alpha == 0.01 and .settings.unit == "samples"' \
	"Holm family: the one noisy gated metric; gate's alpha 0.01"
edit "$A" '(.cells[].samples[].bytes_per_sec) |= . * 1.25' "$dir/fast.json"
gate_is 0 "throughput x1.25: an improvement passes" $S "$A" "$dir/fast.json"
grep -q 'IMPROVEMENT' "$dir/out"; ok $? "verdict IMPROVEMENT"
gate_is 0 "--threshold 30%: a 20% slowdown is SMALL" $S --threshold 30% "$A" "$dir/slow.json"
grep -q 'SMALL' "$dir/out"; ok $? "verdict SMALL"
gate_is 1 "--metrics cpu_sec_per_gib,bytes_per_sec still gates throughput" $S \
	--metrics cpu_sec_per_gib,bytes_per_sec "$A" "$dir/slow.json"
gate_is 0 "--metrics syscalls_per_op: throughput is informational" $S --metrics syscalls_per_op \
	"$A" "$dir/slow.json"
grep -q 'REGRESSION (info)' "$dir/out"; ok $? "the throughput row still says REGRESSION (info)"

# ---- several runs per side: their medians are tested
mkdir -p "$dir/base5" "$dir/slow5"
for i in 1 2 3 4 5; do
	edit "$A" "(.cells[].samples[].bytes_per_sec) |= . * (1 + 0.003 * $i)" "$dir/base5/r$i.json"
	edit "$A" "(.cells[].samples[].bytes_per_sec) |= . * 0.8 * (1 + 0.003 * $i)" "$dir/slow5/r$i.json"
done
gate_is 1 "5 runs per side, x0.8: the run medians regress" "$dir/base5" "$dir/slow5"
"$SB" gate -f json "$dir/base5" "$dir/slow5" > "$dir/runs.json"
jq_ok "$dir/runs.json" '[.rows[] | select(.metric == "bytes_per_sec")][0] | .unit_of_replication == "run medians" and .base.n == 5 and .base.samples == 50 and .p_adj < 0.01' \
	"unit: run medians, n 5 of 50 samples"
gate_is 2 "4 runs per side: INSUFFICIENT at alpha 0.01 is trouble" "$dir/base5" \
	"$(mkdir -p "$dir/slow4" && cp "$dir"/slow5/r[1-4].json "$dir/slow4/" && echo "$dir/slow4")"
grep -q 'need >= 5 runs per side for alpha 0.01' "$dir/out"; ok $? "says 5 runs are needed"

# ---- exact metrics: any change in the worse direction
edit "$A" '(.cells[].samples[].syscalls_per_op) |= . + 1' "$dir/sys.json"
gate_is 1 "one more syscall per op: exit 1 at any noise" "$A" "$dir/sys.json"
grep -q 'regression of vmsplice.user-to-pipe/pipe/64k syscalls_per_op \[exact\]' "$dir/out"
ok $? "headline names the exact metric"
edit "$A" '.cells[].accounting.copy_ratio.value = 1' "$dir/copy.json"
gate_is 1 "copy_ratio 0 -> 1: exit 1" "$A" "$dir/copy.json"
gate_is 0 "copy_ratio 1 -> 0 is an improvement" "$dir/copy.json" "$A"
edit "$A" '.cells[].samples |= (to_entries | map(.value.syscalls_per_op = 2 + (.key % 2)) | map(.value))' "$dir/vary.json"
"$SB" gate -f json "$dir/vary.json" "$dir/vary.json" > "$dir/vary-cmp.json"
jq_ok "$dir/vary-cmp.json" '[.rows[] | select(.metric == "syscalls_per_op")][0] | (.notes | any(test("exact metric varies"))) and .method != "exact"' \
	"an exact metric that varies is said so and tested as noisy"

mkdir -p "$dir/vary5"
for i in 1 2 3 4 5; do cp "$dir/vary.json" "$dir/vary5/r$i.json"; done
"$SB" gate -f json "$dir/vary5" "$dir/vary5" > "$dir/vary5-cmp.json" 2>/dev/null
jq_ok "$dir/vary5-cmp.json" '[.rows[] | select(.metric == "syscalls_per_op")][0] | (.notes | any(test("exact metric varies"))) and .method != "exact"' \
	"5 runs: an exact metric varying inside each run is said so, though its run medians agree"

# ---- too few samples, noise
edit "$A" '.cells[].samples |= .[:3]' "$dir/three.json"
gate_is 2 "3 samples per side: INSUFFICIENT is trouble for gate" $S "$dir/three.json" "$dir/three.json"
grep -q 'need >= 5 samples per side for alpha 0.01' "$dir/out"; ok $? "says how many samples are needed"
"$SB" compare $S "$dir/three.json" "$dir/three.json" > /dev/null; is $? 0 "compare: INSUFFICIENT is shown, not trouble"
"$SB" compare $S --strict "$dir/three.json" "$dir/three.json" > /dev/null 2>&1; is $? 2 "compare --strict: trouble"
edit "$A" '.cells[].samples |= (to_entries | map(.value.bytes_per_sec *= (if .key % 2 == 0 then 0.6 else 1.4 end)) | map(.value))' "$dir/noisy.json"
gate_is 0 "noisy samples: shown as NOISY, no failure" $S "$dir/noisy.json" "$dir/noisy.json"
grep -q 'NOISY' "$dir/out"; ok $? "NOISY flagged"
gate_is 2 "--strict: NOISY is trouble" $S --strict "$dir/noisy.json" "$dir/noisy.json"
edit "$A" '.cells[].samples[3].bytes_per_sec *= 10' "$dir/outlier.json"
"$SB" compare -f json "$dir/outlier.json" "$A" > "$dir/out.json"
jq_ok "$dir/out.json" '[.rows[] | select(.metric == "bytes_per_sec")][0] | (.base.outliers | index(3)) != null and .base.samples == 10' \
	"an outlier is flagged by index and kept"

# ---- environment
edit "$A" '.host.cpu.model = "Another CPU"' "$dir/env.json"
gate_is 2 "a different CPU model: trouble under --env-mismatch error" "$A" "$dir/env.json"
grep -q "environments differ in host.cpu.model" "$dir/err"; ok $? "the reason names the field"
gate_is 0 "--env-mismatch warn compares anyway" --env-mismatch warn "$A" "$dir/env.json"
grep -q 'environment differs (error): host.cpu.model' "$dir/out"; ok $? "and lists the difference first"
edit "$A" '.host.kernel.release = "6.1.0-test"' "$dir/kern.json"
gate_is 0 "a different kernel is what is compared: shown, not trouble" "$A" "$dir/kern.json"
grep -q 'environment differs (info): host.kernel.release' "$dir/out"; ok $? "the kernel difference is shown"
edit "$A" '.guest = {accel: "tcg"}' "$dir/tcg.json"
gate_is 0 "tcg on both sides: throughput is informational" $S "$dir/tcg.json" \
	"$(edit "$dir/slow.json" '.guest = {accel: "tcg"}' "$dir/tcg-slow.json"; echo "$dir/tcg-slow.json")"
grep -q 'not gated: a side ran under tcg' "$dir/out"; ok $? "says why"

edit "$A" '.run.interrupted = true' "$dir/intr.json"
"$SB" compare -f json "$A" "$dir/intr.json" > "$dir/intr-cmp.json"
jq_ok "$dir/intr-cmp.json" '.warnings | any(test("intr.json was interrupted"))' \
	"an interrupted run is a warning"

# ---- sets: labels, directories, missing cells
"$SB" compare base="$A" patched="$dir/slow.json" > "$dir/out"
grep -q '^base: base (1 file' "$dir/out" && grep -q '^new:  patched (1 file' "$dir/out"
ok $? "LABEL=PATH labels the sides"
mkdir -p "$dir/set/r1" "$dir/set/r2" && cp "$R" "$dir/set/r1/result.json" && cp "$B" "$dir/set/r2/result.json" \
	&& echo '{"not": "a result"}' > "$dir/set/other.json"
"$SB" compare -f json "$dir/set" "$dir/set" > "$dir/set.json"; ok $? "a directory of two runs per side"
jq_ok "$dir/set.json" '(.base.files | length) == 2 and ([.rows[] | select(.metric == "bytes_per_sec")][0] | .base.samples == 20 and .base.runs == 2)' \
	"both runs' samples are used (other JSON ignored)"
run "$dir/c" -w splice.file-to-pipe -t tmpfs 2>/dev/null
if [ -f "$dir/c/result.json" ]; then
	gate_is 2 "different workload sets: trouble" "$A" "$dir/c/result.json"
	grep -q 'is only in' "$dir/err"; ok $? "the reason names a missing cell"
	gate_is 2 "--allow-missing with nothing in common: trouble" --allow-missing "$A" "$dir/c/result.json"
else
	skip "tmpfs cell not available (needs root)"; skip "-"; skip "-"
fi
jq -s '.[0] as $a | .[1] as $b | $a | .cells += $b.cells' "$A" "$dir/slow.json" > /dev/null
edit "$A" '.cells += [.cells[0] | .key = "x/pipe/64k" | .workload = "x"]' "$dir/more.json"
gate_is 2 "a cell only in new: trouble" "$A" "$dir/more.json"
gate_is 0 "--allow-missing compares the common cells" --allow-missing "$A" "$dir/more.json"
edit "$A" '.cells[0].status = "failed" | .cells[0].reason = "mismatch at 42"' "$dir/failed.json"
gate_is 2 "a failed cell in new: trouble" "$A" "$dir/failed.json"
grep -q 'failed in new.*mismatch at 42' "$dir/err"; ok $? "with its reason"

# ---- bad input: exit 2, one line on stderr
bad() { # bad DESCRIPTION FILE PATTERN
	"$SB" gate "$A" "$2" > /dev/null 2> "$dir/err"
	st=$?
	is "$st" 2 "$1: exit 2"
	[ "$(wc -l < "$dir/err")" -eq 1 ] && grep -q "$3" "$dir/err"
	ok $? "$1: one line: $3"
	[ -s "$dir/err" ] || diag "no stderr"
	grep -q "$3" "$dir/err" || diag "stderr: $(cat "$dir/err")"
}
head -c 500 "$A" > "$dir/trunc.json"
bad "truncated JSON" "$dir/trunc.json" 'not valid JSON'
edit "$A" '.schema = "splicebench.result/2"' "$dir/v2.json"
bad "schema major 2" "$dir/v2.json" 'this build reads splicebench.result/1 only'
edit "$A" '.schema = "something/1"' "$dir/other.json"
bad "another schema" "$dir/other.json" 'not a splicebench result'
edit "$A" '.cells[0].samples = []' "$dir/empty.json"
bad "an ok cell without samples" "$dir/empty.json" 'is ok but has no samples'
sed 's/"bytes_per_sec": [0-9.e+]*/"bytes_per_sec": NaN/' "$A" > "$dir/nan.json"
bad "NaN" "$dir/nan.json" 'not valid JSON'
sed 's/"bytes_per_sec": [0-9.e+]*/"bytes_per_sec": 1e999/' "$A" > "$dir/inf.json"
bad "inf (1e999)" "$dir/inf.json" 'not valid JSON'
edit "$A" '.cells[0].samples[0].bytes_per_sec = -5' "$dir/neg.json"
bad "a negative throughput" "$dir/neg.json" 'bytes_per_sec is -5'
edit "$A" '.cells[0].samples[0].cpu_sec_per_gib = "fast"' "$dir/str.json"
bad "a string for a number" "$dir/str.json" 'cpu_sec_per_gib is not a number'
mkdir -p "$dir/none" && echo '{}' > "$dir/none/x.json"
bad "a directory without results" "$dir/none" 'no result files'
bad "a missing file" "$dir/nope.json" 'No such file'
edit "$A" '.vm_ab = {side: "a"}' "$dir/set/r1/result.json"
edit "$A" '.vm_ab = {side: "b"}' "$dir/set/r2/result.json"
bad "a directory mixing vm ab sides" "$dir/set" 'mixes side a and side b'
mkdir -p "$dir/trset" && cp "$A" "$dir/trset/r1.json" && head -c 400 "$A" > "$dir/trset/r2.json"
bad "a truncated run in a directory" "$dir/trset" 'r2.json: not valid JSON'
printf '{"schema": "x\\nsecond line", "cells": []}' > "$dir/nl.json"
bad "a newline in a file's text" "$dir/nl.json" "not a splicebench result (schema 'x?second line')"
"$SB" gate "$A" > /dev/null 2> "$dir/err"; is $? 2 "one argument: usage error"
"$SB" gate --alpha 2 "$A" "$A" > /dev/null 2> "$dir/err"; is $? 2 "--alpha 2: usage error"
"$SB" gate --metrics speed "$A" "$A" > /dev/null 2> "$dir/err"; is $? 2 "unknown metric: usage error"
grep -q "unknown metric 'speed'" "$dir/err"; ok $? "names the unknown metric"

# ---- formats
"$SB" gate $S -f markdown "$A" "$dir/slow.json" > "$dir/md"; is $? 1 "markdown: same exit code"
grep -q '^| cell | metric | base | new | delta' "$dir/md" && grep -q '^### splicebench gate: REGRESSION' "$dir/md"
ok $? "markdown: title and table"
"$SB" gate $S -f junit "$A" "$dir/slow.json" > "$dir/junit.xml"; is $? 1 "junit: same exit code"
xmllint --noout "$dir/junit.xml"; ok $? "junit: well-formed XML"
grep -q '<failure message="REGRESSION' "$dir/junit.xml"; ok $? "junit: the regression is a failure"
"$SB" gate -f junit "$A" "$dir/trunc.json" > "$dir/junit2.xml" 2>/dev/null; is $? 2 "junit on bad input: exit 2"
xmllint --noout "$dir/junit2.xml" && grep -q "<error message=.*not valid JSON" "$dir/junit2.xml"
ok $? "junit on bad input: an error test case with the reason"
"$SB" gate -f junit "$A" "$dir/env.json" > "$dir/junit3.xml" 2>/dev/null
xmllint --noout "$dir/junit3.xml" && grep -q '<error message="the environments differ' "$dir/junit3.xml"
ok $? "junit: trouble is an error test case"
done_testing
