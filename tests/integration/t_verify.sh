#!/bin/sh
# A path that silently stops writing partway through (an LD_PRELOAD shim makes
# sendfile report success without writing after N calls) never reports
# throughput: --verify catches it at the op, and the default mode in the final
# verification pass after the samples.
. "${SB_TOP:-.}/tests/lib.sh"
need_root

shim=${SB_BUILD:?}/tests/tools/shim_stopwrite.so
[ -r "$shim" ] || bail "$shim not built"
work=$(mktemp -d /var/tmp/sb-t_verify-XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT

run() { # run OUT ARGS...: sendfile on tmpfs, breaking after 2000 sendfile calls
	out=$1
	shift
	SB_SHIM_AFTER=2000 LD_PRELOAD=$shim "$SB" run -q -t tmpfs -w sendfile --duration 0.2 \
		--samples 3 --scratch-root "$work" --out "$work/$out" "$@" >/dev/null 2>"$work/err"
}

run all --verify
is $? 1 "--verify: the broken path fails the run"
jq_ok "$work/all/result.json" '.cells[0].status == "failed" and .cells[0].summary == null and (.cells[0].reason | test("verification failed: data mismatch"))' \
	"--verify: the cell failed at the op that did not write, no throughput"

run pass
is $? 1 "default mode: the broken path fails the run"
jq_ok "$work/pass/result.json" '.cells[0].status == "failed" and .cells[0].summary == null and (.cells[0].reason | test("^after the samples, verification failed"))' \
	"default mode: the final verification pass caught it, no throughput"

SB_SHIM_AFTER=100000000 LD_PRELOAD=$shim "$SB" run -q -t tmpfs -w sendfile --duration 0.05 \
	--samples 1 --scratch-root "$work" --out "$work/ok" >/dev/null 2>&1
is $? 0 "the shim itself changes nothing until it triggers"
is "$(leftovers "$work")" "" "nothing left behind"
done_testing
