#!/bin/sh
# Every file workload really runs on tmpfs, ext4 and xfs, buffered and O_DIRECT,
# with verification; the result file has what the schema promises; nothing is
# left behind.
. "${SB_TOP:-.}/tests/lib.sh"
need_root

work=$(mktemp -d /var/tmp/sb-t_run_fs-XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT
r=$work/out/result.json

"$SB" run -q -t tmpfs,ext4,xfs -w splice,sendfile,rw,copy-file-range --direct both --cache warm,cold \
	--duration 0.03 --samples 2 --warmup 0 --scratch-root "$work" --out "$work/out" \
	>"$work/stdout" 2>"$work/stderr"
st=$?
is "$st" 0 "run over every file workload, fs and O_DIRECT mode exits 0"
[ "$st" -eq 0 ] || diag "$(cat "$work/stderr")"
jq_ok "$r" '.schema == "splicebench.result/1"' "schema"
jq_ok "$r" '.tool.version and .tool.git_commit and .tool.cflags != null' "tool block"
jq_ok "$r" '.host.kernel.release and .host.cpu.online > 0 and .host.memory_bytes > 0' "host block"
jq_ok "$r" '.host | has("mitigations") and has("cpufreq_governor") and has("thp") and has("pipe_max_size") and has("lockdown") and has("cmdline")' \
	"host has mitigations, governor, THP, pipe-max-size, lockdown, cmdline"
jq_ok "$r" '.run.argv[0] and .run.start_utc and .run.end_utc and (.run.seed | type) == "number" and .run.interrupted == false' \
	"run block"
for fs in tmpfs ext4 xfs; do
	for w in splice.file-to-pipe splice.pipe-to-file splice.file-to-file sendfile.file-to-file \
		rw.file-to-file rw.file-read copy-file-range.file-to-file; do
		jq_ok "$r" "any(.cells[]; .workload == \"$w\" and .target == \"$fs\" and .params.direct == \"off\" and .status == \"ok\" and .verify == \"passed\")" \
			"$w on $fs: ok, verified"
	done
done
for fs in ext4 xfs; do
	jq_ok "$r" "[.cells[] | select(.target == \"$fs\" and .params.direct == \"on\")] | length == 7 and all(.status == \"ok\" and .verify == \"passed\")" \
		"7 aligned O_DIRECT cells on $fs, all ok and verified"
	jq_ok "$r" "any(.cells[]; .target == \"$fs\" and .params.direct == \"misaligned\" and .params.misalign_bytes == 256 and (.status == \"ok\" or (.status == \"skipped\" and (.reason | test(\"misaligned O_DIRECT\")))))" \
		"the misaligned O_DIRECT case on $fs is reported as such"
	jq_ok "$r" "all(.cells[] | select(.target == \"$fs\" and .params.direct != \"off\"); .dio_align.offset > 0)" \
		"O_DIRECT cells on $fs record the DIO alignment"
done
jq_ok "$r" 'all(.cells[] | select(.status == "ok"); (.samples | length) == 2 and .summary.bytes_per_sec.median > 0 and .summary.latency_ns.p99 > 0 and .summary.cpu_sec_per_gib.median > 0)' \
	"ok cells have raw samples and a summary"
jq_ok "$r" 'all(.cells[] | select(.status == "ok") | .samples[]; .bytes > 0 and .wall_ns > 0 and .syscalls >= .ops and (.perf | has("task-clock")))' \
	"samples have bytes, wall time, syscalls and perf counters"
jq_ok "$r" 'all(.cells[] | select(.status == "ok"); .verification.bytes >= .params.file_size - 256 and (.verification.xxh3_digest | length) == 16)' \
	"the verification pass covered the whole file"
jq_ok "$r" 'all(.cells[] | select(.status == "ok") | .samples[]; .clock_overhead_estimate < 0.01)' \
	"estimated clock overhead under 1% in every sample"
jq_ok "$r" 'all(.cells[] | select(.status == "ok") | .samples[]; .latency_ns.timed_ops > 0 and .latency_ns.timed_ops * .latency_ns.every >= .ops and .cpu_ns > 0)' \
	"every sample timed single ops (one in every batch) and thread CPU time"
jq_ok "$r" 'all(.cells[] | select(.status == "ok"); .verification.final_pass_ns > 0)' \
	"every ok cell was verified again after its samples"
for fs in ext4 xfs; do
	jq_ok "$r" "[.cells[] | select(.target == \"$fs\" and .params.cache == \"cold\")] | length == 6 and all(.status == \"ok\" and all(.samples[]; .cache_resident_after_drop <= 0.01))" \
		"cold cells on $fs start with the source out of the page cache"
done
jq_ok "$r" '[.cells[] | select(.target == "tmpfs" and .params.cache == "cold")] | length == 0' \
	"no cold cells on tmpfs (its pages cannot be dropped)"
jq_ok "$r" 'all(.cells[]; .perf_counters | length == 6)' "perf counter status in every cell"
jq_ok "$r" 'all(.cells[].perf_counters[]; .available or (.reason | length) > 0)' \
	"an unavailable counter has a reason"
jq_ok "$r" '[.run.scratch.filesystems[].fs] | sort == ["ext4","tmpfs","xfs"]' \
	"scratch file systems recorded"
jq_ok "$r" 'all(.cells[] | select(.target == "ext4" or .target == "xfs"); .fs.device | startswith("/dev/loop"))' \
	"ext4 and xfs cells ran on loop devices"
grep -q "results: $r" "$work/stdout"; ok $? "stdout points at the result file"
is "$(leftovers "$work")" "" "no mount, loop device or scratch directory left"
done_testing
