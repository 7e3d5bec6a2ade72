#!/bin/sh
# Every command has --help; the top level lists the commands.
. "${SB_TOP:-.}/tests/lib.sh"

out=$("$SB" --help); ok $? "--help exits 0"
for c in run list doctor probe version help; do
	echo "$out" | grep -q "^  $c " ; ok $? "--help lists '$c'"
done
for c in run list doctor probe version; do
	o=$("$SB" "$c" --help); ok $? "$c --help exits 0"
	echo "$o" | grep -q "^usage: splicebench $c"; ok $? "$c --help prints its usage"
	o2=$("$SB" help "$c"); is "$o2" "$o" "help $c is the same as $c --help"
done
"$SB" >/dev/null 2>&1; is $? 2 "no command exits 2"
o=$("$SB" run --help)
for opt in --workload --target --chunk --duration --samples --warmup --verify --out --json \
	--quick --full --dir --sink --direct; do
	echo "$o" | grep -q -- "$opt"; ok $? "run --help documents $opt"
done
echo "$o" | grep -q -- "--inject-corruption"; ok $((! $?)) "test hooks are hidden from help"
done_testing
