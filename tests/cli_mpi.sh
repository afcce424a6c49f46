#!/usr/bin/env bash
# lbsim under mpirun: two ranks on this machine give sweep.csv and
# plan.csv byte-identical to a single-process run. With an lbsim built
# without MPI (the regular build), mpirun with two ranks must be refused
# (exit 2, saying how to rebuild) rather than run the whole job twice.
# scripts/test runs this on the -DLBSIM_MPI=ON build with
# LBSIM_EXPECT_MPI=1, where a binary without MPI, or no mpirun, fails.
# Usage: cli_mpi.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
expect_mpi=${LBSIM_EXPECT_MPI:-0}
. "$(dirname "$0")/lib_cli.sh"

if ! command -v mpirun >/dev/null; then
  if [ "$expect_mpi" = 1 ]; then
    echo "FAILED: mpirun not found (scripts/setup installs openmpi-bin)"
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "mpirun not found: nothing to test without OpenMPI (scripts/setup installs it)"
  exit 0
fi

# Root may run OpenMPI only when it says so (CI runs as root); two ranks
# on a 2-core machine that may be busy: allow oversubscription.
mpi=(mpirun --oversubscribe -np 2)
[ "$(id -u)" -eq 0 ] && mpi+=(--allow-run-as-root)

cat >"$tmp/s.yaml" <<'YAML'
name: mpi test
duration: 40s
warmup: 5s
seed: 9
replications: 3
servers: { count: 3, cores: 2, service: 10ms }
populations:
  - { name: lan, users: 400, rate: 0.5 }
  - { name: branch, users: 200, rate: 0.5, source: nat, addresses: 4 }
designs:
  - { name: l4, kind: l4, balance: source }
  - { name: l7, kind: l7, persist: { method: cookie } }
YAML
sets=(--set servers.count=2,3,5 --set population.branch.addresses=1,8)

timeout 300 "${mpi[@]}" "$lbsim" sweep -q --no-plot -j 1 -o "$tmp/mpi" "${sets[@]}" "$tmp/s.yaml" \
  >"$tmp/stdout" 2>"$tmp/stderr"
status=$?

if grep -q 'built without MPI' "$tmp/stderr"; then
  if [ "$expect_mpi" = 1 ]; then
    echo "FAILED: $lbsim was built without MPI (configure with -DLBSIM_MPI=ON)"
    echo "0 passed, 1 failed"
    exit 1
  fi
  check "without MPI, two ranks are refused: exit 2" [ "$status" -eq 2 ]
  check "  and nothing is written" [ ! -e "$tmp/mpi" ]
  check "  the message says how to rebuild" grep -q 'cmake -DLBSIM_MPI=ON' "$tmp/stderr"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
fi

check "two-rank sweep: exit 0" bash -c "[ $status -eq 0 ] || { head -5 '$tmp/stderr'; exit 1; }"
check "one-process sweep: exit 0" "$lbsim" sweep -q --no-plot -j 2 -o "$tmp/local" "${sets[@]}" "$tmp/s.yaml"
check "two ranks give the bytes of one process" cmp "$tmp/local/sweep.csv" "$tmp/mpi/sweep.csv"
check "two ranks of two threads too" bash -c "
  timeout 300 ${mpi[*]} '$lbsim' sweep -q --no-plot -j 2 -o '$tmp/mpi2' ${sets[*]} '$tmp/s.yaml' &&
  cmp '$tmp/local/sweep.csv' '$tmp/mpi2/sweep.csv'"

# A plan decides each step from the gathered results: every rank must
# take the same steps and rank 0 write the same answer.
plan=(plan -q --no-plot --max-server-busy 0.7 --max-lb-cpu 0.7 --users 300,900)
check "one-process plan" "$lbsim" "${plan[@]}" -j 2 -o "$tmp/plan-local" "$tmp/s.yaml"
check "two-rank plan gives the same plan.csv" bash -c "
  timeout 300 ${mpi[*]} '$lbsim' ${plan[*]} -j 1 -o '$tmp/plan-mpi' '$tmp/s.yaml' &&
  cmp '$tmp/plan-local/plan.csv' '$tmp/plan-mpi/plan.csv'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
