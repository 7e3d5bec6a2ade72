#!/bin/sh
# splicebench stress --quick on this machine, whole, asserted through its JSON:
# at least 50 conformance cases passed and none failed, every race ran under a
# watchdog and passed, the soak verified its bytes, every known-bug check that
# can run here reports "not affected" (VM-only ones skipped with the reason),
# and the kernel log was watched without a new problem. Then SIGTERM in the
# middle of a soak: exit 143 at once, no process, mount or directory left.
. "${SB_TOP:-.}/tests/lib.sh"

need_root
dir=$(mktemp -d /var/tmp/sb-t_stress-XXXXXX) || bail "mktemp"
trap 'rm -rf "$dir"' EXIT INT TERM
J=$dir/quick.json

start=$(date +%s)
"$SB" stress --quick --json --scratch-root "$dir" >"$J" 2>"$dir/err"
rc=$?
diag "stress --quick: exit $rc in $(($(date +%s) - start)) s"
is "$rc" 0 "stress --quick passes on this machine"
if [ "$rc" -ne 0 ]; then
	jq -r '.cases[] | select(.status == "failed") | "  failed: \(.id): \(.detail)"' "$J" |
		sed 's/^/# /'
	sed 's/^/# stderr: /' "$dir/err"
fi
jq_ok "$J" '.summary.by_kind.conformance.passed >= 50 and .summary.by_kind.conformance.failed == 0' \
	"at least 50 conformance cases ran and passed, none failed"
jq -r '"conformance \(.summary.by_kind.conformance) race \(.summary.by_kind.race) soak \(.summary.by_kind.soak) bug \(.summary.by_kind["known-bug"])"' "$J" |
	sed 's/^/# /'
jq_ok "$J" '[.cases[] | select(.kind == "race")] | length >= 6 and
	([.[] | .status == "passed" and .watchdog_s > 0 and (.killed_by_watchdog | not)] | all)' \
	"every race case ran under a watchdog and passed"
jq_ok "$J" '.cases[] | select(.id == "soak.workloads") |
	.status == "passed" and .metrics.bytes_verified > 0 and .metrics.cells_verified > 0' \
	"the soak verified its bytes"
jq -r '.cases[] | select(.id == "soak.workloads") | "soak: \(.detail)"' "$J" | sed 's/^/# /'
jq_ok "$J" '[.cases[] | select(.kind == "known-bug" and (.flags | index("vm-only") | not))] |
	length >= 6 and ([.[] | .status == "passed" and (.detail | test("^not affected"))] | all)' \
	"every known-bug check that runs here reports not affected"
jq_ok "$J" '[.cases[] | select(.flags | index("vm-only")) |
	.status == "skipped" and (.detail | test("VM-only"))] | all' \
	"VM-only cases are skipped without --dangerous, with the reason"
jq_ok "$J" '.kernel_log.watched and (.kernel_log.problems | length) == 0' \
	"the kernel log was watched and shows no new problem"
jq_ok "$J" '.privileges.root and .privileges.netns' "root and a private network namespace"
[ -z "$(leftovers "$dir")" ]; ok $? "nothing left after the run"

# SIGTERM in the middle of a long soak
"$SB" stress --soak 60s --only soak.workloads --scratch-root "$dir" >"$dir/soak.out" 2>&1 &
pid=$!
sleep 3
t0=$(date +%s)
kill -TERM "$pid"
wait "$pid"
rc=$?
is "$rc" 143 "SIGTERM stops stress with 128+15"
[ $(($(date +%s) - t0)) -le 10 ]; ok $? "and it stops within 10 s"
sleep 0.5
pgrep -f "splicebench run .*$dir" >/dev/null; ok $((!$?)) "no soak run is left running"
[ -z "$(leftovers "$dir")" ]; ok $? "no mount, loop device or scratch directory left"

done_testing
