#!/usr/bin/env bash
# lbsim check: exit 0 when every expectation passes, 1 when one fails,
# 2 on bad input; every bundled scenario validates; --baseline catches a
# changed figure. Usage: cli_check.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

for f in "$src"/scenarios/*.yaml; do
  check "bundled $(basename "$f") validates" bash -c "'$lbsim' validate '$f' >/dev/null"
done

base() { # a small scenario with the given expect lines
  cat <<YAML
name: check test
duration: 3m
warmup: 20s
seed: 5
replications: 3
servers: { count: 4, cores: 4 }
populations:
  - { name: office, users: 600, source: nat, addresses: 2, clients: [owa] }
designs:
  - { name: hash, kind: l4, balance: source }
  - { name: rr, kind: l4, balance: roundrobin }
YAML
  [ $# -gt 0 ] && printf 'expect:\n' && printf '  %s\n' "$@"
}
base '- { design: rr, metric: jain, min: 0.95 }' '- { design: hash, metric: jain, max: 0.55 }' >"$tmp/pass.yaml"
base '- { design: rr, metric: jain, min: 0.95 }' '- { design: hash, metric: jain, min: 0.9 }' >"$tmp/fail.yaml"
base >"$tmp/none.yaml"
base '- { design: rr, metric: jian, min: 0.95 }' >"$tmp/bad.yaml"

check "all pass: exit 0, a PASS line each and the count" bash -c "
  '$lbsim' check -q -o '$tmp/o1' '$tmp/pass.yaml' >'$tmp/pass.out'; [ \$? -eq 0 ] &&
  [ \$(grep -c '^PASS ' '$tmp/pass.out') -eq 2 ] && grep -q '^2 passed, 0 failed\$' '$tmp/pass.out'"
check "one fails: exit 1, the FAIL line names the file and line" bash -c "
  '$lbsim' check -q -o '$tmp/o2' '$tmp/fail.yaml' >'$tmp/fail.out'; [ \$? -eq 1 ] &&
  grep -q '^FAIL  $tmp/fail.yaml:14: hash jain (all) = ' '$tmp/fail.out' && grep -q '^1 passed, 1 failed\$' '$tmp/fail.out'"
check "no expect list: exit 2" bash -c "
  '$lbsim' check -q -o '$tmp/o3' '$tmp/none.yaml' 2>'$tmp/none.err'; [ \$? -eq 2 ] && grep -q 'nothing to check' '$tmp/none.err'"
check "unknown metric: exit 2 with a suggestion, nothing run" bash -c "
  '$lbsim' check -q -o '$tmp/o4' '$tmp/bad.yaml' 2>'$tmp/bad.err'; [ \$? -eq 2 ] &&
  grep -q \"did you mean 'jain'\" '$tmp/bad.err' && [ ! -e '$tmp/o4' ]"
check "baseline: the same run again has no change" bash -c "
  '$lbsim' check -q -o '$tmp/o5' --baseline '$tmp/o1/summary.csv' '$tmp/pass.yaml' >'$tmp/b1.out'; [ \$? -eq 0 ] &&
  grep -q ', 0 changed beyond tolerance' '$tmp/b1.out'"
check "baseline: another traffic level is a change" bash -c "
  '$lbsim' check -q -o '$tmp/o6' --scale 2 --baseline '$tmp/o1/summary.csv' '$tmp/pass.yaml' >'$tmp/b2.out'; [ \$? -eq 1 ] &&
  grep -q '^CHANGED  rr requests_sent (all)' '$tmp/b2.out'"
check "baseline: a generous tolerance on one metric lets it pass" bash -c "
  '$lbsim' check -q -o '$tmp/o7' --baseline '$tmp/o1/summary.csv' --tolerance 10 '$tmp/pass.yaml' --scale 2 >'$tmp/b3.out'; [ \$? -eq 0 ]"
check "missing baseline file: exit 2" bash -c "
  '$lbsim' check -q -o '$tmp/o8' --baseline '$tmp/nope.csv' '$tmp/pass.yaml' 2>/dev/null; [ \$? -eq 2 ]"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
