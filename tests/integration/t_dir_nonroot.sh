#!/bin/sh
# --dir: the run works in a new marked subdirectory of an existing directory,
# records the detected file system type, and removes only that subdirectory.
# Not root: creating file systems is skipped with a reason, the rest still runs.
. "${SB_TOP:-.}/tests/lib.sh"

work=$(mktemp -d /tmp/sb-t_dir-XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT
chmod 0777 "$work"
echo keep >"$work/existing"
want=$(stat -f -c %T "$work")

"$SB" run -q --dir "$work" -w rw.file-read,splice.file-to-pipe --duration 0.02 --samples 1 \
	--warmup 0 --out "$work/out" >/dev/null 2>"$work/err"
is $? 0 "--dir run exits 0"
r=$work/out/result.json
jq_ok "$r" '(.cells | length) == 2 and all(.cells[]; .status == "ok" and .verify == "passed")' \
	"both cells ran and verified in --dir"
jq_ok "$r" '.run.scratch.mode == "dir"' "scratch mode recorded as dir"
t=$(jq -r '.cells[0].target' "$r")
case "$want" in
ext2/ext3) want=ext4 ;;
esac
diag "detected '$t', stat -f says '$want'"
[ "$t" = "$want" ] || [ "$want" = "ext2/ext3" ] || { [ "$want" = "overlayfs" ] && [ "$t" = "overlay" ]; }
ok $? "the target is the detected file system type"
is "$(ls -A "$work" | sort | tr '\n' ' ')" "err existing out " "only the run's subdirectory was removed"

if [ "$(id -u)" -eq 0 ]; then
	# a --dir without room for the files: an environment error before anything runs
	mkdir "$work/small"
	mount -t tmpfs -o size=8m sb-test-small "$work/small" || bail "mount"
	"$SB" run -q --dir "$work/small" -w rw.file-read --out "$work/small-out" >/dev/null \
		2>"$work/err3"
	is $? 3 "--dir with too little space exits 3"
	grep -q "MiB free, the run needs" "$work/err3"; ok $? "says why: $(cat "$work/err3")"
	is "$(ls -A "$work/small")" "" "and creates nothing there"
	umount "$work/small"
	rm -f "$work/err3"
	rmdir "$work/small"
fi

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	skip "non-root case needs root to switch to an unprivileged user"
	done_testing
	exit $?
fi
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
$nobody "$SB" run -q -t tmpfs,ext4,pipe -w rw.file-read,vmsplice.pipe-to-user --duration 0.02 \
	--samples 1 --warmup 0 --scratch-root "$work" --out "$work/nr" >/dev/null 2>"$work/err2"
is $? 0 "unprivileged run exits 0 (skips are not failures)"
r=$work/nr/result.json
jq_ok "$r" 'all(.cells[] | select(.target == "tmpfs" or .target == "ext4"); .status == "skipped" and (.reason | test("needs root")))' \
	"file systems skipped with the reason"
jq_ok "$r" 'any(.cells[]; .target == "pipe" and .status == "ok")' "pipe workloads still run"
$nobody "$SB" run -q -t tmpfs -w rw.file-read --duration 0.02 --samples 1 --warmup 0 \
	--scratch-root "$work" --out "$work/nr2" >/dev/null 2>&1
is $? 4 "an unprivileged run where everything is skipped exits 4"
$nobody "$SB" run -q --dir "$work" -w rw.file-read --duration 0.02 --samples 1 --warmup 0 \
	--out "$work/nr3" >/dev/null 2>&1
is $? 0 "an unprivileged --dir run works"
is "$(leftovers "$work")" "" "nothing left behind"
done_testing
