#!/bin/sh
# Every class of bad input: one line on stderr saying what and why with a usage
# hint, nothing on stdout, exit 2, and no file created.
. "${SB_TOP:-.}/tests/lib.sh"

work=$(mktemp -d /tmp/sb-t_badinput-XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT
cd "$work" || bail "cd"

check() { # check DESCRIPTION PATTERN ARGS...
	desc=$1; pat=$2; shift 2
	"$SB" "$@" >out.txt 2>err.txt
	st=$?
	is "$st" 2 "$desc: exit 2"
	is "$(wc -l <err.txt | tr -d ' ')" 1 "$desc: exactly one line on stderr"
	grep -q -- "$pat" err.txt; ok $? "$desc: says why ($(head -c 150 err.txt))"
	grep -q "see 'splicebench" err.txt; ok $? "$desc: usage hint"
	is "$(wc -c <out.txt | tr -d ' ')" 0 "$desc: nothing on stdout"
	rm -f out.txt err.txt
	is "$(ls -A)" "" "$desc: no files left"
}

check "unknown command" "unknown command 'frobnicate'" frobnicate
check "typo command" "did you mean 'run'" rnu
check "unknown option" "unknown option '--bogus'" run --bogus
check "unknown short option" "unknown option '-Z'" run -Z
check "malformed size" "unknown size suffix 'q'" run --chunk 64q
check "size out of range" "out of range (4k..1m)" run --chunk 2m
check "count out of range" "out of range (1..1000)" run --samples 0
check "duration out of range" "out of range" run --duration 0
check "not a number" "not a non-negative integer" run --samples ten
check "unknown workload" "unknown workload 'nosuch'" run -w nosuch
check "unknown file system" "unknown value 'ntfs'" run -t ntfs
check "bad enum" "unknown value 'maybe'" run --direct maybe
check "empty list item" "empty item" run --chunk 64k,,1m
check "missing value" "needs a value" run --samples
check "stray argument" "unexpected argument 'extra'" run extra
check "exclusive presets" "exclusive" run --quick --full
check "missing --dir" "No such file or directory" run --dir /nonexistent/sb-test
check "unwritable --out" "cannot write there" run --out /proc/sb-no/such -w rw.file-read
check "value for a flag" "option '--quick' takes no value" run --quick=1
check "unknown option with a value" "unknown option '--bogus=3'" run --bogus=3
check "hex duration" "not a duration" run --duration 0x10
check "exponent duration" "not a duration" run --duration 1e3
check "repeated target" "'ext4' given twice" run -t ext4,ext4
check "repeated chunk" "given twice" run --chunk 64k,65536
check "seed out of range" "out of range" run --seed 9223372036854775808
check "missing --scratch-root" "No such file or directory" run --scratch-root /nonexistent/sb-test
check "corruption hook without verification" "needs verification" run --inject-corruption --no-verify
mkdir -p full && echo '{}' >full/result.json
"$SB" run --out full -w rw.file-read >out.txt 2>err.txt
is $? 2 "an --out directory that holds a result.json: exit 2"
grep -q "already holds a result.json" err.txt; ok $? "says why: $(cat err.txt)"
is "$(cat full/result.json)" "{}" "the existing result is untouched"
rm -rf full out.txt err.txt
check "list extra argument" "unexpected argument" list extra
check "doctor unknown option" "unknown option" doctor --bogus
check "probe extra argument" "unexpected argument" probe extra
check "bad --probes" "unknown value 'sometimes'" run --probes sometimes
check "alternate with in-samples" "exclusive" run --probes-alternate --probes-in-samples
check "help unknown command" "unknown command 'nosuch'" help nosuch
done_testing
