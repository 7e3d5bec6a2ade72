#!/bin/sh
# Pipe-only workloads with every timed sample verified, both sinks, with and
# without SPLICE_F_GIFT; --json prints the document on stdout.
. "${SB_TOP:-.}/tests/lib.sh"

work=$(mktemp -d /tmp/sb-t_run_pipe-XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT
r=$work/out/result.json

"$SB" run -t pipe --sink devnull,user --gift off,on --chunk 4k,64k --verify --duration 0.03 \
	--samples 2 --warmup 1 --out "$work/out" --json >"$work/stdout" 2>"$work/stderr"
is $? 0 "pipe workloads with --verify exit 0"
jq_ok "$work/stdout" '.schema == "splicebench.result/1"' "--json prints the result on stdout"
cmp -s "$work/stdout" "$r"; ok $? "stdout JSON equals the result file"
jq_ok "$r" '(.cells | length) == 2 * (4 + 1 + 2)' "14 cells (u2p 2 sinks x 2 gift, p2u, tee 2 sinks; x2 chunks)"
jq_ok "$r" 'all(.cells[]; .status == "ok" and .verify == "passed" and .verification.mode == "all")' \
	"every cell ok and verified in every sample"
jq_ok "$r" 'all(.cells[] | select(.workload != "tee.pipe-to-pipe") | .samples[]; .verified_bytes == .bytes and .verify_ns > 0 and .elapsed_ns > .wall_ns)' \
	"every timed byte verified, the cost recorded and left out of wall time"
jq_ok "$r" 'all(.cells[] | select(.workload == "tee.pipe-to-pipe") | .samples[]; .verified_bytes == 2 * .bytes)' \
	"tee: both copies of every timed byte verified"
jq_ok "$r" 'all(.cells[]; .params.verify == "all")' "verified cells say so in their params"
jq_ok "$r" 'all(.cells[]; .verification.final_pass_ns > 0)' "a final verification pass after the samples"
jq_ok "$r" 'any(.cells[]; .workload == "vmsplice.user-to-pipe" and .params.gift == true)' "GIFT cell"
jq_ok "$r" 'all(.cells[] | select(.workload == "tee.pipe-to-pipe"); .verification.bytes >= 2 * .summary.bytes_total)' \
	"tee verifies both copies"
jq_ok "$r" 'all(.cells[] | select(.workload == "vmsplice.user-to-pipe" and .params.sink == "devnull"); .summary.syscalls_per_op.median == 2)' \
	"vmsplice + splice to /dev/null: two syscalls per 64k op"
grep -q "results: $r" "$work/stderr"; ok $? "with --json the pointer goes to stderr"
done_testing
