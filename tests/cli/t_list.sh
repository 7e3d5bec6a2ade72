#!/bin/sh
# list: every registered workload, human and JSON; family selection.
. "${SB_TOP:-.}/tests/lib.sh"

tmp=$(mktemp /tmp/sb-t_list-XXXXXX) || bail "mktemp"
human=$(mktemp /tmp/sb-t_list-XXXXXX) || bail "mktemp"
trap 'rm -f "$tmp" "$human"' EXIT
"$SB" list >"$human"

"$SB" list --json >"$tmp"; ok $? "list --json exits 0"
jq_ok "$tmp" '.schema == "splicebench.workloads/1"' "schema"
jq_ok "$tmp" '.workloads | length == 18' "eighteen workloads"
for id in splice.file-to-pipe splice.pipe-to-file splice.file-to-file sendfile.file-to-file \
	vmsplice.user-to-pipe vmsplice.pipe-to-user tee.pipe-to-pipe rw.file-to-file rw.file-read \
	copy-file-range.file-to-file splice.file-to-socket splice.socket-to-pipe \
	sendfile.file-to-socket vmsplice.user-to-socket zerocopy.user-to-socket rw.file-to-socket \
	rw.user-to-socket \
	rw.socket-read; do
	jq_ok "$tmp" "any(.workloads[]; .id == \"$id\" and (.summary | length) > 0 and (.path | length) > 0)" \
		"$id listed with summary and path"
	grep -q "^$id " "$human"; ok $? "$id in the human listing"
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
is "$("$SB" run --dry-run | tail -n 1)" "41 cells" "the quick matrix has 41 cells (25 + 16 socket)"
jq_ok "$tmp" '[.workloads[] | select(.targets == "tcp,udp") | .id] | length == 8' \
	"eight socket workloads run on tcp,udp"
n=$("$SB" run --dry-run -t tcp | grep -vc ' cells$')
is "$n" 8 "-t tcp: the eight socket workloads once each"
n=$("$SB" run --dry-run -t tcp,udp --net-fs tmpfs,ext4 | grep -vc ' cells$')
is "$n" 22 "-t tcp,udp --net-fs tmpfs,ext4: file legs per file system (3 x 2 x 2 + 5 x 2)"
n=$("$SB" run --dry-run -t tcp,udp -w splice.socket-to-pipe --sink devnull,user,file --net-fs tmpfs,xfs | grep -vc ' cells$')
is "$n" 6 "--sink file: tcp only, once per --net-fs (tcp 2 + 2 file, udp 2)"
"$SB" run --dry-run -t tcp -w splice.socket-to-pipe --sink file --net-fs xfs | grep -q '^splice.socket-to-pipe/tcp/64k/xfs,sink=file$'
ok $? "the file sink's cell key names its file system"
done_testing
