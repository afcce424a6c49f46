#!/usr/bin/env bash
# servers: list: from the command line: --set on a nested server path
# (servers.list.N.KEY) gives the same bytes as the file edited by hand,
# and a bad server list is `file:line:column: what is wrong`, exit 2,
# nothing written. The edited files are written out here by hand.
# Usage: cli_servers.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
. "$(dirname "$0")/lib_cli.sh"

cat >"$tmp/base.yaml" <<'YAML'
# Three servers, one listed in block style and two in flow style.
name: servers test
duration: 20s
warmup: 5s
seed: 3
servers:
  service: 5ms
  cores: 2
  list:
    - weight: 2
    - {weight: 1, cores: 4}
    - {}
populations:
  - { name: lan, users: 300, rate: 0.5 }
designs:
  - { name: rr, kind: l7, balance: roundrobin }
  - { name: lc, kind: l4, balance: leastconn }
YAML

edited() { sed -f /dev/stdin "$tmp/base.yaml" >"$tmp/$1.yaml"; }

same() { same_as_edited "$@"; }

# differs NAME: the edit changed the results (so "same" compares runs
# that a server's settings reach).
differs() { ! cmp -s "$tmp/want-$1/servers.csv" "$tmp/want-base/servers.csv"; }

"$lbsim" run -q -j 1 -o "$tmp/want-base" "$tmp/base.yaml" >/dev/null 2>&1

edited weight <<'SED'
s/    - weight: 2/    - weight: 5/
SED
check "servers.list.1.weight (block entry, value there) equals the edited file" \
  same weight --set servers.list.1.weight=5
check "... and the weight reaches the results" differs weight

edited cores <<'SED'
s/    - {}/    - {cores: 1}/
SED
check "servers.list.3.cores (flow entry, key added) equals the edited file" \
  same cores --set servers.list.3.cores=1
check "... and the cores reach the results" differs cores

edited both <<'SED'
s/    - {weight: 1, cores: 4}/    - {weight: 3, cores: 4}/
s/    - weight: 2/    - weight: 2\n      cores: 8/
SED
check "two nested server keys at once equal the edited file" \
  same both --set servers.list.2.weight=3 --set servers.list.1.cores=8

# Bad values: the loader's own message at the place of the value.
bad() { # name, want (a fixed string of stderr), lbsim arguments...
  local want=$2
  shift 2
  status_is 2 "$lbsim" run -q -o "$tmp/none" "$@" &&
    grep -qF -- "$want" "$tmp/stderr" && [ ! -e "$tmp/none" ] &&
    [ ! -s "$tmp/stdout" ] || { echo "  stderr: $(head -2 "$tmp/stderr")"; return 1; }
}
check "--set servers.list.2.weight=300 is refused with the weight's range" \
  bad w "'weight' must be a whole number from 0 to 256, got '300'" \
  --set servers.list.2.weight=300 "$tmp/base.yaml"
check "--set servers.list.4.weight names an entry the list lacks" \
  bad e "servers.list has no entry '4' (entries 1 to 3" --set servers.list.4.weight=1 \
  "$tmp/base.yaml"
check "--set servers.list.1.wieght suggests weight" \
  bad k "did you mean 'weight'?" --set servers.list.1.wieght=1 "$tmp/base.yaml"
check "--set servers.count=2 below the list is placed at count" \
  bad c "count 2 is less than the 3 servers of the list" --set servers.count=2 "$tmp/base.yaml"

# A bad list in a file: file:line:column.
sed 's/    - {weight: 1, cores: 4}/    - {weight: -1, cores: 4}/' "$tmp/base.yaml" >"$tmp/neg.yaml"
check "a negative weight in the file is file:line:column" \
  bad n "$tmp/neg.yaml:11:16: 'weight' must be a whole number from 0 to 256, got '-1'" \
  "$tmp/neg.yaml"

# A server's own address: NGINX's consistent hash builds its ring from
# each server's HOST:PORT (tests/test_lb_parity.c checks the core against
# a real NGINX). The list naming the default addresses gives the same
# bytes as no addresses; other addresses move clients.
cat >"$tmp/ng.yaml" <<'YAML'
name: server addresses
duration: 20s
warmup: 5s
seed: 3
servers:
  service: 5ms
  cores: 2
  count: 4
  list:
    - {}
    - {}
populations:
  - { name: lan, users: 300, rate: 0.5, source: nat, addresses: 40 }
designs:
  - { name: ng, kind: l7, balance: source, hash-type: consistent, profile: nginx }
YAML
sed -e '0,/    - {}/s//    - { address: 127.0.0.1:10001 }/' -e 's/    - {}/    - { address: 127.0.0.1:10002 }/' \
  "$tmp/ng.yaml" >"$tmp/ng-default.yaml"
sed -e '0,/    - {}/s//    - { address: 10.0.1.11:443 }/' -e 's/    - {}/    - { address: "[2001:db8::7]:443" }/' \
  "$tmp/ng.yaml" >"$tmp/ng-own.yaml"
check "servers.list addresses equal to the defaults: the same bytes" bash -c "
  grep -c 'address: 127.0.0.1:1000[12]' '$tmp/ng-default.yaml' | grep -qx 2 &&
  '$lbsim' run -q -j 1 -o '$tmp/ng-a' '$tmp/ng.yaml' && '$lbsim' run -q -j 1 -o '$tmp/ng-b' '$tmp/ng-default.yaml' &&
  cmp '$tmp/ng-a/servers.csv' '$tmp/ng-b/servers.csv' && cmp '$tmp/ng-a/summary.csv' '$tmp/ng-b/summary.csv'"
check "servers.list addresses of their own reach the ring" bash -c "
  '$lbsim' run -q -j 1 -o '$tmp/ng-c' '$tmp/ng-own.yaml' && ! cmp -s '$tmp/ng-a/servers.csv' '$tmp/ng-c/servers.csv'"
check "--set servers.list.2.address equals the edited file" bash -c "
  sed 's/    - { address: \"\\[2001:db8::7\\]:443\" }/    - { address: 127.0.0.1:10002 }/' '$tmp/ng-own.yaml' >'$tmp/ng-set.yaml' &&
  grep -q 'address: 127.0.0.1:10002' '$tmp/ng-set.yaml' &&
  '$lbsim' run -q -j 1 -o '$tmp/ng-d' '$tmp/ng-set.yaml' &&
  '$lbsim' run -q -j 1 -o '$tmp/ng-e' --set servers.list.2.address=127.0.0.1:10002 '$tmp/ng-own.yaml' &&
  cmp '$tmp/ng-d/servers.csv' '$tmp/ng-e/servers.csv'"
sed '0,/    - {}/s//    - { address: 127.0.0.1:10003 }/' "$tmp/ng.yaml" >"$tmp/ng-x.yaml"
check "a server address shared with a default one is file:line:column" \
  bad a "$tmp/ng-x.yaml:10:7: server 1's address 127.0.0.1:10003 is also server 3's (by default" \
  "$tmp/ng-x.yaml"
# A plan that grows servers.count gives the servers it adds the default
# addresses: server 6 would take 127.0.0.1:10006, which the list gave
# server 1. Said before any run, exit 2, nothing written; below that size
# the plan runs.
sed '0,/    - {}/s//    - { address: 127.0.0.1:10006 }/' "$tmp/ng.yaml" >"$tmp/ng-grow.yaml"
check "a plan growing the pool onto a listed address: 2, named, nothing written" bash -c "
  '$lbsim' plan -q -o '$tmp/never-grow' --max-server-busy 0.5 '$tmp/ng-grow.yaml' 2>'$tmp/grow.err'; [ \$? -eq 2 ] &&
  grep -q 'growing to 6 servers would give server 6 the address 127.0.0.1:10006, which server 1 has' '$tmp/grow.err' &&
  grep -q -- '--max-size 5' '$tmp/grow.err' && [ ! -e '$tmp/never-grow' ]"
check "the same plan with --max-size 5 runs" \
  status_is 0 "$lbsim" plan -q -o "$tmp/grow5" --max-size 5 --max-server-busy 0.5 "$tmp/ng-grow.yaml"

# A saturated server: its cores' time bounds its busy fraction (a health
# probe's work, added without taking a core, once made it 1.000003).
# Server 2 of weight 3 gets 3/5 of 1,000 requests/s of 10 ms: 6 cores of
# work on 4.
cat >"$tmp/sat.yaml" <<'YAML'
name: saturated
duration: 1m
warmup: 10s
seed: 3
servers:
  count: 3
  cores: 4
  service: 10ms
  list: [{}, {weight: 3}]
populations:
  - { name: lan, users: 2000, rate: 0.5 }
designs:
  - { name: rr, kind: l4, balance: roundrobin }
YAML
check "a saturated server is busy 1, not more" bash -c "
  '$lbsim' run -q -o '$tmp/sat' '$tmp/sat.yaml' &&
  grep -qx 'rr,server_busy_max,all,fraction,1,,,1' '$tmp/sat/summary.csv' &&
  awk -F, 'NR > 1 && (\$10 > 1 || \$11 > 1 || \$12 > 1) { bad++ } END { exit bad != 0 }' '$tmp/sat/servers.csv' &&
  awk -F, 'NR > 1 && \$2 == 2 && \$10 == 1 { ok++ } END { exit ok != 1 }' '$tmp/sat/servers.csv'"

# Weights, maxconn, backup and timeout queue through HAProxy: the export
# writes them on the server lines (and the backend), haproxy -c accepts it,
# the import reads them back into the list, and the import exports to the
# same configuration.
if command -v haproxy >/dev/null && command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/k.pem" -out "$tmp/c.pem" -days 1 \
    -subj /CN=mail.contoso.com 2>/dev/null && cat "$tmp/c.pem" "$tmp/k.pem" >"$tmp/site.pem"
  sed -e 's/    - {}/    - {weight: 0, maxconn: 40, backup: true}/' \
      -e 's/  cores: 2/  cores: 2\n  maxconn: 100/' \
      -e 's/balance: roundrobin }/balance: roundrobin, timeout-queue: 2s }/' \
    "$tmp/base.yaml" >"$tmp/hap.yaml"
  for d in rr lc; do
    check "export-haproxy -d $d writes the weights; haproxy -c accepts it" bash -c "
      '$lbsim' export-haproxy -q -d $d --crt '$tmp/site.pem' -o '$tmp/$d.cfg' '$tmp/hap.yaml' &&
      haproxy -c -q -f '$tmp/$d.cfg' &&
      grep -q 'server cas1 [^ ]* weight 2 maxconn 100\$' '$tmp/$d.cfg' &&
      grep -q 'server cas3 [^ ]* weight 0 maxconn 40 backup\$' '$tmp/$d.cfg' &&
      ! grep -q 'server cas2 .*weight' '$tmp/$d.cfg'"
    check "import-haproxy reads them back; it exports to the same configuration" bash -c "
      '$lbsim' import-haproxy -q -o '$tmp/back-$d.yaml' '$tmp/$d.cfg' &&
      grep -qx '    - { weight: 2, maxconn: 100, address: \"192.0.2.1:[0-9]*\" }' '$tmp/back-$d.yaml' &&
      grep -qx '    - { maxconn: 100, address: \"192.0.2.2:[0-9]*\" }' '$tmp/back-$d.yaml' &&
      grep -qx '    - { weight: 0, maxconn: 40, backup: true, address: \"192.0.2.3:[0-9]*\" }' '$tmp/back-$d.yaml' &&
      '$lbsim' export-haproxy -q --crt '$tmp/site.pem' -o '$tmp/again-$d.cfg' '$tmp/back-$d.yaml' &&
      diff <(grep -v '^#' '$tmp/$d.cfg') <(grep -v '^#' '$tmp/again-$d.cfg') >/dev/null"
  done
  # The scenario's own server addresses go out on the server lines (and
  # come back); --server-base asks for placeholders; a name is noted.
  sed -e '0,/    - weight: 2/s//    - weight: 2\n      address: 10.0.1.11:8443/' \
      -e 's/    - {weight: 1, cores: 4}/    - {weight: 1, cores: 4, address: "[2001:db8::7]:443"}/' \
    "$tmp/hap.yaml" >"$tmp/own.yaml"
  check "export-haproxy writes the scenario's addresses; import reads them back" bash -c "
    '$lbsim' export-haproxy -q -d lc --crt '$tmp/site.pem' -o '$tmp/own.cfg' '$tmp/own.yaml' &&
    haproxy -c -q -f '$tmp/own.cfg' &&
    grep -q '^    server cas1 10.0.1.11:8443 weight 2' '$tmp/own.cfg' &&
    grep -q '^    server cas2 \\[2001:db8::7\\]:443' '$tmp/own.cfg' &&
    grep -q '^    server cas3 127.0.0.1:10003' '$tmp/own.cfg' &&
    grep -q 'Server addresses are the scenario' '$tmp/own.cfg' &&
    '$lbsim' import-haproxy -q -o '$tmp/own-back.yaml' '$tmp/own.cfg' &&
    grep -q 'address: \"\\[2001:db8::7\\]:443\"' '$tmp/own-back.yaml' &&
    '$lbsim' export-haproxy -q --crt '$tmp/site.pem' -o '$tmp/own-again.cfg' '$tmp/own-back.yaml' &&
    diff <(grep -v '^#' '$tmp/own.cfg') <(grep -v '^#' '$tmp/own-again.cfg') >/dev/null"
  check "export-haproxy says which servers kept lbsim's default loopback address" bash -c "
    '$lbsim' export-haproxy -d lc --crt '$tmp/site.pem' -o '$tmp/own-n.cfg' '$tmp/own.yaml' 2>'$tmp/own.err' &&
    grep -q 'the first cas3) have lbsim.s default loopback address' '$tmp/own.err'"
  check "export-haproxy --server-base writes placeholders whatever the scenario says" bash -c "
    '$lbsim' export-haproxy -q -d lc --server-base 192.0.2.50 --crt '$tmp/site.pem' -o '$tmp/ph.cfg' '$tmp/own.yaml' &&
    grep -q '^    server cas1 192.0.2.50:443 weight 2' '$tmp/ph.cfg'"
  sed 's/^    server cas1 [^ ]*/    server cas1 cas1.contoso.com:443/' "$tmp/own.cfg" >"$tmp/name.cfg"
  check "import-haproxy: a server named, not addressed, is noted and left out" bash -c "
    '$lbsim' import-haproxy -o '$tmp/name.yaml' '$tmp/name.cfg' 2>'$tmp/name.err' &&
    grep -q \"cas1.contoso.com:443 is not an address with its port\" '$tmp/name.err' &&
    ! grep -q '^ .*address: .*contoso' '$tmp/name.yaml' && grep -q 'address: \"\\[2001:db8::7\\]:443\"' '$tmp/name.yaml'"
  check "timeout-queue goes out as timeout queue and comes back" bash -c "
    grep -qx '    timeout queue 2s' '$tmp/rr.cfg' && grep -q 'timeout-queue: 2s' '$tmp/back-rr.yaml'"
else
  check "haproxy and openssl are installed (scripts/setup)" false
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
