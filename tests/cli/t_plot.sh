#!/bin/sh
# plot on real result files (pipe cells: no root): a result and a comparison
# in png and svg, the kept .dat files and plot.gp redrawing the images,
# run --plot, labels that need quoting, cells left out, and the exit codes
# of bad input (2) and of a missing or failing gnuplot (3).
. "${SB_TOP:-.}/tests/lib.sh"

command -v gnuplot >/dev/null 2>&1 || skip_all "gnuplot not installed (gnuplot-nox)"
dir=$(mktemp -d /tmp/sb-t_plot-XXXXXX) || bail "mktemp"
trap 'rm -rf "$dir"' EXIT INT TERM

run() { # run OUTDIR: a small real result, one cell
	"$SB" run -q -t pipe -w vmsplice.user-to-pipe --gift off -n 5 -d 0.05 --warmup 1 -o "$1" >/dev/null
}
run "$dir/a"; ok $? "base run"
run "$dir/b"; ok $? "second run"
A=$dir/a/result.json
B=$dir/b/result.json

is_png() { [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ]; }
is_svg() { [ -s "$1" ] && grep -q '<svg' "$1"; }

# images_ok DIR EXT NAMES...: each DIR/NAME.EXT exists, is not empty, has the right magic
images_ok() {
	d=$1 ext=$2
	shift 2
	bad=
	for n in "$@"; do
		f=$d/$n.$ext
		if [ ! -s "$f" ]; then bad="$bad $n.$ext(missing)"; continue; fi
		case $ext in
		png) is_png "$f" || bad="$bad $n.png(no PNG magic)" ;;
		svg) is_svg "$f" || bad="$bad $n.svg(no <svg)" ;;
		esac
	done
	[ -z "$bad" ] || diag "bad images:$bad"
	[ -z "$bad" ]
}

# plot_is WANT DESCRIPTION ARGS...: exit status of plot, output kept in $dir/out, $dir/err
plot_is() {
	want=$1 desc=$2
	shift 2
	"$SB" plot "$@" > "$dir/out" 2> "$dir/err"
	st=$?
	is "$st" "$want" "$desc"
	[ "$st" = "$want" ] || { diag "stdout: $(cat "$dir/out")"; diag "stderr: $(cat "$dir/err")"; }
}

one_line_err() { # one_line_err DESCRIPTION: stderr is one 'splicebench: plot: ' line
	n=$(wc -l < "$dir/err")
	grep -q '^splicebench: plot: ' "$dir/err" && [ "$n" -eq 1 ]
	ok $? "$1"
	[ "$n" -eq 1 ] || diag "stderr: $(cat "$dir/err")"
}

SINGLE="throughput split latency"
CMP="cmp-bytes_per_sec cmp-cpu_sec_per_gib cmp-latency_p50_ns cmp-latency_p99_ns split"

# ---- one result, png
P=$dir/p1
plot_is 0 "plot RESULT --out DIR: exit 0" "$A" --out "$P"
images_ok "$P" png $SINGLE; ok $? "throughput, split and latency PNGs with PNG magic"
for n in $SINGLE; do [ -s "$P/$n.dat" ] || break; done
[ -s "$P/plot.gp" ] && [ -s "$P/$n.dat" ]; ok $? "plot.gp and the .dat files are kept"
is "$(cat "$dir/out")" "$(for n in $SINGLE; do echo "$P/$n.png"; done)" "stdout lists the images"
grep -q '^0 "vmsplice.user-to-pipe/pipe/64k" "pipe" ' "$P/throughput.dat"
ok $? "throughput.dat: a row per cell with its quoted key and target"
release=$(jq -r .host.kernel.release "$A")
grep -qF "kernel $release" "$P/plot.gp"; ok $? "the titles name the kernel release ($release)"
grep -q "GiB/s" "$P/plot.gp"; ok $? "throughput is drawn in GiB/s"
tier=$(jq -r '.cells[0].accounting.tier' "$A")
awk 'index($0, "#") != 1' "$P/split.dat" | grep -q "\"$tier\""
ok $? "split.dat labels each bar with its accounting tier ($tier)"
grep -q 'set logscale y' "$P/plot.gp"; ok $? "latency on a log scale"

# the kept script redraws the images, in either format
rm -f "$P"/*.png
(cd "$P" && gnuplot plot.gp) 2> "$dir/gp.err"; ok $? "cd DIR && gnuplot plot.gp: exit 0"
images_ok "$P" png $SINGLE; ok $? "... and it redraws the PNGs"
(cd "$P" && gnuplot -e "fmt='svg'" plot.gp) 2>> "$dir/gp.err"; ok $? "gnuplot -e fmt='svg' plot.gp"
images_ok "$P" svg $SINGLE; ok $? "... draws SVGs"
[ ! -s "$dir/gp.err" ]; ok $? "gnuplot printed no warning"
[ -s "$dir/gp.err" ] && diag "gnuplot: $(head -n 3 "$dir/gp.err")"

# ---- one result, svg; DIR's other files stay
P=$dir/p2
mkdir -p "$P" && echo mine > "$P/notes.txt"
plot_is 0 "plot --format svg: exit 0" -f svg "$A" -o "$P"
images_ok "$P" svg $SINGLE; ok $? "SVGs with <svg"
is "$(cat "$P/notes.txt")" mine "a file plot does not write is left alone"
grep -q "^if (!exists(\"fmt\")) fmt = 'svg'" "$P/plot.gp"; ok $? "plot.gp defaults to the format asked for"

# ---- a comparison with labels
P=$dir/c1
plot_is 0 "plot BASE NEW: exit 0" "before=$A" "after=$B" -o "$P"
images_ok "$P" png $CMP; ok $? "candlesticks per metric and the split, PNG"
for n in $CMP; do [ -s "$P/$n.dat" ] || break; done
[ -s "$P/$n.dat" ] && [ -s "$P/cmp-bytes_per_sec-samples.dat" ]; ok $? "stats and samples .dat files"
grep -q "with candlesticks whiskerbars" "$P/plot.gp" && grep -q "title 'before'" "$P/plot.gp" &&
	grep -q "title 'after'" "$P/plot.gp"
ok $? "candlesticks with whiskers, the labels in the legend"
nb=$(jq '[.cells[0].samples[].bytes_per_sec] | length' "$A")
got=$(awk '/^# index 0/ { on = 1; next } /^# index 1/ { on = 0 } on && NF == 3' \
	"$P/cmp-bytes_per_sec-samples.dat" | wc -l)
is "$got" "$nb" "every base sample is overlaid ($nb)"
want=$(jq '[.cells[0].samples[].bytes_per_sec] | sort | .[length/2|floor] / 1073741824' "$A")
got=$(awk '/^# index 0/ { on = 1; next } on && /^[0-9]/ { print $5; exit }' "$P/cmp-bytes_per_sec.dat")
awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; exit !(b > 0 && d < b * 1e-5 && -d < b * 1e-5) }'
ok $? "the base median in GiB/s matches the samples ($got ~ $want)"
rm -f "$P"/*.png
(cd "$P" && gnuplot plot.gp) 2>/dev/null; ok $? "the comparison's plot.gp redraws"
images_ok "$P" png $CMP; ok $? "... all of its images"
plot_is 0 "a comparison in svg" -f svg "$A" "$B" -o "$dir/c2"
images_ok "$dir/c2" svg $CMP; ok $? "comparison SVGs"

# ---- labels that need quoting in gnuplot and in .dat files
L="it's \"q\" #1 {a}_b^c @x \\ &"
plot_is 0 "a label with quotes, #, braces, backslash: exit 0" "$L=$A" "$L=$B" -o "$dir/c3"
images_ok "$dir/c3" png $CMP; ok $? "... images drawn"

# ---- cells not ok are left out, with a note
jq '.cells[0].status = "skipped" | .cells[0].reason = "test: skipped on purpose" | .cells[0].summary = null' \
	"$A" > "$dir/skip.json" || bail "jq"
jq '.cells += [.cells[0] | .key = "vmsplice.user-to-pipe/pipe/64k/other" | .params.pipe_size = 131072]' \
	"$A" > "$dir/two.json" || bail "jq"
jq '.cells[1].status = "failed" | .cells[1].reason = "test: failed on purpose" | .cells[1].summary = null' \
	"$dir/two.json" > "$dir/onebad.json" || bail "jq"
plot_is 0 "a result with a failed cell: exit 0" "$dir/onebad.json" -o "$dir/p3"
grep -q '^# left out: vmsplice.user-to-pipe/pipe/64k/other is failed in .*test: failed on purpose' \
	"$dir/p3/throughput.dat"
ok $? "the failed cell is left out, with a note"
[ "$(grep -c '^[0-9]' "$dir/p3/throughput.dat")" = 1 ]; ok $? "one bar left"
plot_is 2 "nothing to plot (the only cell skipped): exit 2" "$dir/skip.json" -o "$dir/p4"
one_line_err "... one line"
grep -q 'nothing to plot' "$dir/err"; ok $? "... saying there is nothing to plot"

# ---- default --out
cp "$A" "$dir/d.json"
plot_is 0 "without --out" "$dir/d.json"
images_ok "$dir/plots" png $SINGLE; ok $? "... draws into <RESULT dir>/plots"

# ---- bad input: exit 2, one line
plot_is 2 "a missing file: exit 2" "$dir/nope.json" -o "$dir/x"
one_line_err "... one line"
[ ! -e "$dir/x" ]; ok $? "... and no directory made"
plot_is 2 "no arguments: exit 2"
one_line_err "... one line"
plot_is 2 "three results: exit 2" "$A" "$B" "$A"
one_line_err "... one line"
plot_is 2 "--format gif: exit 2" -f gif "$A" -o "$dir/x"
one_line_err "... one line"
echo '{"schema": "splicebench.result/1"' > "$dir/broken.json"
plot_is 2 "truncated JSON: exit 2" "$dir/broken.json" -o "$dir/x"
one_line_err "... one line"
: > "$dir/afile"
plot_is 2 "--out names a file: exit 2" "$A" -o "$dir/afile"
one_line_err "... one line"

# ---- gnuplot missing or failing: exit 3
mkdir -p "$dir/empty" "$dir/fake"
PATH=$dir/empty "$SB" plot "$A" -o "$dir/nognuplot" > "$dir/out" 2> "$dir/err"
is $? 3 "gnuplot not in PATH: exit 3"
grep -q 'gnuplot not found (install gnuplot-nox)' "$dir/err"; ok $? "... saying so, with the package"
[ -s "$dir/nognuplot/plot.gp" ] && [ -s "$dir/nognuplot/throughput.dat" ]
ok $? "... after writing plot.gp and the .dat files"
(cd "$dir/nognuplot" && gnuplot plot.gp) && images_ok "$dir/nognuplot" png $SINGLE
ok $? "... which draw later with gnuplot"
printf '#!/bin/sh\necho "fake gnuplot: cannot draw today" >&2\nexit 1\n' > "$dir/fake/gnuplot"
chmod +x "$dir/fake/gnuplot"
PATH=$dir/fake "$SB" plot "$A" -o "$dir/failing" > "$dir/out" 2> "$dir/err"
is $? 3 "gnuplot failing: exit 3"
grep -q 'gnuplot failed (exit 1): fake gnuplot: cannot draw today' "$dir/err"
ok $? "... showing its first error line"

# ---- run --plot
"$SB" run -q -t pipe -w vmsplice.user-to-pipe --gift off -n 3 -d 0.05 --warmup 0 -o "$dir/r" \
	--plot > "$dir/out" 2> "$dir/err"
is $? 0 "run --plot: exit 0"
grep -qx "plots: $dir/r/plots" "$dir/out"; ok $? "run --plot prints 'plots: DIR'"
images_ok "$dir/r/plots" png $SINGLE; ok $? "... where the images are"
PATH=$dir/empty "$SB" run -q -t pipe -w vmsplice.user-to-pipe --gift off -n 2 -d 0.05 \
	--warmup 0 -o "$dir/r2" --plot > "$dir/out" 2> "$dir/err"
is $? 0 "run --plot without gnuplot: still exit 0"
grep -q 'warning: run: --plot: gnuplot not found' "$dir/err"; ok $? "... with a warning"
[ -s "$dir/r2/result.json" ]; ok $? "... and the result written"
"$SB" run --help | grep -q -- '--plot'; ok $? "run --help documents --plot"

done_testing
