#!/bin/sh
# Copy accounting on this host: the tracepoint totals equal the benchmark's
# own byte counts exactly for every file workload; the aliasing oracle sees
# splice file->pipe and vmsplice as by reference and the copying paths as
# not; the probe table says why each probe is (not) used; the expected split.
. "${SB_TOP:-.}/tests/lib.sh"
need_root

work=$(mktemp -d /var/tmp/sb-t_accounting-XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT
r=$work/out/result.json

"$SB" run -q -t tmpfs,ext4,xfs,pipe --direct both --duration 0.05 --samples 2 --warmup 0 \
	--scratch-root "$work" --out "$work/out" >/dev/null 2>"$work/err"
is $? 0 "every workload on every target, buffered and O_DIRECT"

ok_cells='.cells[] | select(.status == "ok")'
jq_ok "$r" "all($ok_cells; .accounting != null and (.accounting.tier | type) == \"string\")" \
	"every ok cell has an accounting block with its tier"
for k in bytes_moved bytes_by_reference bytes_fresh_pages bytes_cpu_copied; do
	jq_ok "$r" "all($ok_cells; (.accounting.$k.value | type) == \"number\" and (.accounting.$k.fidelity | IN(\"exact\", \"estimate\", \"oracle\")) and (.accounting.$k.tier | type) == \"string\")" \
		"$k: a value, its tier and its fidelity in every cell"
done
jq_ok "$r" "all($ok_cells; .accounting.copy_ratio.value != null and .accounting.zero_copy_ratio.value != null)" \
	"copy_ratio and zero_copy_ratio"

tier=$(jq -r '[.cells[] | select(.status == "ok") | .accounting.tier] | unique | join(",")' "$r")
diag "accounting tiers used: $tier"
if [ "$tier" = "tracepoint" ] || [ "$tier" = "function" ]; then
	jq_ok "$r" "all($ok_cells; .accounting.syscall_totals_match == true)" \
		"tracepoint totals equal the benchmark's byte counts in every cell"
	jq_ok "$r" "all($ok_cells; all(.accounting.legs[]; .traced_bytes == .bytes))" \
		"... leg by leg"
	jq_ok "$r" "all($ok_cells | select(.target != \"pipe\"); .accounting.legs | length >= 1)" \
		"file workloads have legs"
else
	skip "no tracepoints attached here ($tier): $(jq -r '.run.accounting.summary' "$r")"
	skip "no tracepoints"
	skip "no tracepoints"
fi

# the oracle
for fs in tmpfs ext4 xfs; do
	jq_ok "$r" "any(.cells[]; .workload == \"splice.file-to-pipe\" and .target == \"$fs\" and .params.direct == \"off\" and .accounting.oracle.result == \"by_reference\")" \
		"oracle: splice file->pipe on $fs is by reference"
done
jq_ok "$r" 'all(.cells[] | select(.workload == "vmsplice.user-to-pipe"); .accounting.oracle.result == "by_reference")' \
	"oracle: vmsplice user->pipe is by reference (with and without GIFT)"
jq_ok "$r" 'all(.cells[] | select(.workload == "tee.pipe-to-pipe"); .accounting.oracle.result == "by_reference")' \
	"oracle: tee is by reference"
jq_ok "$r" 'all(.cells[] | select(.workload == "vmsplice.pipe-to-user"); .accounting.oracle.result == "not_by_reference")' \
	"oracle: vmsplice pipe->user is not by reference"
jq_ok "$r" 'all(.cells[] | select(.workload | startswith("rw.")) | select(.status == "ok"); .accounting.oracle.result == "not_by_reference")' \
	"oracle: rw.* are not by reference"
jq_ok "$r" 'all(.cells[] | select(.workload == "splice.file-to-pipe" and .params.direct == "on" and .status == "ok"); .accounting.oracle.result == "not_by_reference")' \
	"oracle: O_DIRECT splice file->pipe does not alias the page cache"
jq_ok "$r" "all($ok_cells; .accounting.oracle.agrees == true)" \
	"the oracle agrees with the expectation in every cell"

# the split follows the paths
jq_ok "$r" "all($ok_cells | select(.workload == \"splice.file-to-pipe\" and .params.direct == \"off\" and .params.sink == \"devnull\"); .accounting.bytes_by_reference.value == .accounting.bytes_moved.value and .accounting.bytes_cpu_copied.value == 0)" \
	"splice file->pipe->/dev/null: every byte by reference, none copied"
jq_ok "$r" "all($ok_cells | select(.workload == \"rw.file-to-file\" and .params.direct == \"off\"); .accounting.bytes_cpu_copied.value == 2 * .accounting.bytes_moved.value and .accounting.bytes_by_reference.value == 0)" \
	"read+write: every byte copied twice"
if [ "$tier" = "tracepoint" ] || [ "$tier" = "function" ]; then
	jq_ok "$r" "all($ok_cells | select(.workload == \"splice.file-to-pipe\" and .params.direct == \"on\" and (.target == \"ext4\" or .target == \"xfs\")); .accounting.bytes_fresh_pages.fidelity == \"exact\" and .accounting.bytes_fresh_pages.value == .accounting.bytes_moved.value)" \
		"O_DIRECT splice: the fresh-page bytes are measured exactly (iomap tracepoint)"
	jq_ok "$r" "all($ok_cells | select(.workload == \"splice.pipe-to-file\" and .params.direct == \"off\" and (.target == \"ext4\" or .target == \"xfs\")); .accounting.bytes_cpu_copied.fidelity == \"exact\" and .accounting.bytes_cpu_copied.value == .accounting.bytes_moved.value)" \
		"splice pipe->file on ext4/xfs: the copy is measured exactly (write tracepoints)"
	jq_ok "$r" "all($ok_cells | select(.accounting.counted_in == \"the accounting sample\"); .accounting.accounting_sample.bytes > 0)" \
		"counted in an untimed accounting sample, whose size is recorded"
else
	skip "no tracepoints"
	skip "no tracepoints"
	skip "no tracepoints"
fi

# the probe table
"$SB" probe --json >"$work/probe.json"
is $? 0 "probe --json exits 0"
jq_ok "$work/probe.json" '.schema == "splicebench.probes/1" and (.probes | length) > 20' "probe table"
jq_ok "$work/probe.json" 'all(.probes[]; .attached or ((.reason | type) == "string" and (.reason | length) > 0))' \
	"every probe that is not attached says why"
t1=$(jq '[.probes[] | select(.tier == "1" and .attached)] | length' "$work/probe.json")
if [ "$t1" -eq 0 ]; then
	jq_ok "$work/probe.json" 'all(.probes[] | select(.tier == "1" and .era == "6.5+"); .reason | test("fentry|kprobe|BTF"))' \
		"tier 1 unavailable here, with the reason (fentry / kprobe)"
else
	diag "tier 1 attached here: $t1 probes"
	skip "tier 1 available on this kernel"
fi
jq_ok "$r" '.run.accounting.probes | length > 20' "the result file carries the probe status"

# --probes off: the oracle tier; --probes require: exit 3 when tier 1 cannot attach
"$SB" run -q -t pipe -w vmsplice.user-to-pipe --gift off --probes off --duration 0.02 \
	--samples 1 --warmup 0 --out "$work/off" >/dev/null 2>&1
jq_ok "$work/off/result.json" '.cells[0].accounting.tier == "oracle" and .cells[0].accounting.bytes_by_reference.fidelity == "oracle"' \
	"--probes off: split by the table, checked by the oracle"
"$SB" run -q -t pipe -w tee --probes require --duration 0.02 --samples 1 --warmup 0 \
	--out "$work/req" >/dev/null 2>"$work/req.err"
st=$?
if [ "$t1" -eq 0 ]; then
	is "$st" 3 "--probes require without tier 1: exit 3"
	grep -q "no function probe" "$work/req.err"; ok $? "says why: $(cat "$work/req.err")"
else
	is "$st" 0 "--probes require with tier 1: runs"
	skip "tier 1 available"
fi
is "$(leftovers "$work")" "" "nothing left behind"
done_testing
