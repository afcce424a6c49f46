#!/usr/bin/env bash
# Resources: a small stack limit does not crash lbsim; memory that would
# run out is refused up front with the estimate and what makes it (open
# traffic piling up on overloaded servers, maglev tables, the results of
# many replications, a plan's largest users level); an allocation that
# fails anyway is a clear error with the previous results intact; readers
# refuse oversized files at once; a fault the run ends before is said.
# Usage: cli_limits.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

cat >"$tmp/small.yaml" <<'YAML'
name: limits test
duration: 30s
warmup: 5s
seed: 2
replications: 2
servers: { count: 3, cores: 2, service: 10ms }
populations:
  - { name: users, users: 300, rate: 0.5 }
designs:
  - { name: l4, kind: l4 }
  - { name: l7, kind: l7 }
expect:
  - { design: l4, metric: requests_sent, min: 1 }
YAML

# ---- the stack -------------------------------------------------------------------
# lbsim runs on threads with a stack of its own choosing (include/lbsim/threads.h).
for cmd in "run -o $tmp/s1" "check -o $tmp/s2" "validate" "sweep --no-plot -o $tmp/s3 --set servers.count=2,3" \
           "plan --no-plot -o $tmp/s4 --max-server-busy 0.9 --max-size 4"; do
  check "ulimit -s 64: lbsim ${cmd%% *} works" bash -c "ulimit -s 64; '$lbsim' $cmd -q '$tmp/small.yaml' >/dev/null"
done
check "ulimit -s 64: the whole default scenario runs" bash -c "
  ulimit -s 64; '$lbsim' run -q -j 2 --duration 2m -o '$tmp/s5' '$src/scenarios/exchange2013.yaml'"
check "ulimit -S -s 64 (soft): plot raises it for gnuplot" bash -c "
  ulimit -S -s 64; '$lbsim' plot '$tmp/s1' >/dev/null"
cp -r "$tmp/s1" "$tmp/s1.before"
check "ulimit -s 64 (hard): plot fails with 1 and says why" bash -c "
  ulimit -s 64; '$lbsim' plot '$tmp/s1' >/dev/null 2>'$tmp/st.err'; [ \$? -eq 1 ] &&
  grep -q 'stack limit (ulimit -s) is too small' '$tmp/st.err'"
check "  the results folder is as it was" diff -r "$tmp/s1" "$tmp/s1.before"

# ---- memory refused up front --------------------------------------------------------
sed 's/users: 300, rate: 0.5/users: 20000, rate: 0.5/; s/duration: 30s/duration: 1h/' "$tmp/small.yaml" >"$tmp/over.yaml"
check "overloaded open traffic that would not fit: 2" status_is 2 "$lbsim" run -q --memory-limit 2 -o "$tmp/never" "$tmp/over.yaml"
check "  says the queues grow and why" bash -c "
  grep -q 'requests piling up on servers that cannot keep up (open traffic brings 100 cores of work to 6 cores)' '$tmp/stderr'"
check "  nothing written" [ ! -e "$tmp/never" ]
check "overload that fits runs, with a warning" bash -c "
  '$lbsim' run -q -o '$tmp/ov' --duration 3s '$tmp/over.yaml' 2>'$tmp/ov.err' &&
  grep -q 'warning: .*open traffic brings 100 cores of work to servers with 6 cores' '$tmp/ov.err'"
check "a sweep point that overloads is named" bash -c "
  '$lbsim' sweep -q --no-plot -o '$tmp/ovs' --duration 3s --set servers.count=1,60 '$tmp/over.yaml' 2>'$tmp/ovs.err' &&
  grep -q 'point servers.count=1' '$tmp/ovs.err' && ! grep -q 'servers.count=60' '$tmp/ovs.err'"
cat >"$tmp/maglev.yaml" <<'YAML'
name: maglev tables
duration: 30s
servers: { count: 8, cores: 2 }
populations:
  - { name: lan, users: 100, clients: [owa, ecp, eas, ews, oa, mapi, autodiscover, oab] }
designs:
  - { name: m, kind: l7, balance: source, hash-type: maglev, table-size: 16777213 }
YAML
check "maglev tables of 16 M entries count (8 pools, old and new): 2 under 0.5 GiB" bash -c "
  '$lbsim' run -q --memory-limit 0.5 -o '$tmp/never' '$tmp/maglev.yaml' 2>'$tmp/m.err'; [ \$? -eq 2 ] &&
  grep -q 'would need about 1 GiB' '$tmp/m.err'"
check "the results of many replications count: 2, with the kept GiB" bash -c "
  '$lbsim' run -q --memory-limit 1 -r 1000 --set servers.count=4096 -o '$tmp/never' '$tmp/small.yaml' 2>'$tmp/k.err'; [ \$? -eq 2 ] &&
  grep -q 'GiB per run, [0-9]* runs side by side, 0.[5-9][0-9]* GiB of results kept' '$tmp/k.err'"
# With more runs than threads, run holds one spare run started (so that
# the threads can take turns and end together) only where it fits.
"$lbsim" run -q -j 2 --memory-limit 0.000001 -o "$tmp/never" "$tmp/small.yaml" 2>"$tmp/sp.err"
per=$(sed -n 's/.*(\([0-9.e-]*\) GiB per run, 2 runs side by side.*/\1/p' "$tmp/sp.err")
kept=$(sed -n 's/.* \([0-9.e-]*\) GiB of results kept.*/\1/p' "$tmp/sp.err")
check "-j 2, four runs, no room for the spare: the estimate counts 2 runs side by side" [ -n "$per" ]
between=$(awk -v p="${per:-0}" -v k="${kept:-0}" 'BEGIN { print (2.5 * p + k) }')
check "  a limit that holds 2 runs but not 3: the runs go on without the spare" \
  "$lbsim" run -q -j 2 --memory-limit "$between" -o "$tmp/sp1" "$tmp/small.yaml"
check "  and with the spare, the same bytes" bash -c "
  '$lbsim' run -q -j 2 -o '$tmp/sp2' '$tmp/small.yaml' && cmp '$tmp/sp1/summary.csv' '$tmp/sp2/summary.csv'"
check "plan: the largest users level counts: 2" bash -c "
  '$lbsim' plan -q --memory-limit 1 --max-server-busy 0.9 --users 1000,1000000 -o '$tmp/never' '$src/scenarios/exchange2013.yaml' 2>'$tmp/p.err'; [ \$? -eq 2 ] &&
  grep -q 'would need about' '$tmp/p.err'"
check "plan: a users level the scenario cannot take is 2 before anything runs" bash -c "
  '$lbsim' plan -q --max-server-busy 0.9 --users 10000001 -o '$tmp/never' '$tmp/small.yaml' 2>'$tmp/u.err'; [ \$? -eq 2 ] &&
  grep -q 'users 10000001: population users would have 10000001 users' '$tmp/u.err'"
check "  nothing written" [ ! -e "$tmp/never" ]

# ---- an allocation that fails anyway -----------------------------------------------------
"$lbsim" run -q -o "$tmp/prev" "$tmp/small.yaml" || exit 1
cp -r "$tmp/prev" "$tmp/prev.before"
signals=0 unclear=0
# A sanitizer build reserves terabytes of address space: it cannot start
# under any ulimit -v, so the case is for plain builds.
levels="60000 120000 200000 300000"
(ulimit -v 400000; "$lbsim" --version >/dev/null 2>&1) || { levels=""; echo "skip: ulimit -v (this build cannot start under it)"; }
for kb in $levels; do
  (ulimit -v $kb; "$lbsim" run -q -j 2 --duration 2m -o "$tmp/prev" "$src/scenarios/exchange2013.yaml" 2>"$tmp/v.err")
  rc=$?
  [ $rc -gt 2 ] && signals=$((signals + 1))
  if [ $rc -eq 1 ] && ! grep -q 'out of memory' "$tmp/v.err"; then unclear=$((unclear + 1)); fi
  if [ $rc -eq 2 ] && ! grep -q 'would need about' "$tmp/v.err"; then unclear=$((unclear + 1)); fi
  [ $rc -ne 0 ] && { diff -r "$tmp/prev" "$tmp/prev.before" >/dev/null || unclear=$((unclear + 1)); }
done
if [ -n "$levels" ]; then
  check "ulimit -v: never killed by a signal" [ "$signals" -eq 0 ]
  check "  refused with the estimate (2) or 'out of memory' (1), the results as they were" [ "$unclear" -eq 0 ]
fi

# ---- readers in bounded time -------------------------------------------------------------
cp -r "$tmp/prev.before" "$tmp/big"
{ head -1 "$tmp/big/summary.csv"; yes "$(sed -n 2p "$tmp/big/summary.csv")" | head -c 100000000; } >"$tmp/big/summary.tmp"
mv "$tmp/big/summary.tmp" "$tmp/big/summary.csv"
check "report of a 100 MB summary.csv: refused at once, 1" bash -c "
  timeout 20 '$lbsim' report '$tmp/big' >/dev/null 2>'$tmp/b.err'; [ \$? -eq 1 ] && grep -q 'more than the 64 MiB lbsim reads here' '$tmp/b.err'"
check "plot of it: the same" bash -c "
  timeout 20 '$lbsim' plot '$tmp/big' >/dev/null 2>'$tmp/b.err'; [ \$? -eq 1 ] && grep -q 'more than the 64 MiB' '$tmp/b.err'"
check "check --baseline with it: 2" bash -c "
  timeout 20 '$lbsim' check -q -o '$tmp/never' --baseline '$tmp/big/summary.csv' '$tmp/small.yaml' >/dev/null 2>&1; [ \$? -eq 2 ]"

# ---- a fault the run ends before ---------------------------------------------------------
cat >>"$tmp/small.yaml" <<'YAML'
faults:
  - { at: 20s, server: 2, for: 5s }
YAML
check "--duration ending before a fault: said" bash -c "
  '$lbsim' run -q -o '$tmp/lf' --duration 10s '$tmp/small.yaml' 2>'$tmp/lf.err' &&
  grep -q 'warning: .*fault 1 (at 20 s) is at or after the end of the run (15 s): it never happens' '$tmp/lf.err'"
# Recovery: rise 2 x inter 2 s and open traffic's 2 s back-off, 6 s.
check "--duration ending within a fault's recovery: said, with scope steady" bash -c "
  '$lbsim' run -q -o '$tmp/lf2' --duration 20s '$tmp/small.yaml' 2>'$tmp/lf2.err' &&
  grep -q 'warning: .*fault 1 (20 s to 25 s, settled 6 s later) runs past the end of the run (25 s).*scope: steady' '$tmp/lf2.err'"
check "a warm-up that swallows the fault's start: said" bash -c "
  '$lbsim' run -q -o '$tmp/lf3' --set warmup=22s '$tmp/small.yaml' 2>'$tmp/lf3.err' &&
  grep -q 'warning: .*fault 1 (at 20 s) begins in the warm-up (measuring from 22 s): the measurement holds only its end' '$tmp/lf3.err'"
check "the file's own length: no warning" bash -c "
  '$lbsim' run -q -o '$tmp/lf4' '$tmp/small.yaml' 2>'$tmp/lf4.err' && ! grep -q 'fault 1' '$tmp/lf4.err'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
