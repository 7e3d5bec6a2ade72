#!/bin/sh
# The kernel lab: boot Debian's 6.1 and 6.12 cloud kernels under TCG, run the
# accounting paths inside, and check what the issue's expected table says:
# function probes (tier 1) attach, and per path the split and the aliasing
# oracle agree (splice file->pipe by reference on tmpfs/ext4/xfs, O_DIRECT
# splice file->pipe into fresh pages, pipe->file copied, vmsplice by
# reference, vmsplice pipe->user copied). Kernel packages are cached in
# ~/.cache/splicebench (SB_VM_CACHE overrides) between runs of the suite.
. "${SB_TOP:-.}/tests/lib.sh"

command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip_all "qemu-system-x86_64 not installed (Debian package qemu-system-x86; make deps)"
[ -x "${SB_BUILD:-build}/splicebench-static" ] || bail "no static agent: make static"

work=$(mktemp -d /var/tmp/sb-t_vm-XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT
cache=${SB_VM_CACHE:-}
set -- ${cache:+--cache "$cache"}

for v in 6.1 6.12; do
	out=$work/$v
	"$SB" vm --kernel "debian:$v" --accel tcg --out "$out" -q "$@" -- \
		-w splice.file-to-pipe,splice.pipe-to-file,vmsplice.user-to-pipe,vmsplice.pipe-to-user,splice.file-to-socket \
		-t tmpfs,ext4,xfs,pipe,tcp,udp --direct both --samples 2 --warmup 0 --duration 0.05 \
		--file-size 8m >"$work/$v.out" 2>"$work/$v.err"
	rc=$?
	if [ $rc -ne 0 ] && grep -q "apt knows no package\|apt-get failed\|apt-cache failed\|Could not resolve\|Failed to fetch" "$work/$v.err"; then
		skip "debian:$v: the kernel package cannot be fetched here: $(head -n1 "$work/$v.err")"
		continue
	fi
	is "$rc" 0 "debian:$v: vm ran the accounting paths (exit 0)"
	[ $rc -eq 0 ] || { diag "$(cat "$work/$v.err")"; continue; }
	r=$out/result.json
	jq_ok "$r" '.schema == "splicebench.result/1" and (.cells | length) > 0' \
		"debian:$v: a result file with cells came back over the serial port"
	jq_ok "$r" ".guest.accel == \"tcg\" and .guest.status == \"ok\" and (.guest.kernel.release | startswith(\"$v.\"))" \
		"debian:$v: the guest block names tcg and the $v kernel"
	jq_ok "$r" '.guest.kernel.deb_sha256 | test("^[0-9a-f]{64}$")' \
		"debian:$v: the package's sha256 is recorded"
	jq_ok "$r" '.guest.console_findings == [] and .guest.run_rc == 0' \
		"debian:$v: no kernel warning on the console"
	[ -s "$out/console.log" ]
	ok $? "debian:$v: console.log kept"
	jq_ok "$r" '[.run.accounting.probes[] | select(.tier == "1" and .attached)] | length >= 3' \
		"debian:$v: function probes (tier 1) attached in the guest"

	ok_cells='.cells[] | select(.status == "ok")'
	jq_ok "$r" "all($ok_cells; .accounting.oracle.agrees != false)" \
		"debian:$v: the oracle agrees with the split in every cell"
	for fs in tmpfs ext4 xfs; do
		jq_ok "$r" "any(.cells[]; .key == \"splice.file-to-pipe/$fs/64k\" and .accounting.tier == \"function\" and .accounting.bytes_by_reference.value == .accounting.bytes_moved.value and .accounting.bytes_cpu_copied.value == 0 and .accounting.oracle.result == \"by_reference\")" \
			"debian:$v: splice file->pipe on $fs: by reference (tier 1, oracle)"
		jq_ok "$r" "any(.cells[]; .key == \"splice.pipe-to-file/$fs/64k\" and .accounting.bytes_cpu_copied.value == .accounting.bytes_moved.value and .accounting.oracle.result == \"not_by_reference\")" \
			"debian:$v: splice pipe->file on $fs: copied into the page cache"
	done
	jq_ok "$r" 'any(.cells[]; .key == "splice.file-to-pipe/xfs/64k/direct" and .accounting.bytes_fresh_pages.value == .accounting.bytes_moved.value and .accounting.bytes_by_reference.value == 0 and .accounting.oracle.result == "not_by_reference")' \
		"debian:$v: O_DIRECT splice file->pipe on xfs: fresh pages"
	jq_ok "$r" 'all(.cells[] | select(.workload == "vmsplice.user-to-pipe"); .accounting.tier == "function" and .accounting.bytes_by_reference.value == .accounting.bytes_moved.value and .accounting.oracle.result == "by_reference")' \
		"debian:$v: vmsplice user->pipe (with and without gift): by reference"
	jq_ok "$r" 'any(.cells[]; .workload == "vmsplice.pipe-to-user" and .accounting.tier == "function" and .accounting.bytes_cpu_copied.value >= .accounting.bytes_moved.value and .accounting.oracle.result == "not_by_reference")' \
		"debian:$v: vmsplice pipe->user: copied"
	# sockets in the guest's private namespace; UDP splice copies on 6.1.72+ stable
	# (udp_sendpage -> udp_sendmsg without page support) and hands pages over on 6.5+
	jq_ok "$r" 'all(.cells[] | select(.target == "tcp" or .target == "udp"); .status == "ok" and .verify == "passed" and .accounting.oracle.agrees == true)' \
		"debian:$v: socket cells verified, the oracle agrees"
	jq_ok "$r" 'any(.cells[]; .key == "splice.file-to-socket/tcp/64k/tmpfs" and .accounting.bytes_cpu_copied.value == 0 and .accounting.oracle.result == "by_reference")' \
		"debian:$v: splice file->pipe->tcp: by reference"
	case $v in
	6.1) want='.accounting.bytes_cpu_copied.value == .accounting.bytes_moved.value and .accounting.oracle.result == "not_by_reference"' ;;
	*) want='.accounting.bytes_cpu_copied.value == 0 and .accounting.oracle.result == "by_reference"' ;;
	esac
	jq_ok "$r" "any(.cells[]; .key == \"splice.file-to-socket/udp/64k/tmpfs\" and $want)" \
		"debian:$v: splice file->pipe->udp: $( [ "$v" = 6.1 ] && echo "copied (6.1.72+ stable)" || echo "by reference (MSG_SPLICE_PAGES)")"
done

# a reviewer's own build: a bzImage with --modules (INSTALL_MOD_PATH layout) and --kconfig,
# here the 6.12 package's files as unpacked in the cache
r=$work/6.12/result.json
if [ -s "$r" ]; then
	bz=$(jq -r .guest.kernel.bzimage "$r")
	"$SB" vm --kernel "$bz" --modules "${bz%/boot/*}" --kconfig "$(jq -r .guest.kernel.config "$r")" \
		--accel tcg --out "$work/bz" -q "$@" -- -t xfs -w splice.file-to-pipe --samples 2 \
		--warmup 0 --duration 0.05 --file-size 8m >/dev/null 2>"$work/bz.err"
	is "$?" 0 "a bzImage with --modules and --kconfig boots and runs"
	jq_ok "$work/bz/result.json" '.guest.kernel.source == "bzimage" and any(.guest.modules[]; .status == "shipped" and (.module | test("/xfs\\.ko"))) and .cells[0].status == "ok" and .cells[0].accounting.tier == "function"' \
		"... xfs loaded from the module tree, its cell ok with function probes"
else
	skip "no 6.12 result to take a bzImage from"
	skip "no 6.12 result"
fi

left=$(ls -d /var/tmp/splicebench-* 2>/dev/null; pgrep -f "qemu-system-x86_64.*$work" 2>/dev/null)
is "$left" "" "no work directory or qemu process left behind"
done_testing
