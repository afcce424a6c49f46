#!/usr/bin/env bash
# What a name can do: nothing. Results folders, design names and plot
# paths that gnuplot would take for shell pipes ('<cmd', '|cmd'), with
# backquotes, $(...), quotes, commas and line breaks: nothing is run (no
# file PWNED appears anywhere), and the plots are still drawn.
# Usage: cli_safety.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
. "$(dirname "$0")/lib_cli.sh"

# Every command runs in $tmp/cwd, where a relative 'touch PWNED' would land.
mkdir "$tmp/cwd"
cd "$tmp/cwd" || exit 1

scenario() { # design name 1, design name 2 (YAML single-quoted)
  cat <<YAML
name: safety test
duration: 30s
warmup: 5s
seed: 5
servers: { count: 3, cores: 2, service: 10ms }
populations:
  - { name: users, users: 300, rate: 0.5 }
designs:
  - { name: '$1', kind: l4, balance: roundrobin }
  - { name: '$2', kind: l7 }
YAML
}
scenario l4 l7 >"$tmp/plain.yaml"

no_pwned() { # nothing anywhere under $tmp, nor in this folder's parents
  local found
  found=$(find "$tmp" -name 'PWNED*' 2>/dev/null | head -3)
  [ -z "$found" ] || { echo "  executed: $found"; return 1; }
}

all_plots() { # folder: every picture is a real PNG and SVG
  local s
  for s in share conns busy load cost availability latency; do
    [ "$(head -c 4 "$1/$s.png" | od -An -c | tr -d ' ')" = '211PNG' ] || { echo "  $s.png"; return 1; }
    grep -q '</svg>' "$1/$s.svg" || { echo "  $s.svg"; return 1; }
  done
}

hostile=(
  '<touch PWNED;cat x'
  '|touch PWNED'
  '<touch PWNED'
  'a`touch PWNED`b'
  '$(touch PWNED)'
  "q'uote'; system('touch PWNED'); x='"
  'say "hi"'
  'a,b'
  $'new\nline'
  '@PWNED'
)
i=0
for name in "${hostile[@]}"; do
  i=$((i + 1))
  check "results folder #$i: run --plot draws and runs nothing" bash -c "
    '$lbsim' run -q -p -o \"\$1\" '$tmp/plain.yaml' >/dev/null 2>'$tmp/err$i' && [ ! -s '$tmp/err$i' ]
  " _ "$name"
  check "  every picture is there" all_plots "$name"
  check "  lbsim plot of it too" bash -c "'$lbsim' plot \"\$1\" >/dev/null" _ "$name"
  check "  nothing ran" no_pwned
done
check "a folder under a hostile folder" bash -c "
  '$lbsim' run -q -p -o '<touch PWNED;x/sub' '$tmp/plain.yaml' >/dev/null" 
check "  nothing ran" no_pwned
check "an absolute hostile folder" bash -c "
  '$lbsim' run -q -p -o '$tmp/|touch PWNED' '$tmp/plain.yaml' >/dev/null"
check "  nothing ran" no_pwned
check "sweep into a hostile folder" bash -c "
  '$lbsim' sweep -q -o '<touch PWNED;cat s' --set servers.count=2,3 '$tmp/plain.yaml' >/dev/null &&
  [ -s '<touch PWNED;cat s/sweep_response_p99.png' ]"
check "plan into a hostile folder" bash -c "
  '$lbsim' plan -q -o '|touch PWNED' --max-server-busy 0.9 --max-size 4 '$tmp/plain.yaml' >/dev/null &&
  [ -s '|touch PWNED/plan.png' ]"
check "  nothing ran" no_pwned
check "a hostile plot scripts folder is a missing folder, not a command" bash -c "
  LBSIM_PLOTS_DIR='<touch PWNED;echo' '$lbsim' plot '<touch PWNED;cat x' >/dev/null 2>&1; [ \$? -eq 1 ]"
check "  nothing ran" no_pwned

# Design names reach gnuplot as titles: as data, never as script text.
# (YAML single quotes: '' is one quote.)
designs=(
  "a\`touch PWNED\`b|\$(touch PWNED)"
  "x''; system(''touch PWNED''); y=''"
  "<touch PWNED"
  "@PWNED"
)
i=0
for name in "${designs[@]}"; do
  i=$((i + 1))
  scenario "$name" plain >"$tmp/d$i.yaml"
  check "design name #$i: run --plot draws and runs nothing" bash -c "
    '$lbsim' run -q -p -o '$tmp/d$i' '$tmp/d$i.yaml' >/dev/null"
  check "  every picture is there" all_plots "$tmp/d$i"
  check "  nothing ran" no_pwned
done

# Legitimate odd names plot: gnuplot reads copies where designs are
# numbered (it knows no CSV quoting, and eats backslashes).
scenario 'a,b' 'say "hi" \ back' >"$tmp/odd.yaml"
check "odd names: run --plot draws every picture" bash -c "
  '$lbsim' run -q -p -o '$tmp/odd' '$tmp/odd.yaml' >/dev/null 2>'$tmp/odd.err' && [ ! -s '$tmp/odd.err' ]"
check "  every picture is there" all_plots "$tmp/odd"
printf 'say "hi" \\ back\n' >"$tmp/odd.want"
check "  the titles are the names" grep -qF -f "$tmp/odd.want" "$tmp/odd/share.svg"
check "  no copy for gnuplot is left behind" bash -c "[ -z \"\$(ls -A '$tmp/odd' | grep '^\.')\" ]"
check "odd names: sweep plots" bash -c "
  '$lbsim' sweep -q -o '$tmp/odds' --set servers.count=2,3 --set seed=1,2 '$tmp/odd.yaml' >/dev/null 2>'$tmp/odds.err' &&
  [ ! -s '$tmp/odds.err' ] && grep -q 'say \"hi\" .* back, seed=2' '$tmp/odds/sweep_response_p99.svg'"
check "odd names: plan plots" bash -c "
  '$lbsim' plan -q -o '$tmp/oddp' --max-server-busy 0.9 --max-size 4 '$tmp/odd.yaml' >/dev/null 2>'$tmp/oddp.err' &&
  [ ! -s '$tmp/oddp.err' ] && grep -q 'a,b' '$tmp/oddp/plan.svg'"

# CSV: a name a spreadsheet would run as a formula is written as text
# (OWASP: a leading '), and lbsim reads it back as the name.
scenario "=cmd|'' /C calc''!A0" "@SUM(1+1)" >"$tmp/formula.yaml"
check "formula names: run" bash -c "'$lbsim' run -q -o '$tmp/formula' '$tmp/formula.yaml'"
check "  no CSV cell starts a formula" bash -c "
  ! cut -c1 '$tmp/formula/'*.csv | grep -q '[=+@-]'"
check "  the name is kept, guarded" grep -qF "'=cmd|' /C calc'!A0,jain,all," "$tmp/formula/summary.csv"
check "  check --baseline reads the names back" bash -c "
  '$lbsim' check -q -o '$tmp/formula2' --baseline '$tmp/formula/summary.csv' '$tmp/formula.yaml' >'$tmp/fb.out' &&
  grep -q 'baseline: [1-9][0-9]* figures compared, 0 changed' '$tmp/fb.out'"
cat >"$tmp/formula.want" <<'TEXT'
| \=cmd\|' /C calc'\!A0 |
TEXT
check "  report shows them as text" bash -c "
  '$lbsim' report '$tmp/formula' >/dev/null && grep -qF -f '$tmp/formula.want' '$tmp/formula/report.md'"

# Markdown: names with table pipes, raw HTML and images stay text.
scenario '<script>alert(1)</script>' '![x](http://example.invalid/t.png)|*b*' >"$tmp/md.yaml"
check "markdown names: run and report" bash -c "
  '$lbsim' run -q -o '$tmp/md' '$tmp/md.yaml' && '$lbsim' report '$tmp/md' >/dev/null"
cat >"$tmp/md.want" <<'TEXT'
| &lt;script&gt;alert(1)&lt;/script&gt; |
| \!\[x\](http://example.invalid/t.png)\|\*b\* |
TEXT
check "  no raw HTML, image or extra table cell" bash -c "
  ! grep -q '<script>' '$tmp/md/report.md' && ! grep -q '!\[x\]' '$tmp/md/report.md' &&
  [ \$(grep -cF -f '$tmp/md.want' '$tmp/md/report.md') -ge 4 ]"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
