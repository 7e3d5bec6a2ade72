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
done_testing
