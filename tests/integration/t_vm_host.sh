#!/bin/sh
# The kernel lab's host side, with a fake qemu (tests/tools/fake-qemu.sh):
# command lines per accelerator, the result frames, and every way a boot can
# go wrong (qemu fails, no boot, hang, panic, kernel warning, no or corrupt
# result, a signal) -> exit status, reason, nothing left running or on disk.
. "${SB_TOP:-.}/tests/lib.sh"

B=${SB_BUILD:-build}
tool=$B/tests/tools/sb-vmtest
fake=${SB_TOP:-.}/tests/tools/fake-qemu.sh
[ -x "$tool" ] || bail "no $tool (make)"
[ -x "$B/splicebench-static" ] || bail "no static agent (make static)"

work=$(mktemp -d /var/tmp/sb-t_vm_host-XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT
export FAKE_QEMU_DIR="$work/fake"
mkdir -p "$FAKE_QEMU_DIR"
"$tool" bzimage "$work/bzImage" 6.1.0-test || bail "sb-vmtest bzimage"
before=$(ls -d /var/tmp/splicebench-* 2>/dev/null)

# the guest's frames: agent.json, result.json, exit status
echo '{"run_rc":0}' >"$work/agent.json"
echo '{"schema":"splicebench.result/1","run":{},"cells":[]}' >"$work/result.json"
frames() { # frames RC [bad]: write $FAKE_QEMU_DIR/frames
	{
		"$tool" frame agent.json "$work/agent.json"
		"$tool" ${2:-frame} result.json "$work/result.json"
		"$tool" exit "$1"
	} >"$FAKE_QEMU_DIR/frames"
}

n=0
vm() { # vm MODE [vm options]: run against the fake qemu; $out, $rc, $err
	mode=$1
	shift
	n=$((n + 1))
	out=$work/o$n
	FAKE_QEMU_MODE=$mode "$SB" vm --kernel "$work/bzImage" --qemu "$fake" \
		--agent "$B/splicebench-static" --cache "$work/cache" --out "$out" -q "$@" \
		-- -t pipe -w vmsplice.user-to-pipe >"$work/stdout" 2>"$work/stderr"
	rc=$?
	err=$(cat "$work/stderr")
}

frames 0
vm ok --accel tcg
is "$rc" 0 "a guest that reports exit 0: exit 0"
jq_ok "$out/result.json" '.guest.status == "ok" and .guest.accel == "tcg" and .guest.accel_requested == "tcg" and .guest.kernel.release == "6.1.0-test" and .guest.run_rc == 0' \
	"result.json has the guest block (status, accelerator, kernel release)"
jq_ok "$out/result.json" '.guest.kernel.bzimage_sha256 | test("^[0-9a-f]{64}$")' \
	"the image's sha256 is recorded"
jq_ok "$out/result.json" '.guest.agent.run_rc == 0 and (.guest.vm_host | type) == "object"' \
	"the agent's report and the host the VM ran on"
[ -s "$out/console.log" ]
ok $? "console.log kept next to it"
grep -qx 'tcg,thread=single' "$FAKE_QEMU_DIR/argv.txt" && grep -qx -- '-no-reboot' "$FAKE_QEMU_DIR/argv.txt" &&
	grep -q 'panic=-1 oops=panic' "$FAKE_QEMU_DIR/argv.txt" && grep -qx -- '-initrd' "$FAKE_QEMU_DIR/argv.txt"
ok $? "tcg command line: single-threaded TCG, -no-reboot, panic=-1 oops=panic, an initrd"
! grep -q 'if=virtio' "$FAKE_QEMU_DIR/argv.txt"
ok $? "no disks when the matrix has no ext4/xfs cells"

vm ok --accel icount
is "$rc" 0 "icount: exit 0"
grep -qx 'shift=0,sleep=off,align=off' "$FAKE_QEMU_DIR/argv.txt" &&
	grep -A1 -x -- '-smp' "$FAKE_QEMU_DIR/argv.txt" | grep -qx 1
ok $? "icount command line: -icount shift=0,sleep=off,align=off, one vCPU"
jq_ok "$out/result.json" '.guest.accel == "icount" and .guest.smp == 1 and (.guest.timing | test("deterministic"))' \
	"the guest block says icount timings are a deterministic instruction count"

vm ok
is "$rc" 0 "--accel auto: exit 0"
jq_ok "$out/result.json" '.guest.accel_requested == "auto" and ((.guest.accel == "kvm" and .guest.accel_fallback_reason == null) or (.guest.accel == "tcg" and (.guest.accel_fallback_reason | type) == "string"))' \
	"auto: kvm, or tcg with the reason kvm was not used"

vm fail --accel tcg
is "$rc" 2 "qemu fails to start: exit 2"
case "$err" in *"could not load kernel"*) ok 0 "... with qemu's own message" ;;
*) ok 1 "... with qemu's own message"; diag "$err" ;; esac
[ ! -e "$out/result.json" ] && jq -e '.guest.status == "trouble"' "$out/vm.json" >/dev/null
ok $? "no result.json; vm.json says trouble"
grep -q "could not load kernel" "$out/qemu.log"
ok $? "qemu's own output kept as qemu.log"

t0=$(date +%s)
vm noboot --accel tcg --boot-timeout 2
t1=$(date +%s)
is "$rc" 2 "no boot marker: exit 2"
case "$err" in *"boot timeout"*) ok 0 "... reason: boot timeout" ;; *) ok 1 "boot timeout"; diag "$err" ;; esac
[ $((t1 - t0)) -lt 20 ]
ok $? "stopped at the boot deadline ($((t1 - t0)) s)"

vm hang --accel tcg --timeout 10
is "$rc" 2 "a guest that never finishes: exit 2"
case "$err" in *"run timeout"*) ok 0 "... reason: run timeout" ;; *) ok 1 "run timeout"; diag "$err" ;; esac

vm panic --accel tcg
is "$rc" 2 "a kernel panic: exit 2"
case "$err" in *"kernel panic"*) ok 0 "... reason names the panic" ;; *) ok 1 "panic"; diag "$err" ;; esac

vm earlypanic --accel tcg
is "$rc" 2 "a panic before the boot marker: exit 2"
case "$err" in *"kernel panic: Kernel panic - not syncing: VFS"*) ok 0 "... the panic is the reason, not 'exited before booting'" ;;
*) ok 1 "early panic reason"; diag "$err" ;; esac

vm warning --accel tcg
is "$rc" 1 "a kernel WARNING during the run: exit 1"
jq_ok "$out/result.json" '.guest.status == "failed" and (.guest.console_findings[0] | startswith("WARNING:"))' \
	"the result is kept and the warning is in console_findings"

vm noresult --accel tcg
is "$rc" 2 "no result frame: exit 2"
case "$err" in *"no result.json"*) ok 0 "... reason: no result" ;; *) ok 1 "no result"; diag "$err" ;; esac

frames 0 badframe
vm ok --accel tcg
is "$rc" 2 "a corrupted result frame: exit 2"
case "$err" in *"crc32"*|*"CRC"*) ok 0 "... reason: the CRC" ;; *) ok 1 "crc"; diag "$err" ;; esac

vm killed --accel tcg
is "$rc" 2 "qemu killed after the boot: exit 2"
case "$err" in *"killed by signal 9"*) ok 0 "... the reason names the signal" ;;
*) ok 1 "killed"; diag "$err" ;; esac
jq_ok "$out/vm.json" '.guest.qemu_exit.signal == 9' "... and vm.json records qemu's end"

frames 1
vm ok --accel tcg
is "$rc" 1 "the guest's run failed (exit 1): exit 1"

# a signal while the guest runs: qemu is stopped, nothing is left
frames 0
FAKE_QEMU_MODE=hang "$SB" vm --kernel "$work/bzImage" --qemu "$fake" --agent "$B/splicebench-static" \
	--cache "$work/cache" --out "$work/sig" -q --accel tcg -- -t pipe -w vmsplice.user-to-pipe \
	>/dev/null 2>&1 &
pid=$!
i=0
while [ ! -s "$FAKE_QEMU_DIR/argv.txt" ] || ! pgrep -P "$pid" >/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1
done
rm -f "$FAKE_QEMU_DIR/argv.txt"
sleep 0.5
child=$(pgrep -P "$pid")
kill -TERM "$pid"
wait "$pid"
is "$?" 143 "SIGTERM during the run: exit 128+15"
[ -n "$child" ] && ! kill -0 "$child" 2>/dev/null
ok $? "qemu (pid ${child:-none}) is gone"

# vm ab: boots in abba order, each side's boots merged into one result
"$SB" run -q -t pipe -w vmsplice.user-to-pipe --samples 2 --warmup 0 --duration 0.02 \
	--out "$work/hostrun" >/dev/null 2>&1 || bail "a host run to use as the guest's result"
cp "$work/hostrun/result.json" "$work/result.json"
frames 0
FAKE_QEMU_MODE=ok "$SB" vm ab --a "$work/bzImage" --b "$work/bzImage" --boots 2 --qemu "$fake" \
	--agent "$B/splicebench-static" --cache "$work/cache" --accel tcg --out "$work/ab" -q \
	-- -t pipe -w vmsplice.user-to-pipe >"$work/stdout" 2>"$work/stderr"
is "$?" 0 "vm ab: exit 0 when every boot succeeded"
jq_ok "$work/ab/a.json" '[.vm_ab.boots[].slot] == [0, 3] and .vm_ab.order == "abba"' \
	"vm ab: a booted in slots 0 and 3 (a b b a)"
jq_ok "$work/ab/b.json" '[.vm_ab.boots[].slot] == [1, 2]' "vm ab: b in slots 1 and 2"
ns=$(jq '.cells[0].samples | length' "$work/hostrun/result.json")
jq_ok "$work/ab/a.json" "all(.cells[]; (.samples | length) == 2 * $ns and ([.samples[].boot] | unique) == [1, 2] and .summary.bytes_per_sec.n == 2 * $ns)" \
	"vm ab: a.json holds the samples of both boots, tagged, summarized together"
[ -s "$work/ab/a/boot-1/result.json" ] && [ -s "$work/ab/b/boot-2/result.json" ]
ok $? "vm ab: each boot's own result kept"
FAKE_QEMU_MODE=panic "$SB" vm ab --a "$work/bzImage" --b "$work/bzImage" --boots 1 --qemu "$fake" \
	--agent "$B/splicebench-static" --cache "$work/cache" --accel tcg --out "$work/ab2" -q \
	-- -t pipe -w vmsplice.user-to-pipe >/dev/null 2>&1
is "$?" 2 "vm ab: a boot in trouble makes it exit 2"

"$SB" vm ab --a "$work/bzImage" --b "$work/bzImage" --boots 2 --qemu /nonexistent/qemu \
	--agent "$B/splicebench-static" --cache "$work/cache" --out "$work/ab3" -q -- -t pipe \
	>/dev/null 2>"$work/e"
r=$?
[ "$r" -eq 3 ] && [ "$(wc -l <"$work/e")" -eq 1 ] && [ ! -d "$work/ab3/b" ]
ok $? "vm ab without qemu: exit 3 once, no further boots ($(head -c 100 "$work/e"))"

"$SB" vm ab --a "$work/bzImage" --b "$work/nope" --qemu "$fake" --agent "$B/splicebench-static" \
	--cache "$work/cache" --out "$work/ab4" -q -- -t pipe >/dev/null 2>"$work/e"
r=$?
[ "$r" -eq 2 ] && [ "$(wc -l <"$work/e")" -eq 1 ] && [ ! -d "$work/ab4" ]
ok $? "vm ab with a bad --b: exit 2 before any boot ($(head -c 100 "$work/e"))"

# every passed-on option at once (the argv of each boot must hold them all)
mkdir -p "$work/mods/kernel"
frames 0
FAKE_QEMU_MODE=ok "$SB" vm ab --a "$work/bzImage" --b "$work/bzImage" --boots 1 --qemu "$fake" \
	--agent "$B/splicebench-static" --cache "$work/cache" --accel tcg --mem 512 --smp 1 \
	--timeout 60 --boot-timeout 30 --modules-a "$work/mods" --modules-b "$work/mods" --kconfig-a /dev/null \
	--kconfig-b /dev/null --debug-boot -v -q --out "$work/ab5" \
	-- -t pipe -w vmsplice.user-to-pipe --samples 2 --warmup 0 >/dev/null 2>"$work/e"
r=$?
[ "$r" -eq 0 ] && [ -s "$work/ab5/a/boot-1/result.json" ] && [ -s "$work/ab5/b/boot-1/result.json" ]
ok $? "vm ab with every option passed on runs its boots (exit $r$(tail -n1 "$work/e" | head -c 100))"
rm -f "$work/ab/a.json" "$work/ab/b.json"
"$SB" vm ab --a "$work/bzImage" --b "$work/bzImage" --qemu "$fake" --agent "$B/splicebench-static" \
	--cache "$work/cache" --out "$work/ab" -q -- -t pipe >/dev/null 2>"$work/e"
r=$?
[ "$r" -eq 2 ] && grep -q "boots of another run" "$work/e"
ok $? "vm ab refuses an --out holding another run's boots ($(head -c 100 "$work/e"))"
mkdir -p "$work/c,d" && cp "$work/bzImage" "$work/c,d/bz"

# bad input: one line, exit 2
for args in "--kernel $work/nope" "--kernel /etc/hostname" "--kernel debian:six" "--kernel $work/bzImage --mem 1" \
	"--kernel $work/bzImage -- --out /tmp/x" "--kernel $work/bzImage -- --bogus" "" "ab --a $work/bzImage" "--kernel $work/c,d/bz"; do
	# shellcheck disable=SC2086
	"$SB" vm --qemu "$fake" --agent "$B/splicebench-static" --cache "$work/cache" $args >/dev/null 2>"$work/e"
	r=$?
	lines=$(wc -l <"$work/e")
	[ "$r" -eq 2 ] && [ "$lines" -eq 1 ]
	ok $? "vm $args: exit 2 with one line ($(head -c 120 "$work/e"))"
done

if [ -e /sys/module/kvm_pvm ]; then
	"$SB" vm --kernel "$work/bzImage" --qemu "$fake" --agent "$B/splicebench-static" \
		--cache "$work/cache" --accel kvm -- -t pipe >/dev/null 2>"$work/e"
	r=$?
	[ "$r" -eq 3 ] && grep -q "PVM" "$work/e"
	ok $? "--accel kvm on a PVM host: exit 3, saying why ($(head -c 100 "$work/e"))"
else
	skip "/dev/kvm is not PVM here"
fi

after=$(ls -d /var/tmp/splicebench-* 2>/dev/null)
is "$after" "$before" "no work directory left behind"
done_testing
