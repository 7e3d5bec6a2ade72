#!/bin/sh
# A deliberately corrupted sink is detected: the cell fails with the offset and
# the expected and actual bytes, and no throughput is reported for it.
. "${SB_TOP:-.}/tests/lib.sh"

work=$(mktemp -d /tmp/sb-t_corrupt-XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT

# user-memory sinks (pipe targets need no root) and a file sink (needs root)
targets=pipe
[ "$(id -u)" -eq 0 ] && targets=pipe,tmpfs
"$SB" run -q -t "$targets" -w vmsplice.pipe-to-user,tee,splice.pipe-to-file --chunk 16k \
	--duration 0.02 --samples 1 --warmup 0 --inject-corruption --scratch-root "$work" \
	--out "$work/out" >"$work/stdout" 2>"$work/stderr"
is $? 1 "a run with a corrupted sink exits 1"
r=$work/out/result.json
jq_ok "$r" 'all(.cells[]; .status == "failed" and .verify == "failed" and .summary == null)' \
	"every cell failed verification and reports no throughput"
jq_ok "$r" 'all(.cells[]; .verification.mismatch.file_offset == 16384 + 100)' \
	"the mismatch offset is the corrupted byte (second chunk, +100)"
jq_ok "$r" 'all(.cells[]; .verification.mismatch.expected_byte != .verification.mismatch.actual_byte)' \
	"expected and actual bytes recorded"
jq_ok "$r" 'all(.cells[]; .reason | test("data mismatch at file offset 16484"))' \
	"the reason names the offset"
grep -q "data mismatch at file offset 16484" "$work/stderr"; ok $? "the failure is reported on stderr"
if [ "$(id -u)" -eq 0 ]; then
	jq_ok "$r" 'any(.cells[]; .workload == "splice.pipe-to-file")' "a file sink was checked too"
else
	skip "file sink needs root"
fi
is "$(leftovers "$work")" "" "nothing left behind"
done_testing
