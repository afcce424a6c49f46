#!/usr/bin/env bash
# Bounded outputs: every file of a run stays within the README's rule
# ("Output files": size) whatever the simulated time and the
# replications. The case is the one that once wrote 5.7 GB: a sparse
# M/M/4 over a long time with many replications (here 30 days, 40
# replications: 10.4 million 10 s windows). Before the rule its
# timeseries.csv had a row per window, replication and series: 31
# million rows, over a gigabyte.
#
# The rule, restated here from include/lbsim/run.h (RUN_SERIES_*):
#   points per series P = min(1000, max(30, 120000 / (servers + 2)))
#   windows per point   E = ceil(ceil(duration / 10 s) / P)
#   timeseries rows     = designs x min(replications, 3) x ceil(windows / E) x (servers + 2)
#   events rows        <= designs x min(replications, 3) x (4096 + 2 x faults)
#   runs rows           = designs x replications x figures (summary.csv's rows / designs)
#   every other file    : designs x servers x workloads at most, or fixed
# and a row of lbsim's CSV is at most 200 bytes with names of this
# length. Usage: cli_bounds.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

cat >"$tmp/sparse.yaml" <<'YAML'
name: sparse M/M/4 over a month
duration: 30d
warmup: 1m
seed: 9
replications: 40
servers: { count: 1, cores: 4, service: 20ms }
populations:
  - { name: users, users: 10, rate: 0.005 }
designs:
  - { name: rr, kind: l4 }
YAML
o=$tmp/o
check "a month, 40 replications: 0" status_is 0 "$lbsim" run -q -j 2 -o "$o" "$tmp/sparse.yaml"

rows() { echo $(( $(wc -l <"$1") - 1 )); }
export -f rows
# 259,200 windows; P = 1000 (120000 / 3 = 40000, held at 1000); E = 260;
# 997 points; 3 replications x 997 x (1 + 2) = 8973 rows.
check "timeseries.csv: exactly the rule's rows" bash -c "[ \$(( \$(wc -l <'$o/timeseries.csv') - 1 )) -eq 8973 ]"
check "timeseries.csv: the first 3 replications only, every point 260 windows (2600 s) or the last" bash -c "
  awk -F, 'NR > 1 { reps[\$2] = 1; if (\$7 != 2600) short[\$2 FS \$4 FS \$5]++ }
    END { n = 0; for (r in reps) n++; for (k in short) if (short[k] > 1) bad++
      exit !(n == 3 && (\"1\" in reps) && (\"3\" in reps) && bad == 0) }' '$o/timeseries.csv'"
check "timeseries.csv: a series' points cover the measured time once" bash -c "
  awk -F, '\$2 == 1 && \$4 == \"lb_cpu_cores\" { s += \$7; n++ } END { exit !(n == 997 && s == 2592000) }' '$o/timeseries.csv'"
check "timeseries.csv: no point's mean CPU above the busiest 10 s window" bash -c "
  peak=\$(awk -F, '\$1 == \"rr\" && \$2 == \"lb_cpu_cores_peak\" && \$3 == \"all\" { print \$5 }' '$o/summary.csv')
  awk -F, -v peak=\"\$peak\" '\$4 == \"lb_cpu_cores\" && \$6 > peak * (1 + 1e-9) { bad++ } END { exit bad != 0 }' '$o/timeseries.csv'"
check "events.csv: within designs x 3 x (4096 + 2 faults)" bash -c "[ \$(rows '$o/events.csv') -le 12288 ]"
check "runs.csv: designs x replications x figures" bash -c "
  [ \$(rows '$o/runs.csv') -eq \$(( \$(rows '$o/summary.csv') * 40 )) ]"
check "every file within its rows x 200 bytes" bash -c "
  for f in summary runs servers server_workloads timeseries events latency differences provenance; do
    case \$f in
      timeseries) max=8973 ;; events) max=12288 ;; runs) max=\$(( \$(rows '$o/summary.csv') * 40 )) ;;
      latency) max=101 ;; summary) max=700 ;; *) max=64 ;;
    esac
    size=\$(stat -c %s '$o/'\$f.csv)
    [ \"\$size\" -le \$(( (max + 1) * 200 )) ] || { echo \"  \$f.csv: \$size bytes over \$(( (max + 1) * 200 ))\"; exit 1; }
  done
  [ \$(du -sk '$o' | cut -f1) -lt 2048 ]"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
