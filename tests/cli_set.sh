#!/usr/bin/env bash
# --set on run, check and validate: a run with --set PATH=V gives the
# same bytes as a run of the file edited by hand (every results file, and
# the results folder's scenario.yaml is that edited file), for nested
# paths in block and flow mappings, keys the file has and keys it leaves
# out; the loader's messages for a value, and for the rest of the file at
# its line in the file as written; unknown paths suggest the closest.
# The edited files are written out here by hand, not by lbsim.
# Usage: cli_set.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
. "$(dirname "$0")/lib_cli.sh"

says() { # text the last command's stderr must contain
  grep -qF -- "$1" "$tmp/stderr" || { echo "  stderr: $(head -3 "$tmp/stderr")"; return 1; }
}

cat >"$tmp/base.yaml" <<'YAML'
# A small scenario written in both YAML styles, for --set.
name: set test
duration: 20s
warmup: 5s
seed: 7
replications: 2
servers: { count: 3, cores: 2, service: 5ms }
populations:
  - { name: lan, users: 40, clients: [owa, eas] }
  - { name: branch, users: 30, source: nat, addresses: 2, rate: 0.5 }
clients:
  eas:
    changes: 2m   # a busier ActiveSync than the default
designs:
  - name: l4
    kind: l4
    balance: leastconn
    persist:
      method: source-ip
      size: 1000
  - name: l7
    kind: l7
    check: { kind: http, inter: 3s }
faults:
  - { at: 12s, server: 3, for: 4s }
YAML

# edited NAME LINE-NUMBER-OR-PATTERN: the base with one line replaced, or
# lines added, by the sed script on stdin (written by hand per case).
edited() {
  sed -f /dev/stdin "$tmp/base.yaml" >"$tmp/$1.yaml"
}

same() { same_as_edited "$@"; }

edited fall <<'SED'
s/    check: { kind: http, inter: 3s }/    check: { kind: http, inter: 3s, fall: 5 }/
SED
check "designs.l7.check.fall (flow mapping, key added) equals the edited file" \
  same fall --set designs.l7.check.fall=5

edited hold <<'SED'
/    changes: 2m/a\    hold: 5m
SED
check "clients.eas.hold (block mapping, key added) equals the edited file" \
  same hold --set clients.eas.hold=5m

edited owa <<'SED'
/    changes: 2m/a\  owa: {think: 3s}
SED
check "clients.owa.think (mapping added) equals the edited file" \
  same owa --set clients.owa.think=3s

edited netmask <<'SED'
/      size: 1000/a\      netmask: 24
SED
check "designs.l4.persist.netmask equals the edited file" \
  same netmask --set designs.l4.persist.netmask=24

edited costs <<'SED'
/    check: { kind: http, inter: 3s }/a\    costs: {tls-full-rsa-2048: 500us}
SED
check "designs.l7.costs.tls-full-rsa-2048 (two levels added) equals the edited file" \
  same costs --set designs.l7.costs.tls-full-rsa-2048=500us

edited ports <<'SED'
s/addresses: 2, rate: 0.5 }/addresses: 2, rate: 0.5, ports: 1000 }/
SED
check "populations.branch.ports equals the edited file" \
  same ports --set populations.branch.ports=1000

edited demand <<'SED'
s/service: 5ms }/service: 5ms, workloads: {owa: {demand: 4ms}} }/
SED
check "servers.workloads.owa.demand (three levels) equals the edited file" \
  same demand --set servers.workloads.owa.demand=4ms

edited size <<'SED'
s/      size: 1000/      size: 500/
s/^seed: 7/seed: 8/
s/  - { at: 12s, server: 3, for: 4s }/  - { at: 10s, server: 3, for: 4s }/
SED
check "values the file has (seed, persist.size, faults.1.at) equal the edited file" \
  same size --set seed=8 --set designs.l4.persist.size=500 --set faults.1.at=10s

edited all <<'SED'
s/    check: { kind: http, inter: 3s }/    check: { kind: http, inter: 3s, fall: 5 }\n    costs: {tls-full-rsa-2048: 500us}/
/    changes: 2m/a\    hold: 5m
s/service: 5ms }/service: 5ms, workloads: {owa: {demand: 4ms}} }/
SED
check "several nested paths at once equal the edited file" \
  same all --set designs.l7.check.fall=5 --set clients.eas.hold=5m \
  --set servers.workloads.owa.demand=4ms --set designs.l7.costs.tls-full-rsa-2048=500us

edited roundrobin <<'SED'
s/    balance: leastconn/    balance: roundrobin/
/^    persist:$/,/^      size: 1000$/d
SED
check "design.l4.persist=none and the old spelling design.NAME equal the edited file" \
  same roundrobin --set design.l4.balance=roundrobin --set design.l4.persist=none

# Messages.
check "a value out of range: 2" status_is 2 "$lbsim" validate --set designs.l7.check.fall=500 "$tmp/base.yaml"
check "  in the loader's words" says "lbsim: --set designs.l7.check.fall=500: 'fall' must be a whole number from 1 to 100, got '500'"
check "a core limit as the core declares it: 2" status_is 2 "$lbsim" validate --set designs.l4.balance=random --set designs.l4.draws=65 "$tmp/base.yaml"
check "  draws 1 .. 64" says "'draws' must be a whole number from 1 to 64, got '65'"
check "balance random and its draws together: 0" status_is 0 "$lbsim" validate --set designs.l4.balance=random --set designs.l4.draws=64 "$tmp/base.yaml"
check "a key the choice does not take: 2" status_is 2 "$lbsim" validate --set designs.l4.draws=2 "$tmp/base.yaml"
check "  says which algorithm takes it" says "'draws' applies to balance random only, not leastconn"
check "an error elsewhere, after lines were added: 2" status_is 2 "$lbsim" validate \
  --set designs.l7.costs.tls-full-rsa-2048=1us --set servers.count=2 "$tmp/base.yaml"
check "  placed at its line in the file as written" says "base.yaml:25:24: server 3 does not exist: the scenario has 2 servers"
check "an unknown key: 2" status_is 2 "$lbsim" validate --set designs.l7.chek.fall=5 "$tmp/base.yaml"
check "  suggests the closest" says "designs.l7 (a design) has no key 'chek'; did you mean 'check'?"
check "an unknown design: 2" status_is 2 "$lbsim" validate --set designs.l9.kind=l4 "$tmp/base.yaml"
check "  lists the designs" says "designs has no entry 'l9'; did you mean 'l4'? (designs: l4, l7; or * for every one)"
check "a mapping is not a value: 2" status_is 2 "$lbsim" validate --set clients.eas=1 "$tmp/base.yaml"
check "  lists its keys" says "clients.eas is a mapping; give one of its keys (connections, polls, think,"
check "run takes one value per key: 2" status_is 2 "$lbsim" run --set seed=1,2 "$tmp/base.yaml"
check "  says to sweep" says "takes one value in a single run; sweep several with lbsim sweep"
check "* goes where the value applies" bash -c "
  '$lbsim' run -q -j 1 -o '$tmp/star' --set 'designs.*.persist=cookie' '$tmp/base.yaml' >/dev/null &&
  grep -q 'method: cookie' '$tmp/star/scenario.yaml' && grep -q 'method: source-ip' '$tmp/star/scenario.yaml'"
check "a bad --set writes nothing" bash -c "
  ! '$lbsim' run -o '$tmp/never' --set servers.count=0 '$tmp/base.yaml' 2>/dev/null && [ ! -e '$tmp/never' ]"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
