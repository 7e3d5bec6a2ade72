#!/bin/sh
# Socket workloads over TCP and UDP, inside the run's private network
# namespace: every workload passes verification, a damaged byte is caught in
# both directions, UDP loss is counted (and agrees with the kernel's own
# counters), a peer that goes away fails its cell while the run goes on, and
# no namespace, interface or veth device is left after a normal run, an
# error, or SIGINT.
. "${SB_TOP:-.}/tests/lib.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (a private network namespace: unshare CLONE_NEWNET)"
command -v ip >/dev/null || skip_all "needs ip (iproute2) to list interfaces"

work=$(mktemp -d /var/tmp/sb-t_net-XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT

# what the host's network looks like: interfaces and named namespaces
net_state() {
	ip -o link show | awk -F': ' '{print $2}' | sort
	ip netns list 2>/dev/null
}
before=$(net_state)
host_ns="net:[$(stat -Lc %i /proc/self/ns/net)]"
quick="--duration 0.05 --samples 2 --warmup 0 --probes off --scratch-root $work"
all=splice.file-to-socket,splice.socket-to-pipe,sendfile.file-to-socket,vmsplice.user-to-socket
all=$all,zerocopy.user-to-socket,rw.file-to-socket,rw.user-to-socket,rw.socket-read

# 1. every socket workload, both protocols, verified
# shellcheck disable=SC2086
"$SB" run -q -t tcp,udp -w "$all" $quick --out "$work/all" >/dev/null
ok $? "all socket workloads over tcp and udp: exit 0"
r=$work/all/result.json
jq_ok "$r" '(.cells | length) == 16' "16 cells (8 workloads x tcp, udp)"
jq_ok "$r" 'all(.cells[]; .status == "ok" and .verify == "passed")' "every cell ok and verified"
jq_ok "$r" "all(.cells[]; .socket.netns != \"$host_ns\" and (.socket.netns | startswith(\"net:[\")))" \
	"every cell ran in a network namespace that is not the host's"
jq_ok "$r" 'all(.cells[]; .params.proto == .target and (.target == "tcp" or .target == "udp"))' \
	"target and params.proto name the protocol"
jq_ok "$r" 'all(.cells[] | select(.workload | test("^(splice|sendfile|rw)\\.file-to")); .params.fs == "tmpfs")' \
	"file legs name their file system (tmpfs by default)"
jq_ok "$r" 'all(.cells[] | select(.target == "tcp"); .verification.bytes >= 2 * .params.chunk)' \
	"tcp: bytes were checked"
jq_ok "$r" 'all(.cells[] | select(.target == "tcp" and .socket.peer == "receives"); .verification.bytes == .socket.peer_bytes)' \
	"tcp send side: the peer checked every byte it received"
jq_ok "$r" 'all(.cells[] | select(.target == "udp"); .socket.datagrams as $d | $d.received > 0 and $d.received + $d.lost == $d.sent)' \
	"udp: sent = received + lost in every cell"
jq_ok "$r" 'all(.cells[] | select(.target == "udp"); .socket.datagrams.lost == .socket.datagrams.kernel.rcvbuf_errors)' \
	"udp: the datagrams lost are the kernel's RcvbufErrors"
jq_ok "$r" 'all(.cells[] | select(.target == "udp") | .samples[]; .datagrams.sent >= .datagrams.received and .datagrams.intact_bytes == .bytes)' \
	"udp samples: throughput counts the intact bytes"
jq_ok "$r" 'all(.cells[] | select(.target == "udp"); .params.dgram_size == 8192)' "udp: datagram size recorded"
jq_ok "$r" 'all(.cells[] | select(.workload == "zerocopy.user-to-socket"); .socket.zerocopy.sends > 0 and .socket.zerocopy.completed == .socket.zerocopy.sends)' \
	"MSG_ZEROCOPY: every send's completion was read"
jq_ok "$r" 'all(.cells[] | select(.workload == "zerocopy.user-to-socket"); .socket.zerocopy.copied_ratio == 1)' \
	"MSG_ZEROCOPY over loopback: the completions say the kernel copied (deferred copy)"

# sinks user and file (tcp), file legs on ext4, every sample verified
# shellcheck disable=SC2086
"$SB" run -q -t tcp,udp -w splice.socket-to-pipe,sendfile.file-to-socket --sink user,file \
	--net-fs ext4 --verify --splice-flags nonblock $quick --out "$work/sinks" >/dev/null
ok $? "--sink user,file --net-fs ext4 --verify --splice-flags nonblock: exit 0"
r=$work/sinks/result.json
jq_ok "$r" '[.cells[].key] == ["splice.socket-to-pipe/tcp/64k/sink=user,nonblock", "splice.socket-to-pipe/tcp/64k/ext4,sink=file,nonblock", "splice.socket-to-pipe/udp/64k/sink=user,nonblock", "sendfile.file-to-socket/tcp/64k/ext4", "sendfile.file-to-socket/udp/64k/ext4"]' \
	"the cells: file sink for tcp only, once per --net-fs"
jq_ok "$r" 'all(.cells[]; .status == "ok" and .verify == "passed")' "all ok and verified"
jq_ok "$r" 'all(.cells[] | select(.target == "udp" and .socket.peer == "sends"); .socket.datagrams.reordered != null)' \
	"udp received into user memory: reordering is observed (a number)"

# --dir: the file leg and the file sink in the run's directory under PATH
mkdir -p "$work/d"
# shellcheck disable=SC2086
"$SB" run -q --dir "$work/d" -t tcp,udp -w splice.file-to-socket,splice.socket-to-pipe \
	--sink devnull,file $(echo $quick | sed 's/--scratch-root [^ ]*//') --out "$work/dir" >/dev/null
ok $? "--dir with -t tcp,udp: exit 0"
jq_ok "$work/dir/result.json" '(.cells | length) == 5 and all(.cells[]; .status == "ok" and .verify == "passed") and ([.cells[] | select(.params.fs == "dir")] | length) == 3' \
	"file legs and the tcp file sink in the --dir directory"
is "$(ls -A "$work/d")" "" "nothing left in the --dir directory"

# 2. a damaged byte is caught, sending and receiving, tcp and udp
# shellcheck disable=SC2086
"$SB" run -q -t tcp,udp -w splice.file-to-socket,rw.socket-read --inject-corruption $quick \
	--out "$work/corrupt" >/dev/null 2>"$work/corrupt.err"
is $? 1 "damaged data: exit 1"
r=$work/corrupt/result.json
jq_ok "$r" 'all(.cells[]; .status == "failed" and .verify == "failed" and (.reason | test("verification failed")))' \
	"every cell failed verification"
jq_ok "$r" 'all(.cells[]; .verification.mismatch.stream_offset == 65636)' \
	"the mismatch names its stream offset (second op, byte 100)"
jq_ok "$r" '[.cells[] | select(.socket.peer == "receives") | .reason] | all(test("receiving peer"))' \
	"the send side's damage is found by the receiving peer"

# 3. UDP loss: a receive buffer far too small for the burst
# shellcheck disable=SC2086
"$SB" run -q -t udp -w rw.user-to-socket,rw.socket-read --rcvbuf 4k $quick --out "$work/loss" >/dev/null
ok $? "udp with --rcvbuf 4k: exit 0 (loss is reported, not a failure)"
r=$work/loss/result.json
jq_ok "$r" 'all(.cells[]; .status == "ok" and .socket.datagrams.lost > 0 and .socket.datagrams.loss_ratio > 0)' \
	"loss counted in both directions"
jq_ok "$r" 'all(.cells[]; .socket.datagrams.kernel.rcvbuf_errors > 0)' \
	"the kernel's RcvbufErrors saw it too"
jq_ok "$r" 'all(.cells[]; .socket.rcvbuf < 65536)' "the small receive buffer is recorded"
"$SB" run -t udp -w rw.user-to-socket --rcvbuf 4k $quick --out "$work/loss-table" 2>/dev/null |
	grep -q '^rw.user-to-socket .* lost [0-9.]*% reord 0$'
ok $? "the table shows the loss"

# 4. a peer that goes away fails its cell; the run goes on
# shellcheck disable=SC2086
"$SB" run -q -t tcp,udp -w splice.file-to-socket,rw.socket-read --inject-peer-vanish $quick \
	--out "$work/vanish" >/dev/null 2>&1
is $? 1 "a vanished peer: exit 1"
r=$work/vanish/result.json
jq_ok "$r" '(.cells | length) == 4 and all(.cells[]; .status == "failed" and (.reason | test("peer")))' \
	"each of the four cells failed with a reason naming the peer"
jq_ok "$r" 'all(.cells[]; (.samples | length) == 1)' "each failed after its first sample"
# shellcheck disable=SC2086
timeout 60 "$SB" run -q -t udp -w splice.socket-to-pipe --splice-flags nonblock --inject-peer-vanish \
	$quick --out "$work/vanish-nb" >/dev/null 2>&1
is $? 1 "nonblock: a vanished UDP sender fails the cell within the bounds, no hang"

# --net veth: a second namespace and a veth pair between the two
# shellcheck disable=SC2086
"$SB" run -q -t tcp,udp --net veth -w splice.file-to-socket,rw.socket-read $quick \
	--out "$work/veth" >/dev/null
ok $? "--net veth: exit 0"
r=$work/veth/result.json
jq_ok "$r" 'all(.cells[]; .status == "ok" and .verify == "passed" and .params.net == "veth" and (.variant | startswith("veth")))' \
	"all ok and verified, keyed as veth"
jq_ok "$r" "all(.cells[]; .socket.server_netns != .socket.netns and .socket.server_netns != \"$host_ns\" and (.socket.path | test(\"192.0.2.2\")))" \
	"the server end is in a second private namespace, across the veth pair"
jq_ok "$r" 'all(.cells[] | select(.target == "udp"); .socket.datagrams.lost == .socket.datagrams.kernel.rcvbuf_errors and .socket.datagrams.kernel.in_datagrams >= .socket.datagrams.received)' \
	"udp over veth: loss and arrivals agree with both namespaces' kernel counters"
jq_ok "$r" 'all(.cells[] | select(.target == "udp" and .workload == "splice.file-to-socket"); .accounting.oracle.result == "by_reference" and (.accounting.oracle.evidence | test("InCsumErrors")) and .socket.datagrams.kernel.in_csum_errors == 1)' \
	"udp over veth: the oracle's changed page fails the receiver's checksum (by reference)"
is "$(net_state)" "$before" "after --net veth: no veth device or namespace on the host"

# 5. bad input
"$SB" run -t udp --dgram-size 70000 >/dev/null 2>"$work/err"
is $? 2 "--dgram-size 70000: exit 2"
grep -q "dgram-size.*65507" "$work/err"; ok $? "the error names the range"
is "$(wc -l <"$work/err")" 1 "one line"
"$SB" run -t udp --pipe-size 4k --dgram-size 8k >/dev/null 2>"$work/err"
is $? 2 "--pipe-size smaller than a datagram: exit 2"
# shellcheck disable=SC2086
"$SB" run -q -t udp -w rw.user-to-socket --chunk 4k,64k $quick --out "$work/small" >/dev/null
ok $? "chunks smaller than the datagram size run"
jq_ok "$work/small/result.json" '[.cells[].params.dgram_size] == [4096, 8192] and all(.cells[]; .status == "ok")' \
	"a 4k chunk is one 4k datagram, a 64k chunk eight of 8k"

# unprivileged: no namespace can be made, so the socket cells are skipped with the reason
if command -v setpriv >/dev/null; then
	chmod 0777 "$work"
	# shellcheck disable=SC2086
	setpriv --reuid=65534 --regid=65534 --clear-groups "$SB" run -q -t tcp,udp \
		-w rw.user-to-socket $quick --out "$work/nobody" >/dev/null 2>&1
	is $? 4 "unprivileged: exit 4 (every cell skipped)"
	jq_ok "$work/nobody/result.json" 'all(.cells[]; .status == "skipped" and (.reason | test("network namespace.*needs root")))' \
		"the reason says a network namespace needs root"
else
	skip "setpriv not found"
	skip "setpriv not found"
fi

# 6. SIGINT: the namespace lives as long as the run, and goes with it
# shellcheck disable=SC2086
"$SB" run -q -t tcp -w rw.user-to-socket --duration 0.5 --samples 50 --probes off --scratch-root "$work" \
	--out "$work/int" >/dev/null 2>&1 &
pid=$!
i=0
ns=""
while [ $i -lt 100 ]; do
	ns=$(stat -Lc %i "/proc/$pid/ns/net" 2>/dev/null)
	[ -n "$ns" ] && [ "net:[$ns]" != "$host_ns" ] && break
	sleep 0.05
	i=$((i + 1))
done
[ "net:[$ns]" != "$host_ns" ]; ok $? "the running run is in its own network namespace"
sleep 0.3
kill -INT $pid
wait $pid
is $? 130 "SIGINT: exit 130"
lsns -t net -n -o NS 2>/dev/null | grep -qx "$ns"
is $? 1 "SIGINT: its network namespace is gone"
is "$(net_state)" "$before" "no interface, veth device or named namespace left behind"
is "$(leftovers "$work")" "" "no mount, loop device or scratch directory left behind"
done_testing
