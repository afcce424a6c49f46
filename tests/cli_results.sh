#!/usr/bin/env bash
# The raw and derived result files agree with each other: runs.csv holds
# every figure of summary.csv per replication (its means are summary.csv's
# means); server_workloads.csv splits servers.csv's requests by workload;
# every interval lies within its metric's range. Usage: cli_results.sh
# LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

# Device traffic of three workloads behind a NAT, a workload fault, three
# designs: skew, failures and per-workload pools all have values.
cat >"$tmp/dev.yaml" <<'YAML'
name: results test
duration: 5m
warmup: 30s
seed: 11
replications: 3
servers: { count: 4, cores: 4 }
populations:
  - { name: office, users: 400, source: nat, addresses: 3, clients: [owa, eas, mapi] }
  - { name: home, users: 300, clients: [owa, mapi] }
designs:
  - { name: hash, kind: l4, balance: source }
  - { name: multi, kind: l4-multi, balance: leastconn }
  - { name: l7, kind: l7 }
faults:
  - { at: 2m, server: 2, workload: eas, for: 1m }
YAML
o=$tmp/o
check "run: 0" status_is 0 "$lbsim" run -q -j 2 -o "$o" "$tmp/dev.yaml"

check "runs.csv: one row per summary figure and replication" bash -c "
  [ \$(( \$(wc -l < '$o/summary.csv') - 1 )) -gt 100 ] &&
  [ \$(( (\$(wc -l < '$o/summary.csv') - 1) * 3 )) -eq \$(( \$(wc -l < '$o/runs.csv') - 1 )) ] &&
  head -1 '$o/runs.csv' | grep -qx 'design,replication,metric,scope,unit,value'"
# The mean of each figure's values in runs.csv is summary.csv's mean.
check "runs.csv: its means are summary.csv's" bash -c "
  awk -F, 'FNR == 1 { next }
    FILENAME ~ /runs/ { k = \$1 FS \$3 FS \$4; if (\$6 != \"\") { s[k] += \$6; n[k]++ }; next }
    { k = \$1 FS \$2 FS \$3; seen++
      if (\$5 == \"\") { if (n[k]) bad++; next }
      m = s[k] / n[k]; d = m - \$5; if (d < 0) d = -d; a = \$5 < 0 ? -\$5 : \$5
      if (d > 1e-6 * a + 1e-12 || n[k] != \$8) { bad++; print \"differs: \" k \" \" m \" \" \$5 }
    }
    END { exit !(seen > 100 && bad == 0) }' '$o/runs.csv' '$o/summary.csv'"

# server_workloads.csv: a server's requests are the sum of its workloads'.
check "server_workloads.csv: the workloads of a server add up to servers.csv" bash -c "
  awk -F, 'FNR == 1 { next }
    FILENAME ~ /server_workloads/ { s[\$1 FS \$3] += \$4; next }
    { k = \$1 FS \$2; rows++; d = s[k] - \$3; if (d < 0) d = -d
      if (d > 1e-6 * \$3 + 1e-9) { bad++; print \"differs: \" k \" \" s[k] \" \" \$3 } }
    END { exit !(rows == 12 && bad == 0) }' '$o/server_workloads.csv' '$o/servers.csv'"
check "server_workloads.csv: every used workload, every server; shares add up to at most 1" bash -c "
  awk -F, 'NR == 1 { next } { s[\$1 FS \$2] += \$7; rows++ }
    END { for (k in s) if (s[k] > 1 + 1e-9 || s[k] < 0.9) bad++; exit !(rows == 3 * 3 * 4 && bad == 0) }' \
    '$o/server_workloads.csv'"

# Intervals within their range: p-values and shares in [0, 1],
# peak-to-mean at least 1, counts and times at least 0.
check "summary.csv: every interval within its metric's range" bash -c "
  awk -F, 'NR == 1 || \$6 == \"\" { next }
    { lo = \$6 + 0; hi = \$7 + 0; m = \$5 + 0; rows++
      if (lo > m || hi < m) bad++
      if (\$4 == \"p-value\" || \$4 == \"fraction\" || \$4 == \"index\") { if (lo < 0 || hi > 1) bad++ }
      else if (\$2 ~ /^peak_to_mean/) { if (lo < 1) bad++ }
      else if (lo < 0) bad++
      if (bad && !told) { print \"out of range: \" \$0; told = 1 } }
    END { exit !(rows > 100 && bad == 0) }' '$o/summary.csv'"
check "servers.csv and server_workloads.csv: shares and busy fractions within [0, 1]" bash -c "
  awk -F, 'FNR == 1 { next } FILENAME ~ /server_workloads/ { if (\$8 < 0 || \$9 > 1 || \$5 < 0) bad++; next }
    { if (\$7 < 0 || \$8 > 1 || \$11 < 0 || \$12 > 1 || \$4 < 0) bad++ }
    END { exit bad != 0 }' '$o/servers.csv' '$o/server_workloads.csv'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
