#!/bin/sh
# vm --stress: boot Debian's 6.12 cloud kernel under TCG and run the
# conformance cases and the VM-only known-bug check inside (stress
# --dangerous): the report comes back as stress.json, every conformance case
# passes on that kernel too, and the VM-only case ran instead of being
# skipped. Usage errors of the stress options are refused before any boot.
. "${SB_TOP:-.}/tests/lib.sh"

command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip_all "qemu-system-x86_64 not installed (Debian package qemu-system-x86; make deps)"
[ -x "${SB_BUILD:-build}/splicebench-static" ] || bail "no static agent: make static"

work=$(mktemp -d /var/tmp/sb-t_vm_stress-XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT
cache=${SB_VM_CACHE:-}
set -- ${cache:+--cache "$cache"}

# refused before booting: one line, exit 2
for bad in "--json" "--tap" "--scratch-root /tmp" "--only nope.*" "--quick --soak 5s"; do
	# shellcheck disable=SC2086
	"$SB" vm --kernel debian:6.12 --stress --out "$work/bad" "$@" -- $bad >/dev/null 2>"$work/bad.err"
	rc=$?
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$work/bad.err")" -eq 1 ]
	ok $? "vm --stress -- $bad: exit 2 with one line ($(cat "$work/bad.err"))"
done
[ ! -e "$work/bad" ]; ok $? "nothing was written for the refused ones"

vmonly=$("$SB" stress list --json | jq -r '[.stressors[] | select(.flags | index("vm-only")) | .id] | join(",")')
only="conform.*${vmonly:+,$vmonly}"
diag "cases: $only"
out=$work/6.12
"$SB" vm --kernel debian:6.12 --accel tcg --stress --out "$out" "$@" -- --quick --only "$only" \
	>"$work/out" 2>"$work/err"
rc=$?
if [ $rc -ne 0 ] && grep -q "apt knows no package\|apt-get failed\|apt-cache failed\|Could not resolve\|Failed to fetch" "$work/err"; then
	skip_all "debian:6.12: the kernel package cannot be fetched here: $(head -n1 "$work/err")"
fi
is "$rc" 0 "vm --stress on debian:6.12 exits 0"
[ $rc -eq 0 ] || { diag "$(cat "$work/err" "$work/out")"; }
S=$out/stress.json
jq_ok "$S" '.schema == "splicebench.stress/1" and .dangerous and (.kernel.release | startswith("6.12."))' \
	"stress.json came back from the 6.12 guest, run with --dangerous"
jq_ok "$S" '.summary.by_kind.conformance.passed >= 50 and .summary.by_kind.conformance.failed == 0' \
	"every conformance case passes on 6.12 as well"
if [ -n "$vmonly" ]; then
	jq_ok "$S" '[.cases[] | select(.flags | index("vm-only")) | .status != "skipped"] | all and length > 0' \
		"the VM-only cases ran in the guest"
else
	skip "no VM-only case is registered"
fi
jq_ok "$S" '.guest.status == "ok" and .guest.accel == "tcg" and .guest.console_findings == []' \
	"the guest block: ok, tcg, nothing alarming on the console"
grep -q '^stress in the guest: ' "$work/out"; ok $? "the summary is printed"
[ -z "$(leftovers "$work")" ]; ok $? "nothing left behind"

done_testing
