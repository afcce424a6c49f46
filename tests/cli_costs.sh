#!/usr/bin/env bash
# costs.csv against the run's own figures: each design's CPU rows add up
# to its lb_cpu_cores (runs.csv) times the measured time, replication by
# replication; its memory total's peak is lb_mem_bytes; a part's mean is
# never above its peak; what each implementation holds is where it should
# be (a kernel forwarder: tables only; a proxy: connections; a
# TLS-terminating proxy: the session cache, fixed from the start at the
# profile's 20,000 slots of 200 B); and a scenario naming a profile file
# is priced, and reported, from that file.
# Usage: cli_costs.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
. "$(dirname "$0")/lib_cli.sh"

cat >"$tmp/c.yaml" <<'YAML'
name: costs test
duration: 60s
warmup: 10s
seed: 5
replications: 2
servers: { count: 3, cores: 4 }
populations:
  - { name: lan, users: 150, clients: [owa, eas, mapi] }
designs:
  - { name: kernel, kind: l4, implementation: kernel-nat }
  - { name: proxy, kind: l4 }
  - { name: l7, kind: l7, reencrypt: true, http-reuse: never }
YAML
o=$tmp/out
check "run writes costs.csv" bash -c "'$lbsim' run -q -o '$o' '$tmp/c.yaml' && [ -s '$o/costs.csv' ]"
check "CPU rows add up to lb_cpu_cores x 60 s, each design and replication" awk -F, '
  FNR == 1 { next }
  FILENAME ~ /costs.csv$/ && $3 == "cpu" { sum[$1 "," $2] += $7; next }
  FILENAME ~ /runs.csv$/ && $3 == "lb_cpu_cores" && $4 == "all" { want[$1 "," $2] = $6 * 60 }
  END {
    n = 0
    for (k in want) {
      n++
      d = sum[k] - want[k]; if (d < 0) d = -d
      if (d > 1e-6 * want[k] + 1e-12) { print "  " k ": " sum[k] " vs " want[k]; exit 1 }
    }
    exit n == 6 ? 0 : 1
  }' "$o/costs.csv" "$o/runs.csv"
check "memory total peak is lb_mem_bytes; no mean above its peak" awk -F, '
  FNR == 1 { next }
  FILENAME ~ /costs.csv$/ && $3 == "memory" {
    if ($8 > $9 + 1e-6) { print "  mean above peak: " $0; bad = 1 }
    if ($4 == "total") peak[$1 "," $2] = $9
    next
  }
  FILENAME ~ /runs.csv$/ && $3 == "lb_mem_bytes" && $4 == "all" { want[$1 "," $2] = $6 }
  END {
    for (k in want) if (peak[k] != want[k]) { print "  " k ": " peak[k] " vs " want[k]; bad = 1 }
    exit bad
  }' "$o/costs.csv" "$o/runs.csv"
check "kernel: tables only; proxy: connections, no cache; l7: the 4 MB cache from the start" awk -F, '
  $3 != "memory" { next }
  $1 == "kernel" && $4 != "tables" && $4 != "total" && $9 != 0 { bad = 1 }
  $1 == "kernel" && $4 == "tables" && !($9 > 0) { bad = 1 }
  $1 == "proxy" && $4 == "conn_base" && !($8 > 0) { bad = 1 }
  $1 == "proxy" && ($4 == "caches" || $4 == "backend") && $9 != 0 { bad = 1 }
  $1 == "l7" && $4 == "caches" && ($8 != 4000000 || $9 != 4000000) { bad = 1 }
  $1 == "l7" && $4 == "backend" && !($8 > 0) { bad = 1 }
  END { exit bad }' "$o/costs.csv"
check "each design lists the operations it prices, and only those" bash -c "
  grep -q '^kernel,1,cpu,packet,operations,' '$o/costs.csv' &&
  ! grep -q '^kernel,1,cpu,relay,' '$o/costs.csv' &&
  grep -q '^proxy,1,cpu,relay-message,operations,' '$o/costs.csv' &&
  grep -q '^proxy,1,cpu,wakeup,operations,[1-9][0-9]*,' '$o/costs.csv' &&
  grep -q '^l7,1,cpu,wakeup,operations,[1-9][0-9]*,' '$o/costs.csv' &&
  ! grep -q '^kernel,1,cpu,wakeup,' '$o/costs.csv' &&
  ! grep -q '^proxy,1,cpu,packet,' '$o/costs.csv' &&
  grep -q '^l7,1,cpu,tls-backend-full,operations,' '$o/costs.csv' &&
  ! grep -q '^l7,1,cpu,tls-full-ecdsa-p256,' '$o/costs.csv'"

# A profile file beside the scenario prices the design that names it.
sed 's/^  - { name: proxy, kind: l4 }/  - { name: proxy, kind: l4, cost-profile: mine.yaml }/' \
  "$tmp/c.yaml" >"$tmp/p.yaml"
{
  echo 'lbsim-cost-profile: 1'
  echo 'name: mine'
  echo 'provenance: {kind: assumed, source: a test profile}'
  echo 'figures:'
  for f in accept connect relay-message wakeup persist probe; do
    echo "  $f: {value: 1, unit: us, source: test}"
  done
  echo '  relay: {value: 1, unit: ns/B, source: test}'
  for f in conn-bytes socket-buffer-bytes buffer-bytes; do
    echo "  $f: {value: 1, unit: kB, source: test}"
  done
  echo '  mtu: {value: 1460, unit: B, source: test}'
} >"$tmp/mine.yaml"
check "a profile file named by the design prices it" bash -c "
  '$lbsim' run -q -o '$tmp/p' '$tmp/p.yaml' &&
  grep -q '^proxy,1,cpu,accept,operations,[0-9]*,' '$tmp/p/costs.csv' &&
  awk -F, '\$1 == \"proxy\" && \$3 == \"cpu\" && \$4 == \"accept\" && \$2 == 1 { d = \$7 - \$6 * 1e-6; exit !(d < 1e-12 && d > -1e-12) }' '$tmp/p/costs.csv' &&
  '$lbsim' report '$tmp/p' >/dev/null &&
  grep -q \"cost profile 'mine', .*mine.yaml (assumed: a test profile)\" '$tmp/p/report.md'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
