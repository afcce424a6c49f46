#!/usr/bin/env bash
# The README's option lists and `lbsim --help` agree: the same commands,
# the same options with the same short letters and argument names, both
# ways; every option of the README's plan table is one --help knows, with
# the same argument; every option --help lists is accepted by the parser.
# Usage: cli_help.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

"$lbsim" --help >"$tmp/help" || { echo "FAILED: --help"; exit 1; }
readme=$src/README.md

# Option lines as "short long argument" (short "-" when there is none):
# "  -o, --output DIR   ..." or "      --strict   ...".
options() {
  sed -n -E 's/^ {2}(-([A-Za-z]), | {4})--([a-z0-9-]+)( ([^ ]+))?( .*)?$/\2|\3|\5/p' |
    awk -F'|' '{ printf "%s %s %s\n", ($1 == "" ? "-" : $1), $2, $3 }' | sed 's/ *$//' | sort -u
}
# The README's usage block: the first fenced block after "## Using lbsim".
awk '/^## Using lbsim/ { on = 1; next } on && /^```/ { if (inblock) exit; inblock = 1; next }
     inblock { print }' "$readme" >"$tmp/usage"

options <"$tmp/help" >"$tmp/help.opts"
options <"$tmp/usage" >"$tmp/readme.opts"
check "--help lists options" bash -c "[ \$(wc -l <'$tmp/help.opts') -ge 25 ]"
check "the README lists every option of --help, with its letter and argument" \
  bash -c "comm -23 '$tmp/help.opts' '$tmp/readme.opts' | tee '$tmp/missing' | sed 's/^/  missing in README: /'; [ ! -s '$tmp/missing' ]"
check "--help lists every option of the README, with its letter and argument" \
  bash -c "comm -13 '$tmp/help.opts' '$tmp/readme.opts' | tee '$tmp/extra' | sed 's/^/  not in --help: /'; [ ! -s '$tmp/extra' ]"

# Commands: every "  name  summary" line from "commands:" to "options:"
# (the engine's commands, then the program's own tools); in the README,
# every "lbsim name ..." line of its block.
awk '/^commands:/ { on = 1; next } /^options:/ { exit } on && /^  [a-z]/ { print $1 }' "$tmp/help" |
  sort >"$tmp/help.cmds"
sed -n -E 's/^lbsim ([a-z][a-z-]*) .*/\1/p' "$tmp/usage" | sort >"$tmp/readme.cmds"
check "the same commands in --help and the README" bash -c "
  [ \$(wc -l <'$tmp/help.cmds') -ge 7 ] && cmp -s '$tmp/help.cmds' '$tmp/readme.cmds'"

# The plan table: "| `--max-p99 [WL=]MS` | ..." rows.
sed -n -E 's/^\| `--([a-z0-9-]+)( ([^`]+))?` \|.*/\1 \3/p' "$readme" | sed 's/ *$//' | sort -u >"$tmp/table.opts"
check "the README's option table names options --help has, with the same argument" bash -c "
  [ \$(wc -l <'$tmp/table.opts') -ge 8 ] &&
  awk '{ print \$2, \$3 }' '$tmp/help.opts' | sed 's/ *$//' | sort -u >'$tmp/help.long' &&
  comm -23 '$tmp/table.opts' '$tmp/help.long' | tee '$tmp/bad' | sed 's/^/  unknown: /'; [ ! -s '$tmp/bad' ]"

# Every option --help shows is one the parser takes (never "unknown").
check "the parser takes every option --help lists" bash -c "
  while read -r short long arg; do
    out=\$('$lbsim' validate --\$long \${arg:+x} /nonexistent.yaml 2>&1)
    case \$out in *'unknown option'*) echo \"  --\$long: \$out\"; exit 1 ;; esac
  done <'$tmp/help.opts'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
