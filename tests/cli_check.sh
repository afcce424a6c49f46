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
  - { name: ${rr:-rr}, kind: l4, balance: roundrobin }
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

# Verdicts for CI: JUnit XML (one test case per expectation, the measured
# interval in the failure message) and JSON, both well formed whatever
# the names hold.
check "--junit and --json: written, exit still 1 on a failure" bash -c "
  '$lbsim' check -q -o '$tmp/j1' --junit '$tmp/j1.xml' --json '$tmp/j1.json' '$tmp/fail.yaml' >/dev/null; [ \$? -eq 1 ] &&
  [ -s '$tmp/j1.xml' ] && [ -s '$tmp/j1.json' ]"
check "JUnit: well formed, a test case per expectation, one failure with its interval" bash -c "
  xmllint --noout '$tmp/j1.xml' &&
  [ \$(xmllint --xpath 'count(/testsuites/testsuite/testcase)' '$tmp/j1.xml') = 2 ] &&
  [ \$(xmllint --xpath 'count(//testcase/failure)' '$tmp/j1.xml') = 1 ] &&
  [ \$(xmllint --xpath 'string(/testsuites/@failures)' '$tmp/j1.xml') = 1 ] &&
  xmllint --xpath 'string(//failure/@message)' '$tmp/j1.xml' | grep -q '^FAIL  .*fail.yaml:14: hash jain (all) = [0-9.e+-]* \[[0-9.e+-]*, [0-9.e+-]*\] index, expected >= 0.9' &&
  [ \$(xmllint --xpath 'string(//testcase[failure]/@line)' '$tmp/j1.xml') = 14 ] &&
  xmllint --xpath 'string(//testcase[not(failure)]/system-out)' '$tmp/j1.xml' | grep -q '^PASS '"
check "JSON: the verdicts with their intervals" bash -c "
  [ \"\$(jq -r '.result, .passed, .failed, (.expectations | length), .baseline' '$tmp/j1.json' | tr '\n' ' ')\" = 'fail 1 1 2 null ' ] &&
  jq -e '.expectations | all(.ci95_low <= .mean and .mean <= .ci95_high)' '$tmp/j1.json' >/dev/null &&
  [ \"\$(jq -r '.expectations[1] | [.design, .metric, .scope, .verdict, .min] | join(\" \")' '$tmp/j1.json')\" = 'hash jain all fail 0.9' ]"
check "JUnit and JSON with --baseline: a test case per figure compared" bash -c "
  '$lbsim' check -q -o '$tmp/j2' --baseline '$tmp/o1/summary.csv' --junit '$tmp/j2.xml' --json '$tmp/j2.json' '$tmp/pass.yaml' >'$tmp/j2.out' &&
  n=\$(sed -n 's/^baseline: \\([0-9]*\\) figures compared.*/\\1/p' '$tmp/j2.out') && [ \"\$n\" -gt 50 ] &&
  [ \$(xmllint --xpath 'count(/testsuites/testsuite[2]/testcase)' '$tmp/j2.xml') = \"\$n\" ] &&
  [ \$(xmllint --xpath 'count(//failure)' '$tmp/j2.xml') = 0 ] &&
  [ \"\$(jq -r '.result, .baseline.compared, .baseline.changed, (.baseline.figures | length)' '$tmp/j2.json' | tr '\n' ' ')\" = \"pass \$n 0 \$n \" ]"
# --every-replication: the worst replication decides. Two NAT addresses
# hashed onto 4 servers share one server with chance 1/4 (balls into
# bins), and then peak_to_mean is 4 (all load on 1 of 4) against 2
# otherwise: with 12 replications the mean passes <= 3 while a
# replication where they collided fails it.
cat >"$tmp/draw.yaml" <<'YAML'
name: check test
duration: 3m
warmup: 20s
seed: 5
replications: 12
servers: { count: 4, cores: 4 }
populations:
  - { name: office, users: 600, source: nat, addresses: 2, clients: [owa] }
designs:
  - { name: hash, kind: l4, balance: source }
  - { name: rr, kind: l4, balance: roundrobin }
expect:
  - { design: hash, metric: peak_to_mean, max: 3 }
  - { design: rr, metric: peak_to_mean, max: 1.2 }
YAML
check "--every-replication: the mean passes, a collided draw fails" bash -c "
  '$lbsim' check -q -o '$tmp/e1' '$tmp/draw.yaml' >'$tmp/e1.out' &&
  '$lbsim' check -q -o '$tmp/e2' --every-replication --json '$tmp/e2.json' '$tmp/draw.yaml' >'$tmp/e2.out'; [ \$? -eq 1 ] &&
  grep -q '^FAIL  .*draw.yaml:13: hash peak_to_mean (all) = .*, replications 2[.0-9]* to 4[.0-9]*, expected <= 3 in every replication\$' '$tmp/e2.out' &&
  grep -q '^PASS  .*draw.yaml:14: rr peak_to_mean' '$tmp/e2.out'"
check "--every-replication: the range is the replications' of runs.csv" bash -c "
  hi=\$(awk -F, '\$1 == \"hash\" && \$3 == \"peak_to_mean\" && \$4 == \"all\" && \$6 > m { m = \$6 } END { print m }' '$tmp/e2/runs.csv') &&
  n=\$(awk -F, '\$1 == \"hash\" && \$3 == \"peak_to_mean\" && \$4 == \"all\" && \$6 > 3 { n++ } END { print n + 0 }' '$tmp/e2/runs.csv') &&
  [ \$n -ge 1 ] && [ \$n -le 6 ] &&
  jq -e --argjson hi \$hi '.judge == \"every-replication\" and (.expectations[0] | .replication_largest == \$hi and .verdict == \"fail\")' '$tmp/e2.json' >/dev/null &&
  grep -qx 'every_replication,yes' '$tmp/e2/provenance.csv'"
check "--strict with --every-replication: 2, nothing run" bash -c "
  '$lbsim' check -q -o '$tmp/e3' --strict --every-replication '$tmp/draw.yaml' 2>'$tmp/e3.err'; [ \$? -eq 2 ] &&
  [ ! -e '$tmp/e3' ] && grep -q 'choose one' '$tmp/e3.err'"
# Names that XML, JSON or a shell would read as markup stay text.
odd="'<rr> \"&\" ''x'''"   # YAML for the name <rr> "&" 'x'
rr=$odd base "- { design: $odd, metric: jain, min: 0.95 }" >"$tmp/odd.yaml"
check "odd design names: JUnit well formed, JSON gives the name back" bash -c "
  '$lbsim' check -q -o '$tmp/j3' --junit '$tmp/j3.xml' --json '$tmp/j3.json' '$tmp/odd.yaml' >/dev/null &&
  xmllint --noout '$tmp/j3.xml' &&
  [ \"\$(jq -r '.expectations[0].design' '$tmp/j3.json')\" = \"<rr> \\\"&\\\" 'x'\" ]"
check "--junit into a folder that does not exist: 2, nothing run" bash -c "
  '$lbsim' check -q -o '$tmp/j4' --junit '$tmp/nowhere/j.xml' '$tmp/pass.yaml' 2>'$tmp/j4.err'; [ \$? -eq 2 ] &&
  [ ! -e '$tmp/j4' ] && grep -q nowhere '$tmp/j4.err'"
check "--junit with run: 2" bash -c "
  '$lbsim' run -q -o '$tmp/j5' --junit '$tmp/j5.xml' '$tmp/pass.yaml' 2>'$tmp/j5.err'; [ \$? -eq 2 ] &&
  grep -q 'applies to check only' '$tmp/j5.err'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
