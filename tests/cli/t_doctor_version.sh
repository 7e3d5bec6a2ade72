#!/bin/sh
# doctor --json is valid JSON and every failed check gives a reason; version.
. "${SB_TOP:-.}/tests/lib.sh"

tmp=$(mktemp /tmp/sb-t_doctor-XXXXXX) || bail "mktemp"
trap 'rm -f "$tmp"' EXIT

"$SB" doctor --json --no-fs >"$tmp"; ok $? "doctor --json exits 0"
jq_ok "$tmp" '.schema == "splicebench.doctor/1"' "doctor schema"
for c in root perf.task-clock perf.cycles bpf.tracepoint bpf.raw_tp bpf.fentry \
	bpf.kprobe_attach btf.vmlinux accounting.tier1 accounting.tier2 accounting.oracle lockdown \
	qemu kvm vm.agent gnuplot; do
	jq_ok "$tmp" "any(.checks[]; .name == \"$c\")" "doctor checks $c"
done
jq_ok "$tmp" 'all(.checks[]; .ok == true or ((.reason | type) == "string" and (.reason | length) > 0))' \
	"every failed check has a reason"
jq_ok "$tmp" 'all(.checks[]; (.ok | type) == "boolean")' "ok is a boolean"
"$SB" doctor --no-fs | grep -q '^perf.task-clock'; ok $? "human doctor output"

v=$("$SB" version); ok $? "version exits 0"
echo "$v" | grep -q '^splicebench [0-9]'; ok $? "version line: $(echo "$v" | head -n1)"
"$SB" version --json >"$tmp"
jq_ok "$tmp" '.name == "splicebench" and (.version | length) > 0 and (.git_commit | length) > 0' \
	"version --json"
is "$("$SB" --version | head -n1)" "$(echo "$v" | head -n1)" "--version is version"
done_testing
