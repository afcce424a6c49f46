#!/usr/bin/env bash
# lbsim sweep and lbsim plan from the command line: exit codes and
# messages for bad --set keys and values, sweep.csv equal to `lbsim run`
# of each point (the point written as its own scenario file), the same
# bytes with -j 1 and -j 2, plots, and a plan's plan.csv.
# Usage: cli_sweep.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
. "$(dirname "$0")/lib_cli.sh"

says() { # text the last command's stderr must contain
  grep -qF -- "$1" "$tmp/stderr" || { echo "  stderr: $(head -3 "$tmp/stderr")"; return 1; }
}

# A scenario whose points are quick, written so that sed can make each
# point's own file.
scenario() { # servers users
  cat <<YAML
name: sweep test
duration: 40s
warmup: 5s
seed: 3
replications: 2
servers: { count: $1, cores: 2, service: 10ms }
populations:
  - { name: lan, users: $2, rate: 0.5 }
designs:
  - { name: l4, kind: l4, balance: roundrobin }
  - { name: l7, kind: l7 }
YAML
}
scenario 3 400 >"$tmp/s.yaml"

check "sweep without --set: 2" status_is 2 "$lbsim" sweep "$tmp/s.yaml"
check "  says how to give values" says "--set KEY=V1,V2"
check "unknown key: 2" status_is 2 "$lbsim" sweep --set servers.cont=2,3 "$tmp/s.yaml"
check "  suggests the closest and lists the keys" says "servers has no key 'cont'; did you mean 'count'? (keys: count, cores,"
check "unknown population: 2" status_is 2 "$lbsim" sweep --set population.wan.users=1 "$tmp/s.yaml"
check "  names the populations" says "populations has no entry 'wan'; did you mean 'lan'? (populations: lan"
check "bad value: 2" status_is 2 "$lbsim" sweep --set servers.count=2,x "$tmp/s.yaml"
check "  says what a value must be, as the loader" says "--set servers.count=x: 'count' must be a whole number from 1 to 4096, got 'x'"
check "addresses on a unique population: 2" status_is 2 "$lbsim" sweep --set population.lan.addresses=4 "$tmp/s.yaml"
check "  says why" says "'addresses' applies to nat and cgnat sources, not unique"
check "cookie on layer 4: 2" status_is 2 "$lbsim" sweep --set design.l4.persist=cookie "$tmp/s.yaml"
check "--set without a value: 2" status_is 2 "$lbsim" sweep --set
check "  says it needs a value" says "option --set needs a value"
check "bad input writes nothing" bash -c "
  ! '$lbsim' sweep -o '$tmp/never' --set servers.count=0 '$tmp/s.yaml' 2>/dev/null && [ ! -e '$tmp/never' ]"

check "sweep runs: 0" status_is 0 "$lbsim" sweep -j 2 --no-plot -o "$tmp/a" \
  --set servers.count=2,3 --set population.lan.users=300,500 "$tmp/s.yaml"
check "one progress line per point" bash -c "[ \$(grep -c '^lbsim: point [1-4]/4 ' '$tmp/stderr') -eq 4 ]"
check "results line on stdout" grep -q "^results: $tmp/a/sweep.csv scenario.yaml provenance.csv$" "$tmp/stdout"
check "header: swept keys, then summary.csv's columns" bash -c "
  head -1 '$tmp/a/sweep.csv' | grep -qx 'servers.count,population.lan.users,design,metric,scope,unit,mean,ci95_low,ci95_high,replications'"
check "no temporary files left" bash -c "[ \"\$(ls -A '$tmp/a' | tr '\n' ' ')\" = 'provenance.csv scenario.yaml sweep.csv ' ]"
check "the sweep folder keeps the scenario and its provenance" bash -c "
  cmp -s '$tmp/s.yaml' '$tmp/a/scenario.yaml' &&
  grep -qx 'set,\"servers.count=2,3\"' '$tmp/a/provenance.csv' &&
  grep -qx 'set,\"population.lan.users=300,500\"' '$tmp/a/provenance.csv' &&
  grep -qx 'points,4' '$tmp/a/provenance.csv' && grep -q '^lbsim_version,' '$tmp/a/provenance.csv' &&
  grep -q '^command_line,.* sweep -j 2 --no-plot ' '$tmp/a/provenance.csv' &&
  grep -qx 'seed,3' '$tmp/a/provenance.csv' && grep -qx 'replications,2' '$tmp/a/provenance.csv'"

# Each point, run on its own with lbsim run, gives the same rows.
for servers in 2 3; do
  for users in 300 500; do
    scenario $servers $users >"$tmp/p.yaml"
    check "point servers=$servers users=$users equals lbsim run" bash -c "
      '$lbsim' run -q -j 1 -o '$tmp/p$servers-$users' '$tmp/p.yaml' &&
      tail -n +2 '$tmp/p$servers-$users/summary.csv' >'$tmp/want' &&
      grep '^$servers,$users,' '$tmp/a/sweep.csv' | cut -d, -f3- >'$tmp/got' &&
      [ -s '$tmp/got' ] && cmp -s '$tmp/want' '$tmp/got'"
  done
done

check "-j 1 gives the same bytes as -j 2" bash -c "
  '$lbsim' sweep -q -j 1 --no-plot -o '$tmp/b' --set servers.count=2,3 \
    --set population.lan.users=300,500 '$tmp/s.yaml' >/dev/null &&
  cmp '$tmp/a/sweep.csv' '$tmp/b/sweep.csv'"
check "-q: no progress" bash -c "
  '$lbsim' sweep -q --no-plot -o '$tmp/q' --set servers.count=2 '$tmp/s.yaml' 2>'$tmp/err' >/dev/null &&
  [ ! -s '$tmp/err' ]"

check "sweep draws a plot per headline metric" bash -c "
  '$lbsim' sweep -q -o '$tmp/p' --set design.*.check.inter=2s,5s --set servers.count=2,3 '$tmp/s.yaml' >/dev/null &&
  for m in response_p99 server_busy_max peak_to_mean failed_requests lb_cpu_cores lb_mem_bytes; do
    [ \"\$(head -c 4 '$tmp/p/'sweep_\$m.png | od -An -c | tr -d ' ')\" = '211PNG' ] || exit 1
    grep -q '<svg' '$tmp/p/'sweep_\$m.svg || exit 1
  done"
check "durations are swept in seconds" bash -c "
  grep -q '^2,2,l4,' '$tmp/p/sweep.csv' && grep -q '^5,3,l7,' '$tmp/p/sweep.csv'"
check "without gnuplot the CSV is kept and the sweep succeeds" bash -c "
  PATH=/nonexistent '$lbsim' sweep -q -o '$tmp/ng' --set servers.count=2 '$tmp/s.yaml' 2>'$tmp/err' >/dev/null &&
  [ -s '$tmp/ng/sweep.csv' ] && grep -q 'gnuplot is not installed' '$tmp/err'"

# plan
check "plan without a target: 2" status_is 2 "$lbsim" plan "$tmp/s.yaml"
check "  says which targets exist" says "plan needs a target"
check "plan: bad target: 2" status_is 2 "$lbsim" plan --max-server-busy 2 "$tmp/s.yaml"
check "plan: unknown workload: 2" status_is 2 "$lbsim" plan --max-p99 web=100 "$tmp/s.yaml"
check "plan: --set with several values: 2" status_is 2 "$lbsim" plan --max-server-busy 0.7 --set servers.count=2,3 "$tmp/s.yaml"
check "  says to sweep instead" says "takes one value in a plan; sweep several"
check "plan runs: 0" status_is 0 "$lbsim" plan -j 2 --no-plot -o "$tmp/plan" \
  --max-server-busy 0.7 --max-lb-cpu 0.7 --users 400,700 "$tmp/s.yaml"
check "plan.csv: header and a row per users level and design" bash -c "
  head -1 '$tmp/plan/plan.csv' | grep -q '^users,design,servers,spare,server_cores,lb_cores,lb_cpu_cores,lb_cpu_cores_ci95_low,lb_cpu_cores_ci95_high,.*,erlang_size,erlang_busy,erlang_response_p99_ms,erlang_note,evaluations,simulations,met,why,server_busy_max_worst\$' &&
  [ \$(wc -l < '$tmp/plan/plan.csv') -eq 5 ]"
# 400 users x 0.5/s x 10 ms = 2 cores of work; at most 0.7 busy over
# 2-core servers: ceil(2 / 1.4) = 2 servers (1 would be 100 % busy);
# 700 users: ceil(3.5 / 1.4) = 3 (0.58 busy; 2 would be 0.88).
check "plan finds the servers the load needs" bash -c "
  grep -q '^400,l4,2,0,2,1,' '$tmp/plan/plan.csv' && grep -q '^700,l4,3,0,2,1,' '$tmp/plan/plan.csv' &&
  [ \$(grep -c ',yes,' '$tmp/plan/plan.csv') -eq 4 ]"
check "plan says how many simulations it ran" grep -q '^[0-9]* simulation(s) in [0-9]* round(s)' "$tmp/stdout"
check "plan prints its scope" grep -q '^Scope: "servers" are .* CPU' "$tmp/stdout"
check "the plan folder keeps the scenario and its provenance" bash -c "
  cmp -s '$tmp/s.yaml' '$tmp/plan/scenario.yaml' &&
  grep -qx \"targets,'--max-server-busy 0.7 --max-lb-cpu 0.7\" '$tmp/plan/provenance.csv' &&
  grep -qx 'users_levels,\"400,700\"' '$tmp/plan/provenance.csv' &&
  grep -qx 'spare,0' '$tmp/plan/provenance.csv' && grep -q '^scope,' '$tmp/plan/provenance.csv'"
# N+1: one spare server more than the load needs, and the M/M/c
# reference agrees (open Poisson traffic, exponential demand).
check "plan --spare 1: one server more" bash -c "
  '$lbsim' plan -q -j 2 --no-plot -o '$tmp/spare' --spare 1 --max-server-busy 0.7 --users 400,700 '$tmp/s.yaml' &&
  grep -q '^400,l4,3,1,2,' '$tmp/spare/plan.csv' && grep -q '^700,l4,4,1,2,' '$tmp/spare/plan.csv' &&
  awk -F, 'NR > 1 && \$25 != \$3 { bad++ } END { exit bad != 0 }' '$tmp/spare/plan.csv' &&
  grep -qx 'spare,1' '$tmp/spare/provenance.csv'"
# --every-replication judges the worst replication: never fewer servers
# than the mean asks, and the worst busy is never below the mean's.
check "plan --every-replication: the worst replication decides" bash -c "
  '$lbsim' plan -q -j 2 --no-plot -o '$tmp/every' --every-replication --max-server-busy 0.7 --users 400,700 '$tmp/s.yaml' &&
  paste -d, <(cut -d, -f1-3 '$tmp/plan/plan.csv') <(cut -d, -f3 '$tmp/every/plan.csv') |
    awk -F, 'NR > 1 && \$4 < \$3 { bad++ } END { exit bad != 0 }' &&
  awk -F, 'NR > 1 && \$NF < \$16 { bad++ } END { exit NR < 3 || bad != 0 }' '$tmp/every/plan.csv' &&
  grep -qx \"targets,'--max-server-busy 0.7 --every-replication\" '$tmp/every/provenance.csv'"
check "plan --spare: a bad value is 2" status_is 2 "$lbsim" plan --spare x --max-server-busy 0.7 "$tmp/s.yaml"
check "plan draws plan.png and plan.svg" bash -c "
  '$lbsim' plan -q -o '$tmp/plan2' --max-server-busy 0.7 --users 400,700 '$tmp/s.yaml' >/dev/null &&
  [ \"\$(head -c 4 '$tmp/plan2/plan.png' | od -An -c | tr -d ' ')\" = '211PNG' ] && grep -q '<svg' '$tmp/plan2/plan.svg'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
