#!/usr/bin/env bash
# The lbsim command line: exit codes, help, a real run writing both CSV
# files, determinism across -j, an unwritable output folder refused before
# any simulation. Usage: cli_run.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

# A small scenario so that the test is quick.
cat >"$tmp/small.yaml" <<'YAML'
name: CLI test, 3 servers
duration: 2m
warmup: 10s
seed: 7
replications: 2
servers: { count: 3, cores: 2, service: 10ms }
populations:
  - { name: users, users: 1000, rate: 0.5 }
designs:
  - { name: l4, kind: l4, balance: roundrobin }
  - { name: l7, kind: l7 }
faults:
  - { at: 1m, server: 2, workload: owa, for: 30s }
YAML

check "--help exits 0 and shows usage" bash -c "'$lbsim' --help | grep -q 'usage: lbsim'"
check "--version exits 0" bash -c "'$lbsim' --version | grep -q '^lbsim '"
check "no arguments: usage error 2" status_is 2 "$lbsim"
check "unknown command: 2" status_is 2 "$lbsim" frobnicate "$tmp/small.yaml"
check "unknown option: 2" status_is 2 "$lbsim" run --frobnicate "$tmp/small.yaml"
check "run without a file: 2" status_is 2 "$lbsim" run
check "bad --jobs: 2" status_is 2 "$lbsim" run -j 0 "$tmp/small.yaml"
check "bad --seed: 2" status_is 2 "$lbsim" run --seed -4 "$tmp/small.yaml"
check "validate a good file: 0" status_is 0 "$lbsim" validate "$tmp/small.yaml"
check "validate says ok" grep -q ': ok$' "$tmp/stdout"

check "run writes results: 0" status_is 0 "$lbsim" run -q -j 1 -o "$tmp/a" "$tmp/small.yaml"
check "summary.csv has a header and every design" bash -c "
  head -1 '$tmp/a/summary.csv' | grep -q '^design,metric,scope,unit,mean,ci95_low,ci95_high,replications$' &&
  grep -q '^l4,jain,all,' '$tmp/a/summary.csv' && grep -q '^l7,response_p99,all,ms,' '$tmp/a/summary.csv'"
check "servers.csv has one row per design and server" bash -c "[ \$(wc -l < '$tmp/a/servers.csv') -eq 7 ]"
check "no temporary files left" bash -c "[ -z \"\$(ls -A '$tmp/a' | grep -v -E '^((summary|runs|servers|server_workloads|timeseries|events|latency|differences|costs).csv|scenario.yaml|provenance.csv)$')\" ]"
check "run with -j 2 gives the same bytes" bash -c "
  '$lbsim' run -q -j 2 -o '$tmp/b' '$tmp/small.yaml' && cmp -s '$tmp/a/summary.csv' '$tmp/b/summary.csv' &&
  cmp -s '$tmp/a/servers.csv' '$tmp/b/servers.csv' && cmp -s '$tmp/a/runs.csv' '$tmp/b/runs.csv' &&
  cmp -s '$tmp/a/events.csv' '$tmp/b/events.csv' && cmp -s '$tmp/a/costs.csv' '$tmp/b/costs.csv'"
# The checks start at a phase drawn per replication: the fault's detection
# time differs between the two replications (runs.csv, detect_s).
check "detect_s differs between replications" bash -c "
  [ \$(grep -c '^l4,.*detect_s,fault1,' '$tmp/a/runs.csv') -eq 2 ] &&
  [ \$(grep '^l4,.*detect_s,fault1,' '$tmp/a/runs.csv' | cut -d, -f5- | sort -u | wc -l) -eq 2 ]"
check "run --profile: the same results, and a table of where the time went" bash -c "
  '$lbsim' run -q --profile -j 1 -o '$tmp/prof' '$tmp/small.yaml' 2>'$tmp/prof.err' &&
  cmp -s '$tmp/a/summary.csv' '$tmp/prof/summary.csv' &&
  grep -q 'open-traffic arrival' '$tmp/prof.err' && grep -q 'server completion' '$tmp/prof.err' &&
  grep -q 'engine (event queue)' '$tmp/prof.err'"
check "run --profile: the rows add up to every event run" bash -c "
  total=\$(sed -n 's/.*run(s): \\([0-9]*\\) events.*/\\1/p' '$tmp/prof.err')
  rows=\$(awk '/event kind/ {on=1; next} /engine \\(event queue\\)/ {on=0} on {s += \$(NF-3)} END {print s}' '$tmp/prof.err')
  [ -n \"\$total\" ] && [ \"\$total\" -gt 0 ] && [ \"\$total\" = \"\$rows\" ]"
check "--profile with a command that runs nothing to time: 2" bash -c "
  '$lbsim' sweep --profile --set servers.count=2 '$tmp/small.yaml' >/dev/null 2>'$tmp/perr'
  [ \$? -eq 2 ] && grep -q 'applies to run and check only' '$tmp/perr'"
check "plot: a result file that cannot be read is said so, not 'run first'" bash -c "
  mkdir -p '$tmp/unreadable/summary.csv' && ! '$lbsim' plot '$tmp/unreadable' >/dev/null 2>'$tmp/uerr' &&
  grep -q 'summary.csv' '$tmp/uerr' && ! grep -q 'run first' '$tmp/uerr'"
check "another seed gives other numbers" bash -c "
  '$lbsim' run -q --seed 8 -o '$tmp/c' '$tmp/small.yaml' && ! cmp -s '$tmp/a/summary.csv' '$tmp/c/summary.csv'"
check "not on a terminal: no progress, the results line on stdout" bash -c "
  '$lbsim' run -o '$tmp/d' '$tmp/small.yaml' 2>'$tmp/err' | grep -q '^results: ' && [ ! -s '$tmp/err' ]"
if command -v script >/dev/null; then
  # script(1) gives lbsim a terminal: the live line says how much is left.
  check "on a terminal: a progress line with the time left" bash -c "
    script -qec \"'$lbsim' run -o '$tmp/tty' --duration 20m '$tmp/small.yaml'\" /dev/null >'$tmp/tty.out' &&
    grep -q 'left' '$tmp/tty.out' && grep -q 'events (' '$tmp/tty.out'"
fi

# Plots: every picture is a real PNG and a real SVG.
check "run --plot draws every plot" bash -c "
  '$lbsim' run -q --plot -o '$tmp/p' '$tmp/small.yaml' >/dev/null &&
  for s in share conns busy load cost availability latency; do
    [ \"\$(head -c 4 '$tmp/p/'\$s.png | od -An -c | tr -d ' ')\" = '211PNG' ] || exit 1
    grep -q '<svg' '$tmp/p/'\$s.svg || exit 1
  done"
check "lbsim plot redraws from the CSV alone" bash -c "
  rm '$tmp/p/'*.png && '$lbsim' plot '$tmp/p' >/dev/null && [ -s '$tmp/p/share.png' ]"
check "report: a document with this run's numbers" bash -c "
  '$lbsim' report '$tmp/p' >/dev/null && grep -q '^## Pros and cons, measured' '$tmp/p/report.md' &&
  jain=\$(awk -F, '\$1==\"l4\" && \$2==\"jain\" && \$3==\"all\" {printf \"%.3f\", \$5}' '$tmp/p/summary.csv') &&
  grep -q \"^| l4 | .* | \$jain\" '$tmp/p/report.md' && grep -q '](share.png)' '$tmp/p/report.md'"
check "report of a folder without results: 1" bash -c "
  '$lbsim' report '$tmp/nognuplot' 2>/dev/null; [ \$? -eq 1 ]"
# Without gnuplot: a clear message, and the CSV is complete.
mkdir -p "$tmp/nognuplot"
check "without gnuplot, run --plot still succeeds and says why" bash -c "
  PATH='$tmp/nognuplot' '$lbsim' run -q --plot -o '$tmp/ng' '$tmp/small.yaml' 2>'$tmp/ng.err' &&
  grep -q 'gnuplot is not installed' '$tmp/ng.err' && [ -s '$tmp/ng/summary.csv' ]"
check "without gnuplot, lbsim plot fails with 1" bash -c "
  PATH='$tmp/nognuplot' '$lbsim' plot '$tmp/ng' 2>/dev/null; [ \$? -eq 1 ]"
check "plot of a folder without results: 1" bash -c "
  '$lbsim' plot '$tmp/nognuplot' 2>/dev/null; [ \$? -eq 1 ]"

# A run that cannot write its results (a file-size limit stands in for a
# full disk) fails with 1 and leaves the previous results as they were.
cp -r "$tmp/a" "$tmp/a.before"
check "a failed write keeps the previous results" bash -c "
  (ulimit -f 4; '$lbsim' run -q --seed 99 -o '$tmp/a' '$tmp/small.yaml' 2>'$tmp/full.err'); rc=\$?
  [ \$rc -eq 1 ] && grep -q 'write failed' '$tmp/full.err' && diff -r '$tmp/a' '$tmp/a.before' >/dev/null"

check "too big for the memory limit: 2, with an estimate, nothing written" bash -c "
  '$lbsim' run -q --memory-limit 0.0001 -o '$tmp/big' '$tmp/small.yaml' 2>'$tmp/big.err';
  [ \$? -eq 2 ] && grep -q 'would need about' '$tmp/big.err' && [ ! -e '$tmp/big' ]"

touch "$tmp/file"
check "output folder under a file: 2" status_is 2 "$lbsim" run -q -o "$tmp/file/out" "$tmp/small.yaml"
check "  and says why" grep -q 'cannot create the output folder' "$tmp/stderr"
if [ "$(id -u)" -ne 0 ]; then
  mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
  check "read-only output folder: 2" status_is 2 "$lbsim" run -q -o "$tmp/ro" "$tmp/small.yaml"
else
  echo "skip: read-only folder test (root writes anywhere)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
