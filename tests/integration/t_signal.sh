#!/bin/sh
# SIGINT or SIGTERM mid-run: the run stops, writes a valid result with
# "interrupted": true and the cells it completed, exits 128+signal, and leaves
# no mount, loop device or scratch directory.
. "${SB_TOP:-.}/tests/lib.sh"
need_root

work=$(mktemp -d /var/tmp/sb-t_signal-XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT

# wait until the run has completed at least one cell and is inside another (bounded)
wait_mounted() {
	i=0
	while [ $i -lt 150 ]; do
		# the run works in a private mount namespace: look at its own mount table
		if grep -q "splicebench-.*/xfs " "/proc/$1/mounts" 2>/dev/null; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

for sig in INT TERM; do
	out=$work/out-$sig
	"$SB" run -q -t tmpfs,ext4,xfs -w rw.file-read,splice.file-to-pipe --duration 0.3 \
		--samples 10 --scratch-root "$work" --out "$out" >"$work/stdout" 2>"$work/stderr" &
	pid=$!
	wait_mounted $pid; ok $? "SIG$sig: the run reached the xfs cells"
	sleep 0.5
	kill -s "$sig" $pid
	wait $pid
	st=$?
	case $sig in INT) want=130 ;; TERM) want=143 ;; esac
	is "$st" "$want" "SIG$sig: exit status 128+signal"
	jq_ok "$out/result.json" '.run.interrupted == true' "SIG$sig: valid result marked interrupted"
	jq_ok "$out/result.json" '(.cells | length) >= 1 and (.cells | length) < .run.cells_planned' \
		"SIG$sig: holds the completed cells only"
	jq_ok "$out/result.json" 'all(.cells[]; .status == "ok" and .summary != null)' \
		"SIG$sig: every recorded cell is complete"
	is "$(leftovers "$work")" "" "SIG$sig: no mount, loop device or scratch directory left"
	is "$(ls -A "$out")" "result.json" "SIG$sig: no temporary file beside the result"
done
done_testing
