#!/usr/bin/env bash
# Gates fail closed: check --baseline with a damaged baseline (empty,
# truncated, NUL bytes, an open quote, a FIFO, a wrong header, a short
# row, a word for a number, a row twice, a row missing, a row too many)
# is exit 2 with file:line before anything runs, and writes nothing;
# --tolerance takes only metrics lbsim reports, each once; an option the
# command would ignore, or one of one value given twice, is an error; a
# swept value set twice is an error.
# Usage: cli_gates.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
. "$(dirname "$0")/lib_cli.sh"

cat >"$tmp/s.yaml" <<'YAML'
name: gates test
duration: 30s
warmup: 5s
seed: 4
replications: 2
servers: { count: 3, cores: 2 }
populations:
  - { name: office, users: 150, clients: [owa, eas] }
designs:
  - { name: l4, kind: l4 }
  - { name: l7, kind: l7 }
faults:
  - { at: 10s, server: 2, workload: eas, for: 10s }
YAML
"$lbsim" run -q -o "$tmp/base" "$tmp/s.yaml" || exit 1
good=$tmp/base/summary.csv
rows=$(($(wc -l <"$good") - 1))

refused() { # name, baseline file, text the message must hold
  local name=$1 file=$2 text=$3
  check "$name: exit 2" status_is 2 timeout 20 "$lbsim" check -q -o "$tmp/never" --baseline "$file" "$tmp/s.yaml"
  check "  says where and what: $text" grep -qF -- "$text" "$tmp/stderr"
  check "  nothing written" [ ! -e "$tmp/never" ]
}

check "a sound baseline: every figure compared, none changed" bash -c "
  '$lbsim' check -q -o '$tmp/o1' --baseline '$good' '$tmp/s.yaml' >'$tmp/o1.out' &&
  grep -q '^baseline: $rows figures compared, 0 changed beyond tolerance\$' '$tmp/o1.out'"

: >"$tmp/empty.csv"
refused "empty baseline" "$tmp/empty.csv" "empty.csv: empty: not a summary.csv"
head -1 "$good" >"$tmp/header.csv"
refused "header only" "$tmp/header.csv" "header.csv:1: a header and no rows"
# half the file, one byte less when half ends a row (the cut must fall in one)
half=$(($(wc -c <"$good") / 2))
[ "$(head -c "$half" "$good" | tail -c 1 | od -An -c | tr -d ' ')" = '\n' ] && half=$((half - 1))
head -c "$half" "$good" >"$tmp/truncated.csv"
refused "truncated in the middle of a row" "$tmp/truncated.csv" "truncated.csv:$(($(wc -l <"$tmp/truncated.csv") + 1)): the file ends in the middle of a row"
head -c 4096 /dev/zero >"$tmp/nul.csv"
refused "NUL-filled" "$tmp/nul.csv" "nul.csv:1: a NUL byte"
{ head -3 "$good"; printf '"l4,jain,all,index,1,,,1\n'; } >"$tmp/quote.csv"
refused "an unterminated quote" "$tmp/quote.csv" "quote.csv:4: the file ends in the middle of a row"
{ echo 'design,metric,scope,value'; tail -n +2 "$good"; } >"$tmp/header2.csv"
refused "another file's header" "$tmp/header2.csv" "header2.csv:1: not a summary.csv"
{ head -2 "$good"; echo 'l4,jain,all'; tail -n +3 "$good"; } >"$tmp/short.csv"
refused "a short row" "$tmp/short.csv" "short.csv:3: a row of 3 fields"
sed '2s/^\([^,]*,[^,]*,[^,]*,[^,]*\),[^,]*,/\1,abc,/' "$good" >"$tmp/word.csv"
refused "a word for a number" "$tmp/word.csv" "word.csv:2: mean 'abc' is not a number"
{ cat "$good"; sed -n 2p "$good"; } >"$tmp/twice.csv"
refused "a row twice" "$tmp/twice.csv" "twice.csv:$((rows + 2)): a second row for design"
sed '/^l7,detect_s,fault1,/d' "$good" >"$tmp/missing.csv"
refused "a row missing (a fault's)" "$tmp/missing.csv" "missing.csv: lacks 1 figure this run reports (the first: design l7, metric detect_s, scope fault1)"
{ cat "$good"; sed -n 2p "$good" | sed 's/^l4,/old,/'; } >"$tmp/extra.csv"
refused "a row of a design the run has not" "$tmp/extra.csv" "extra.csv:$((rows + 2)): design old, metric"
mkfifo "$tmp/fifo.csv"
refused "a FIFO, which would block a reader forever" "$tmp/fifo.csv" "fifo.csv: not a regular file (a FIFO)"
refused "a folder" "$tmp" "not a regular file (a folder)"

# report: a summary.csv that is a FIFO is refused, not waited on.
cp -r "$tmp/base" "$tmp/r" && rm "$tmp/r/summary.csv" && mkfifo "$tmp/r/summary.csv"
check "report of a folder whose summary.csv is a FIFO: 1, at once" bash -c "
  timeout 20 '$lbsim' report '$tmp/r' >/dev/null 2>'$tmp/r.err'; [ \$? -eq 1 ] && grep -q 'not a regular file' '$tmp/r.err'"

cp -r "$tmp/base" "$tmp/r2" && rm "$tmp/r2/scenario.yaml" && mkfifo "$tmp/r2/scenario.yaml"
check "report of a folder whose scenario.yaml is a FIFO: 1, at once" bash -c "
  timeout 20 '$lbsim' report '$tmp/r2' >/dev/null 2>'$tmp/r.err'; [ \$? -eq 1 ] && grep -q 'scenario.yaml: not a regular file (a FIFO)' '$tmp/r.err'"

# --tolerance
check "--tolerance with an unknown metric: 2" status_is 2 "$lbsim" check -q --baseline "$good" --tolerance jian=0 "$tmp/s.yaml"
check "  names it and lists the metrics" bash -c "grep -q \"unknown metric 'jian'; metrics: \" '$tmp/stderr' && grep -q 'jain' '$tmp/stderr'"
check "--tolerance for one metric twice: 2" status_is 2 "$lbsim" check -q --baseline "$good" --tolerance jain=0.1 --tolerance jain=0.2 "$tmp/s.yaml"
many=()
for m in $(sed -n '2,$p' "$good" | cut -d, -f2 | sort -u | head -40); do many+=(--tolerance "$m=0.1"); done
check "more --tolerance options than there is room for: 2, never dropped" bash -c "
  [ ${#many[@]} -gt 64 ] && '$lbsim' check -q --baseline '$good' ${many[*]} '$tmp/s.yaml' 2>'$tmp/m.err'; [ \$? -eq 2 ] &&
  grep -q 'at most 32 --tolerance' '$tmp/m.err'"
check "--tolerance without --baseline: 2" status_is 2 "$lbsim" check -q --tolerance jain=0.1 "$tmp/s.yaml"
check "a per-metric tolerance is used" bash -c "
  '$lbsim' check -q -o '$tmp/o2' --scale 3 --baseline '$good' --tolerance 100 '$tmp/s.yaml' >/dev/null &&
  ! '$lbsim' check -q -o '$tmp/o3' --scale 3 --baseline '$good' --tolerance 100 --tolerance requests_sent=0.01 '$tmp/s.yaml' >'$tmp/o3.out' &&
  grep -q '^CHANGED  l4 requests_sent (all)' '$tmp/o3.out'"

# Options a command would ignore.
check "run --baseline: 2" status_is 2 "$lbsim" run -q --baseline "$good" "$tmp/s.yaml"
check "  says it applies to check" grep -q 'lbsim run: --baseline applies to check only' "$tmp/stderr"
check "plot -o: 2" status_is 2 "$lbsim" plot -o x "$tmp/base"
check "sweep --plot: 2" status_is 2 "$lbsim" sweep --plot --set seed=1 "$tmp/s.yaml"
check "run --max-p99: 2" status_is 2 "$lbsim" run --max-p99 100 "$tmp/s.yaml"
check "  says it applies to plan" grep -q -- '--max-p99 applies to plan only' "$tmp/stderr"

# An option of one value given twice would drop the first silently.
check "-o given twice: 2" status_is 2 "$lbsim" run -q -o "$tmp/never" -o "$tmp/never2" "$tmp/s.yaml"
check "  names it and the second value" grep -q -- "--output is given twice (the second: '$tmp/never2')" "$tmp/stderr"
check "--seed and -s: 2" status_is 2 "$lbsim" run -q -s 1 --seed 2 -o "$tmp/never" "$tmp/s.yaml"
check "plan --users twice: 2" status_is 2 "$lbsim" plan -o "$tmp/never" --max-server-busy 0.9 --users 100 --users 200 "$tmp/s.yaml"
check "two bare --tolerance: 2" status_is 2 "$lbsim" check -q --baseline "$good" --tolerance 0.1 --tolerance 0.2 "$tmp/s.yaml"
check "  nothing written" bash -c "[ ! -e '$tmp/never' ] && [ ! -e '$tmp/never2' ]"
check "the tools too: anonymise --key twice, export-haproxy -o twice: 2" bash -c "
  '$lbsim' anonymise --key a --key b x.log 2>'$tmp/t.err'; [ \$? -eq 2 ] &&
  grep -q 'anonymise: --key is given twice' '$tmp/t.err' &&
  '$lbsim' export-haproxy -o '$tmp/never' -o '$tmp/never2' '$tmp/s.yaml' 2>'$tmp/t.err'; [ \$? -eq 2 ] &&
  grep -q 'export-haproxy: --output is given twice' '$tmp/t.err' && [ ! -e '$tmp/never2' ]"
check "a bare --tolerance beside per-metric ones, and flags twice, are fine" bash -c "
  '$lbsim' check -q -q -o '$tmp/o4' --baseline '$good' --tolerance 0.1 --tolerance jain=0.2 --tolerance gini=0.2 '$tmp/s.yaml' >/dev/null"

# A swept value set twice would label rows with values they did not run with.
check "sweep with a key twice: 2" status_is 2 "$lbsim" sweep -o "$tmp/never" --set seed=1,2 --set seed=3,4 "$tmp/s.yaml"
check "  says so" grep -q -- '--set seed is given twice' "$tmp/stderr"
check "design.* and design.l4 of one key: 2" status_is 2 "$lbsim" sweep -o "$tmp/never" --set 'design.*.balance=roundrobin,leastconn' --set design.l4.balance=source "$tmp/s.yaml"
check "users and population.NAME.users: 2" status_is 2 "$lbsim" sweep -o "$tmp/never" --set users=100,200 --set population.office.users=50 "$tmp/s.yaml"
check "--seed and --set seed: 2" status_is 2 "$lbsim" sweep -o "$tmp/never" --seed 3 --set seed=1,2 "$tmp/s.yaml"
check "plan --users and --set users: 2" status_is 2 "$lbsim" plan -o "$tmp/never" --max-server-busy 0.9 --users 100,200 --set users=300 "$tmp/s.yaml"
check "  nothing written" [ ! -e "$tmp/never" ]
check "different designs' keys are fine" bash -c "
  '$lbsim' sweep -q --no-plot -o '$tmp/sw' --set design.l4.balance=roundrobin,leastconn --set design.l7.lb_cores=0,2 '$tmp/s.yaml'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
