#!/usr/bin/env bash
# Address plans end to end: a scenario with every kind of plan (prefixes
# and shapes, a list, a weighted file of IPv4 and IPv6 addresses, sites)
# runs, gives the same bytes at any -j and the same seed, and its source
# hashing skew differs between replications (the addresses are drawn per
# replication); an address file is read beside the scenario.
#
# Usage: cli_addresses.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
. "$(dirname "$0")/lib_cli.sh"

mkdir -p "$tmp/s"
printf '# branch gateways seen in a log, with counts\n192.0.2.1 40\n198.51.100.1, 10\n2001:db8:1::1 25\n\n203.0.113.1 5 # a small one\n' >"$tmp/s/seen.txt"
cat >"$tmp/s/plans.yaml" <<'YAML'
name: address plans
duration: 3m
seed: 5
replications: 6
servers: { count: 8, cores: 8 }
populations:
  - name: branches
    users: 300
    source: nat
    addresses: 1
    sites: 4
    address-plan: { prefixes: [10.0.0.0/12], shape: site }
    clients: [owa]
  - name: carrier
    users: 200
    source: nat
    addresses: 3
    address-plan: { prefixes: [100.64.0.0/10, '2001:db8:ff::/48'], shape: sequential }
    clients: [eas]
  - name: logged
    users: 200
    address-plan: { file: seen.txt }
    clients: [owa]
  - name: listed
    users: 100
    source: nat
    addresses: 2
    address-per: device
    address-plan: { list: [192.0.2.10, 192.0.2.11, 192.0.2.12] }
    clients: [owa, mapi]
designs:
  - { name: hash, kind: l4, balance: source }
  - { name: haproxy, kind: l4, balance: source, profile: haproxy }
  - { name: nginx, kind: l4, balance: source, profile: nginx }
YAML

check "a scenario with every kind of plan validates" status_is 0 "$lbsim" validate "$tmp/s/plans.yaml"
check "it runs" status_is 0 "$lbsim" run -q -j 1 -o "$tmp/a" "$tmp/s/plans.yaml"
check "-j 2: the same bytes" bash -c "
  '$lbsim' run -q -j 2 -o '$tmp/b' '$tmp/s/plans.yaml' &&
  for f in summary runs servers timeseries latency differences; do
    cmp -s '$tmp/a/'\$f.csv '$tmp/b/'\$f.csv || { echo \"  \$f.csv differs\"; exit 1; }
  done"
check "peak_to_mean of source hashing differs between replications" bash -c "
  [ \$(grep '^hash,[0-9]*,peak_to_mean,all,' '$tmp/a/runs.csv' | cut -d, -f6 | sort -u | wc -l) -ge 3 ]"
check "another seed, other addresses: other numbers" bash -c "
  '$lbsim' run -q --seed 6 -o '$tmp/c' '$tmp/s/plans.yaml' &&
  ! cmp -s '$tmp/a/runs.csv' '$tmp/c/runs.csv'"
check "a bad address file: its own file:line:column, exit 2, nothing written" bash -c "
  printf '192.0.2.1\n192.0.2.x\n' >'$tmp/s/seen.txt'
  '$lbsim' run -q -o '$tmp/d' '$tmp/s/plans.yaml' >'$tmp/d.out' 2>'$tmp/d.err'
  [ \$? -eq 2 ] && [ ! -e '$tmp/d' ] && [ ! -s '$tmp/d.out' ] &&
  grep -qx '$tmp/s/seen.txt:2:9: expected a number from 0 to 255' '$tmp/d.err'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
