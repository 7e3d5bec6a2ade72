#!/bin/sh
# splicebench stress, the quick parts: list, usage errors (exit 2, one line),
# the harness catching a wrong errno, a hang and a crash (exit 1), version-keyed
# expectations judged for another kernel (--kernel), all skipped (exit 4), TAP
# and JSON output, the case table of docs/stress.md in step with the code,
# and nothing left in the scratch root.
. "${SB_TOP:-.}/tests/lib.sh"

dir=$(mktemp -d /tmp/sb-t_stress-XXXXXX) || bail "mktemp"
trap 'rm -rf "$dir"' EXIT INT TERM
R="--scratch-root $dir"

# ---- list
"$SB" stress list >"$dir/list.txt" 2>"$dir/err"; ok $? "stress list exits 0"
n=$(grep -c '^conform\.' "$dir/list.txt")
[ "$n" -ge 50 ]; ok $? "stress list shows at least 50 conformance cases ($n)"
grep -q '^selftest\.' "$dir/list.txt"; ok $((!$?)) "the selftest cases are hidden from the list"
"$SB" stress list --json >"$dir/list.json"; ok $? "stress list --json exits 0"
jq_ok "$dir/list.json" '.schema == "splicebench.stressors/1" and (.stressors | length) > 50' \
	"the JSON list has its schema and the cases"
jq_ok "$dir/list.json" '[.stressors[] | select(.kind == "conformance") | .expect and .expected_here] | all' \
	"every conformance case shows its spec and the expectation for this kernel"
jq_ok "$dir/list.json" '[.stressors[] | .checks != "" and .source != ""] | all' \
	"every case says what it checks and where that is documented"
"$SB" stress list --only 'conform.tee.*' >"$dir/tee.txt"; ok $? "list --only"
is "$(grep -c '^conform\.tee\.' "$dir/tee.txt")" "$(grep -c '^conform\.tee\.' "$dir/list.txt")" \
	"list --only keeps exactly the matching cases"

# ---- usage errors: exit 2 and one line on stderr
usage() { # usage DESCRIPTION ARGS...
	d=$1
	shift
	"$SB" stress "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && [ ! -s "$dir/out" ]; then
		ok 0 "$d"
	else
		ok 1 "$d"; diag "exit $rc; stderr: $(cat "$dir/err")"
	fi
}
usage "--json with --tap" --json --tap
usage "--quick with --soak" --quick --soak 10s
usage "an --only pattern that matches nothing" --only 'nope.*'
usage "a selftest pattern without --selftest" --only 'selftest.*'
usage "a bad --kernel" --kernel 6.x
usage "--workers 0" --workers 0
usage "a bad --soak duration" --soak 10q
usage "an unknown word" bogus
usage "an unknown option" --bogus
"$SB" stress --only 'nope.*' 2>&1 | grep -q "no case matches 'nope.\*'"; ok $? "the error names the pattern"

# ---- the harness catches what it must (hidden selftest cases)
"$SB" stress $R --selftest --only 'selftest.*' --json >"$dir/self.json" 2>"$dir/err"
is "$?" 1 "the selftest cases fail: exit 1"
jq_ok "$dir/self.json" '.cases[] | select(.id == "selftest.wrong-errno") |
	.status == "failed" and .expected == "EINVAL" and .got == "EBADF"' \
	"a case expecting the wrong errno is failed, with expected and got"
jq_ok "$dir/self.json" '.cases[] | select(.id == "selftest.hang") |
	.status == "failed" and .killed_by_watchdog and .seconds < 5 and (.detail | test("watchdog"))' \
	"a hanging case is killed by its watchdog within its bound and failed"
jq_ok "$dir/self.json" '.cases[] | select(.id == "selftest.crash") |
	.status == "failed" and (.detail | test("signal 4 .ILL"))' \
	"a case whose process dies is failed with the signal"
if [ "$(id -u)" -eq 0 ] && [ -w /dev/kmsg ]; then
	jq_ok "$dir/self.json" '.cases[] | select(.id == "selftest.kernel-log") | .status == "failed" and
		(.detail | test("kernel log during this case: WARNING .*injected")) and
		(.kernel_log | length) == 1' \
		"a WARNING line in the kernel log during a case fails it, with the line"
	jq_ok "$dir/self.json" '.kernel_log.problems[0].case == "selftest.kernel-log"' \
		"the report's kernel log names the case"
	nfail=4
else
	skip "needs root and a writable /dev/kmsg to inject a kernel log line"
	skip "needs root and a writable /dev/kmsg to inject a kernel log line"
	nfail=3
fi
jq_ok "$dir/self.json" ".summary.failed == $nfail and .exit_code == 1" "the summary counts them"

# ---- version-keyed expectations
"$SB" stress $R --kernel 6.6.0 --only conform.splice.dev-zero-source >"$dir/k66" 2>&1
is "$?" 1 "as if on 6.6, /dev/zero splicing (EINVAL there) fails here"
grep -q 'expected EINVAL (kernels 5.10.0 to before 6.7.0), got' "$dir/k66"; ok $? \
	"the mismatch names the kernel range of the expectation"
"$SB" stress $R --kernel 6.18.0 --only conform.splice.dev-zero-source >/dev/null 2>&1
is "$?" 0 "as for 6.18 it passes"
"$SB" stress $R --kernel 4.9.0 --only conform.splice.bad-flags >"$dir/k49" 2>&1
is "$?" 4 "a kernel before every entry: skipped, all skipped exits 4"
grep -q 'SKIP.*no expectation for kernel 4.9.0' "$dir/k49"; ok $? "and says why"

# ---- TAP and JSON
"$SB" stress $R --tap --only 'conform.tee.*' >"$dir/tap" 2>"$dir/err"; ok $? "--tap exits 0"
head -n1 "$dir/tap" | grep -qx 'TAP version 13'; ok $? "TAP version line"
ntee=$(grep -c '^conform\.tee\.' "$dir/list.txt")
grep -qx "1..$ntee" "$dir/tap"; ok $? "the plan counts the cases ($ntee)"
is "$(grep -c '^ok [0-9]* - conform\.tee\.' "$dir/tap")" "$ntee" "one ok line per case"
"$SB" stress $R --json --only 'conform.vmsplice.*' >"$dir/v.json" 2>"$dir/err"; ok $? "--json exits 0"
jq_ok "$dir/v.json" '.schema == "splicebench.stress/1" and .summary.failed == 0 and
	.summary.passed == (.cases | length) and ([.cases[] | .watchdog_s > 0] | all)' \
	"the JSON report: all passed, each under a watchdog"
jq_ok "$dir/v.json" '.seed > 0 and (.kernel.release | length) > 0 and .tool.version' \
	"the report records seed, kernel and tool"
"$SB" stress $R --json --seed 42 --only conform.tee.len0 | jq -e '.seed == 42' >/dev/null
ok $? "--seed is recorded"

# ---- docs/stress.md lists exactly the registered cases
SPLICEBENCH=$SB sh "${SB_TOP:-.}/scripts/stress-cases-md.sh" >"$dir/table.md"
sed -n '/^<!-- cases:begin -->$/,/^<!-- cases:end -->$/p' "${SB_TOP:-.}/docs/stress.md" |
	sed '1d;$d' >"$dir/doc.md"
if cmp -s "$dir/table.md" "$dir/doc.md"; then ok 0 "docs/stress.md's case table matches the registry"
else ok 1 "docs/stress.md's case table matches the registry"
	diag "run: sh scripts/stress-cases-md.sh --update"; diff "$dir/doc.md" "$dir/table.md" | head -n 5 | sed 's/^/# /'
fi

# ---- nothing left behind
ls -d "$dir"/splicebench-* >/dev/null 2>&1; ok $((!$?)) "no scratch directory left in the scratch root"

done_testing
