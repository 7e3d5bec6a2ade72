#!/bin/sh
# The case table of docs/stress.md, from the stressor registry
# (`splicebench stress list --json`), so the page cannot drift from the code.
#   sh scripts/stress-cases-md.sh            print the table
#   sh scripts/stress-cases-md.sh --update   rewrite it between the markers of docs/stress.md
# SPLICEBENCH= the binary (default build/splicebench). tests/cli/t_stress.sh
# checks that docs/stress.md holds exactly this output.
set -eu
SB=${SPLICEBENCH:-build/splicebench}
DOC=${DOC:-docs/stress.md}

table() {
	"$SB" stress list --json | jq -r '
	def esc: gsub("\\|"; "\\|");
	.stressors | group_by(.kind) | sort_by(
		{"conformance": 0, "race": 1, "soak": 2, "known-bug": 3}[.[0].kind]) | .[] |
	"\n### \(.[0].kind) (\(length))\n",
	"| case | checks | source | expected |",
	"|---|---|---|---|",
	(.[] | "| `\(.id)`\(if (.flags | length) > 0 then " (" + (.flags | join(", ")) + ")" else "" end) | \(.checks | esc) | \(.source | esc) | \(if .expect then "`" + .expect + "`" else "-" end) |")'
}

case "${1:-}" in
"") table ;;
--update)
	tmp=$(mktemp) && trap 'rm -f "$tmp" "$tmp.t"' EXIT
	table >"$tmp.t"
	awk -v t="$tmp.t" '
		/^<!-- cases:begin -->$/ { print; while ((getline l < t) > 0) print l; skip = 1; next }
		/^<!-- cases:end -->$/ { skip = 0 }
		!skip' "$DOC" >"$tmp"
	cat "$tmp" >"$DOC"
	;;
*) echo "stress-cases-md.sh: unknown argument '$1' (use --update or nothing)" >&2; exit 2 ;;
esac
