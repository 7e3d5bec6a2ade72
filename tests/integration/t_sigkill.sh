#!/bin/sh
# After a SIGKILL the kernel drops the run's mounts with its private mount
# namespace; the next run finds the stale scratch directory by its owner marker
# and removes it, and never touches a directory it did not create.
. "${SB_TOP:-.}/tests/lib.sh"
need_root

work=$(mktemp -d /var/tmp/sb-t_sigkill-XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT
mkdir "$work/splicebench-foreign"          # no marker: not ours
echo keep >"$work/splicebench-foreign/file"
echo keep >"$work/unrelated"

"$SB" run -q -t ext4,xfs -w rw.file-read --duration 1 --samples 20 --scratch-root "$work" \
	--out "$work/out" >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 150 ] && ! grep -q "splicebench-.*/ext4 " "/proc/$pid/mounts" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
ok $((i >= 150)) "the run mounted its file systems"
kill -KILL $pid
wait $pid 2>/dev/null
stale=$(ls -d "$work"/splicebench-?????? 2>/dev/null | grep -v foreign)
[ -n "$stale" ]; ok $? "SIGKILL leaves the scratch directory ($stale)"
[ -e "$stale/.splicebench-owner" ]; ok $? "with its owner marker"
# the namespace is gone with the process: its mounts and loop devices go too
i=0
while [ $i -lt 50 ] && [ -n "$(leftovers "$work" | grep -v -e foreign -e "^$stale\$")" ]; do sleep 0.1; i=$((i + 1)); done
is "$(leftovers "$work" | grep -v -e foreign -e "^$stale\$")" "" "no mount or loop device survives the SIGKILL"

"$SB" run -q -t tmpfs -w rw.file-read --duration 0.02 --samples 1 --warmup 0 \
	--scratch-root "$work" --out "$work/out2" >"$work/stdout" 2>"$work/stderr"
is $? 0 "the next run succeeds"
[ ! -e "$stale" ]; ok $? "and removed the stale directory"
is "$(cat "$work/splicebench-foreign/file")" "keep" "a directory without a marker is untouched"
is "$(cat "$work/unrelated")" "keep" "unrelated files are untouched"
is "$(leftovers "$work" | grep -v foreign)" "" "nothing of ours left"

# An owner in another pid namespace: its marker names a pid that means nothing
# out here, but it holds the marker's lock, so a second run leaves it alone.
if unshare --help 2>/dev/null | grep -q -- --mount-proc; then
	unshare -p -f --mount-proc "$SB" run -q -t ext4 -w rw.file-read --duration 1 --samples 4 \
		--scratch-root "$work" --out "$work/ns" >/dev/null 2>&1 &
	nspid=$!
	i=0
	while [ $i -lt 150 ] && ! ls "$work"/splicebench-??????/ext4.img >/dev/null 2>&1; do
		sleep 0.1
		i=$((i + 1))
	done
	nsdir=$(ls -d "$work"/splicebench-?????? 2>/dev/null | grep -v foreign)
	[ -n "$nsdir" ]; ok $? "a run in its own pid namespace made $nsdir"
	"$SB" run -q -t tmpfs -w rw.file-read --duration 0.02 --samples 1 --warmup 0 \
		--scratch-root "$work" --out "$work/out3" >/dev/null 2>&1
	[ -d "$nsdir" ]; ok $? "a second run left the live run's directory alone"
	wait $nspid
	is $? 0 "and the first run completed"
	jq_ok "$work/ns/result.json" '.cells[0].status == "ok"' "with its cell ok"
else
	skip "unshare --mount-proc not available"
fi

# doctor makes trial file systems; a signal meanwhile must not leave them
# (a slow mkfs.xfs on PATH makes sure the signal lands during the checks)
mkdir "$work/slowbin"
printf '#!/bin/sh\nsleep 2\nexec %s "$@"\n' "$(command -v mkfs.xfs)" >"$work/slowbin/mkfs.xfs"
chmod +x "$work/slowbin/mkfs.xfs"
PATH="$work/slowbin:$PATH" "$SB" doctor --scratch-root "$work" >/dev/null 2>&1 &
dpid=$!
sleep 1
kill -TERM $dpid
wait $dpid
is $? 143 "doctor stopped by SIGTERM"
is "$(leftovers "$work" | grep -v foreign)" "" "doctor left nothing behind"
rm -rf "$work/slowbin"
done_testing
