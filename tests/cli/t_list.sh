#!/bin/sh
# list: every registered workload, human and JSON; family selection.
. "${SB_TOP:-.}/tests/lib.sh"

tmp=$(mktemp /tmp/sb-t_list-XXXXXX) || bail "mktemp"
trap 'rm -f "$tmp"' EXIT

"$SB" list --json >"$tmp"; ok $? "list --json exits 0"
jq_ok "$tmp" '.schema == "splicebench.workloads/1"' "schema"
jq_ok "$tmp" '.workloads | length == 10' "ten workloads"
for id in splice.file-to-pipe splice.pipe-to-file splice.file-to-file sendfile.file-to-file \
	vmsplice.user-to-pipe vmsplice.pipe-to-user tee.pipe-to-pipe rw.file-to-file rw.file-read \
	copy-file-range.file-to-file; do
	jq_ok "$tmp" "any(.workloads[]; .id == \"$id\" and (.summary | length) > 0 and (.path | length) > 0)" \
		"$id listed with summary and path"
	"$SB" list | grep -q "^$id "; ok $? "$id in the human listing"
done
jq_ok "$tmp" '[.workloads[] | select(.zero_copy_capable) | .twin] | all(. != null or true)' \
	"twins are strings or null"
jq_ok "$tmp" '[.workloads[].twin | select(. != null)] as $t | [.workloads[].id] as $ids | all($t[]; . as $x | $ids | index($x) != null)' \
	"every twin names a registered workload"

# a family selects all its variants
n=$("$SB" run --dry-run -w splice -t tmpfs | grep -c '^splice\.')
is "$n" 3 "-w splice selects its three variants"
n=$("$SB" run --dry-run -w rw,tee -t tmpfs,pipe | grep -vc ' cells$')
is "$n" 3 "-w rw,tee: rw.* on tmpfs plus tee on pipe"
is "$("$SB" run --dry-run | tail -n 1)" "25 cells" "the quick matrix has 25 cells"
done_testing
