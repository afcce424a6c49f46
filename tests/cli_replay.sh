#!/usr/bin/env bash
# Replaying a log (populations with replay:): every client request of the
# log becomes exactly one request (k with scale: k), served or failed, none
# lost; probes are no client requests; time-order violations and
# malformed lines are told with file:line, and fail (exit 2, nothing
# written) or are skipped and counted, as the scenario says. The truth is
# counted apart, with awk, from the log itself.
# Usage: cli_replay.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

gen="$src/scripts/gen-logs"
"$gen" --users 40 --duration 20m --seed 7 -o "$tmp/site.log"
"$gen" --format haproxy --users 40 --duration 20m --seed 7 -o "$tmp/lb.log.gz"
# Client requests: every line but the directives and the balancer's probes.
n_iis=$(grep -v '^#' "$tmp/site.log" | grep -vc 'healthcheck.htm')
n_hap=$(zcat "$tmp/lb.log.gz" | grep -vc 'healthcheck.htm')

scenario() { # file, log, replay keys, extra top-level lines
  cat >"$1" <<EOF
name: replay
duration: 40m
seed: 3
servers: { count: 4, cores: 4 }
populations:
  - name: site
    replay: { log: $2$3 }
designs:
  - { name: l4, kind: l4, balance: source }
  - { name: l7, kind: l7, balance: roundrobin, persist: { method: source-ip, netmask: 24 } }
${4:-}
EOF
}

metric() { # results folder, design, metric: the mean of scope all
  awk -F, -v d="$2" -v m="$3" '$1 == d && $2 == m && $3 == "all" { print $5 }' "$1/summary.csv"
}

conserved() { # results folder, expected requests sent
  for d in l4 l7; do
    local sent ok bad fly
    sent=$(metric "$1" $d requests_sent)
    ok=$(metric "$1" $d requests_completed)
    bad=$(metric "$1" $d requests_failed)
    fly=$(metric "$1" $d requests_in_flight)
    [ "$sent" = "$2" ] || { echo "  $d: sent $sent, want $2"; return 1; }
    [ $((ok + bad + fly)) -eq "$sent" ] || { echo "  $d: $ok + $bad + $fly != $sent"; return 1; }
  done
}

check "the bundled sample is what gen-logs writes (invented, never real data)" bash -c "
  '$gen' --users 40 --duration 1h --seed 2024 | cmp -s - <(zcat '$src/scenarios/logs/site-sample.log.gz')"
check "the log has client requests and probes" test "$n_iis" -gt 500 -a "$n_hap" -gt 500

scenario "$tmp/k1.yaml" site.log ""
check "replay x1: 0" status_is 0 "$lbsim" run -q -o "$tmp/k1" "$tmp/k1.yaml"
check "replay x1: each line one request, served or failed" conserved "$tmp/k1" "$n_iis"
check "replay x1: nothing failed on healthy servers" bash -c "
  [ \"\$(awk -F, '\$2 == \"requests_failed\" && \$3 == \"all\" { s += \$5 } END { print s }' '$tmp/k1/summary.csv')\" = 0 ]"

scenario "$tmp/k3.yaml" site.log ", scale: 3"
check "replay x3: 0" status_is 0 "$lbsim" run -q -o "$tmp/k3" "$tmp/k3.yaml"
check "replay x3: lines x 3 requests, served or failed" conserved "$tmp/k3" $((n_iis * 3))
scenario "$tmp/fault.yaml" site.log ", scale: 2" "faults:
  - { at: 5m, server: 2, for: 5m }"
check "replay with a server down: 0" status_is 0 "$lbsim" run -q -o "$tmp/fault" "$tmp/fault.yaml"
check "replay with a server down: conserved" conserved "$tmp/fault" $((n_iis * 2))
check "replay with a server down: failures on layer 4" bash -c "
  [ \"\$(awk -F, '\$1 == \"l4\" && \$2 == \"requests_failed\" && \$3 == \"all\" { print \$5 }' '$tmp/fault/summary.csv')\" -gt 0 ]"

scenario "$tmp/hap.yaml" lb.log.gz ", capture: 'Host,User-Agent'"
check "replay HAProxy gzip: 0" status_is 0 "$lbsim" run -q -o "$tmp/hap" "$tmp/hap.yaml"
check "replay HAProxy gzip: each line one request" conserved "$tmp/hap" "$n_hap"

check "the same seed gives the same bytes, any -j" bash -c "
  '$lbsim' run -q -j 1 -o '$tmp/j1' '$tmp/k3.yaml' && cmp -s '$tmp/j1/summary.csv' '$tmp/k3/summary.csv'"

# A request that took two hours, written 17 minutes into the log: with a
# window of 10 minutes (longer than any ping of gen-logs, 540 s) it
# arrived before requests already replayed: a time-order violation.
late_line=$(grep -v '^#' "$tmp/site.log" | grep -v healthcheck | awk -v n=$((n_iis * 85 / 100)) 'NR == n' |
  awk '{ $NF = 7200000; print }')
ln=$(grep -n -m1 -F "$(grep -v '^#' "$tmp/site.log" | grep -v healthcheck | awk -v n=$((n_iis * 85 / 100 + 1)) 'NR == n')" "$tmp/site.log" | cut -d: -f1)
{ head -n $((ln - 1)) "$tmp/site.log"; echo "$late_line"; tail -n +"$ln" "$tmp/site.log"; } >"$tmp/late.log"
scenario "$tmp/late.yaml" late.log ", scale: 2, window: 10m"
check "a time-order violation: 2, file:line, nothing written" bash -c "
  '$lbsim' run -o '$tmp/late' '$tmp/late.yaml' 2>'$tmp/err'
  [ \$? -eq 2 ] && grep -q 'late.log:$ln: time order' '$tmp/err' && [ ! -e '$tmp/late' ]"
scenario "$tmp/lateskip.yaml" late.log ", scale: 2, window: 10m, on-error: skip"
check "on-error skip: the late request skipped and counted" bash -c "
  '$lbsim' run -o '$tmp/lateskip' '$tmp/lateskip.yaml' >/dev/null 2>'$tmp/err' &&
  grep -q 'late.log:$ln: time order' '$tmp/err' && grep -q '1 late requests skipped' '$tmp/err'"
check "on-error skip: the others all replayed" conserved "$tmp/lateskip" $((n_iis * 2))

{ head -n 30 "$tmp/site.log"; echo "2024-03-04 08:00:61 10.0.1.11 GET /owa/ - 443 x 10.0.0.1 x - 200 0 0 5"; tail -n +31 "$tmp/site.log"; } >"$tmp/bad.log"
scenario "$tmp/bad.yaml" bad.log ""
check "a malformed line: 2, file:line:column, nothing written" bash -c "
  '$lbsim' run -o '$tmp/bad' '$tmp/bad.yaml' 2>'$tmp/err'
  [ \$? -eq 2 ] && grep -q 'bad.log:31:[0-9]*: time' '$tmp/err' && [ ! -e '$tmp/bad' ]"
check "validate says the same: 2" status_is 2 "$lbsim" validate "$tmp/bad.yaml"
check "sweep says it before any point runs: 2, nothing written" bash -c "
  '$lbsim' sweep -q --no-plot --set servers.count=2,3 -o '$tmp/badsweep' '$tmp/bad.yaml' 2>'$tmp/err'
  [ \$? -eq 2 ] && grep -q 'bad.log:31:[0-9]*: time' '$tmp/err' && [ ! -e '$tmp/badsweep' ]"
scenario "$tmp/badskip.yaml" bad.log ", on-error: skip"
check "on-error skip: the malformed line skipped, the rest replayed" bash -c "
  '$lbsim' run -o '$tmp/badskip' '$tmp/badskip.yaml' >/dev/null 2>'$tmp/err' &&
  grep -q '1 malformed lines' '$tmp/err'"
check "on-error skip: conserved" conserved "$tmp/badskip" "$n_iis"

scenario "$tmp/none.yaml" missing.log ""
check "a missing log: 2, at its key" bash -c "
  '$lbsim' validate '$tmp/none.yaml' 2>'$tmp/err'
  [ \$? -eq 2 ] && grep -q 'none.yaml:7:[0-9]*: log .missing.log.: ' '$tmp/err'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
