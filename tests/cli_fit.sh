#!/usr/bin/env bash
# lbsim fit: a scenario from a log that `lbsim validate` accepts, and that
# recovers the parameters of the model the log was drawn from
# (scripts/gen-logs --truth prints them) within the tolerances below; a
# log that cannot be read: exit 2, file:line:column, nothing written.
# Usage: cli_fit.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

gen="$src/scripts/gen-logs"
users=300
"$gen" --users $users --duration 2h --seed 9 -o "$tmp/site.log"
"$gen" --format haproxy --users $users --duration 2h --seed 9 -o "$tmp/lb.log.gz"
"$gen" --truth --users $users >"$tmp/truth.json"

check "fit IIS: 0" status_is 0 "$lbsim" fit -q -o "$tmp/fit.yaml" "$tmp/site.log"
check "validate accepts what fit wrote" status_is 0 "$lbsim" validate "$tmp/fit.yaml"
check "the fitted scenario runs" status_is 0 "$lbsim" run -q --scale 0.2 --duration 5m -r 1 \
  -o "$tmp/run" "$tmp/fit.yaml"

# Each figure against the model, with its tolerance and why.
recovers() { # fitted scenario, label
  python3 - "$1" "$tmp/truth.json" "$2" <<'EOF'
import json, sys, yaml
fit = yaml.safe_load(open(sys.argv[1]))
truth = json.load(open(sys.argv[2]))
label = sys.argv[3]
bad = []

def near(what, got, want, tol):
    ok = abs(got - want) <= tol * want
    print(f"  {label} {what}: {got:.4g}, model {want:.4g} (tolerance {tol:.0%}): {'ok' if ok else 'FAILED'}")
    if not ok:
        bad.append(what)

def seconds(text):
    units = {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    for u in sorted(units, key=len, reverse=True):
        if text.endswith(u):
            return float(text[:-len(u)]) * units[u]
    raise ValueError(text)

pops = {p["name"]: p for p in fit["populations"]}
carrier = pops.pop("nat 100.64.0.0/24")
# An HAProxy log names ActiveSync's users only (User=): the carrier NAT,
# the demands and the long polls are all it can tell.
names = label != "haproxy"
# Users: every user's desk address is in one group (LAN, branch NAT,
# home): exact. Phones: the carrier's addresses exact, its users the
# phone share of the users, binomial (3 sd of 300 x 0.6: 14 %).
if names:
    near("desk users", sum(p["users"] for p in pops.values()), truth["users"], 0)
near("carrier addresses", carrier["addresses"], truth["carrier_addresses"], 0)
near("phone users", carrier["users"], truth["users"] * truth["shares"]["eas"], 0.15)
for prefix, n in truth["nat"].items() if names else []:
    near(f"NAT {prefix} addresses", pops["nat " + prefix]["addresses"], n, 0)
    # Its address plan lists the very addresses (gen-logs: from .10 up).
    base = prefix.split("/")[0].rsplit(".", 1)[0]
    listed = sorted(pops["nat " + prefix]["address-plan"]["list"])
    ok = listed == sorted(f"{base}.{10 + i}" for i in range(n))
    print(f"  {label} NAT {prefix} address plan {listed}: {'ok' if ok else 'FAILED'}")
    if not ok:
        bad.append("plan")
# The browser share over every desk user: binomial, 3 sd of 300 x 0.3 (8 %
# of the users, 27 % of the share).
owa = sum(p["users"] * p.get("client-settings", {}).get("owa", {}).get("share", 1)
          for p in pops.values() if "owa" in p["clients"])
if names:
    near("owa share", owa / truth["users"], truth["shares"]["owa"], 0.27)
# CPU demand: mean time taken of thousands of uniform draws: 5 %.
for w, ms in truth["demand_ms"].items():
    near(f"{w} demand", seconds(fit["servers"]["workloads"][w]["demand"]) * 1000, ms, 0.05)
# Think: per request connection, so the gap a device shows times its
# request connections; thousands of exponential gaps: 10 %, except where
# a mean gap is a large part of the log (oab: 15 min in 2 h), whose
# longest gaps the log's end cuts off: 25 %.
for w, s in truth["think_s"].items() if names else []:
    c = fit["clients"][w]
    near(f"{w} think", seconds(c["think"]) / (c["connections"] - c["polls"]), s,
         0.25 if s >= 900 else 0.10)
# Long polls: the heartbeat exact (to the second), the mean time to a
# change from thousands of polls: 10 %.
for w in truth["hold_s"]:
    c = fit["clients"][w]
    near(f"{w} hold", seconds(c["hold"]), truth["hold_s"][w], 0)
    near(f"{w} changes", seconds(c["changes"]), truth["changes_s"][w], 0.10)
sys.exit(1 if bad else 0)
EOF
}
check "fit recovers the model's parameters (IIS)" recovers "$tmp/fit.yaml" iis

check "fit HAProxy gzip: 0" status_is 0 "$lbsim" fit -q --capture Host,User-Agent \
  -o "$tmp/hap.yaml" "$tmp/lb.log.gz"
check "validate accepts it" status_is 0 "$lbsim" validate "$tmp/hap.yaml"
check "fit recovers the model's parameters (HAProxy)" recovers "$tmp/hap.yaml" haproxy

check "the same log gives the same bytes" bash -c "
  '$lbsim' fit -q '$tmp/site.log' | cmp -s - '$tmp/fit.yaml'"

# The log of two servers (every other request each, as round robin
# spreads them) is one site: merged by end, the same scenario.
awk -v a="$tmp/cas1.log" -v b="$tmp/cas2.log" '/^#/ { print > a; print > b; next }
  { if (NR % 2) print > a; else print > b }' "$tmp/site.log"
check "fit of two servers' logs: the same scenario as of their union" bash -c "
  '$lbsim' fit -q --name 'Fitted from site.log' '$tmp/cas1.log' '$tmp/cas2.log' | grep -v '^# Fitted by' >'$tmp/two.yaml' &&
  grep -v '^# Fitted by' '$tmp/fit.yaml' | cmp -s - '$tmp/two.yaml'"

{ head -n 50 "$tmp/site.log"; echo "2024-03-04 08:00:61 10.0.1.11 GET /owa/ - 443 x 10.0.0.1 x - 200 0 0 5"; tail -n +51 "$tmp/site.log"; } >"$tmp/bad.log"
check "fit a malformed log: 2, file:line:column, nothing written" bash -c "
  '$lbsim' fit -o '$tmp/bad.yaml' '$tmp/bad.log' 2>'$tmp/err'
  [ \$? -eq 2 ] && grep -q 'bad.log:51:[0-9]*: time' '$tmp/err' && [ ! -e '$tmp/bad.yaml' ]"
check "fit --on-error skip: written, the line counted" bash -c "
  '$lbsim' fit --on-error skip -o '$tmp/skip.yaml' '$tmp/bad.log' 2>'$tmp/err' &&
  grep -q '1 malformed lines skipped' '$tmp/err' && '$lbsim' validate '$tmp/skip.yaml' >/dev/null"
check "fit a missing log: 2, nothing written" bash -c "
  '$lbsim' fit -o '$tmp/m.yaml' '$tmp/nonexistent.log' 2>/dev/null; [ \$? -eq 2 ] && [ ! -e '$tmp/m.yaml' ]"
check "fit without a log: 2" status_is 2 "$lbsim" fit
check "fit --servers 0: 2" status_is 2 "$lbsim" fit --servers 0 "$tmp/site.log"
check "fit --help: 0" status_is 0 "$lbsim" fit --help

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
