#!/usr/bin/env bash
# Skipping ahead changes nothing but the work (issue 19 item 4): every
# bundled scenario, shortened (faults at 15 minutes for 10 still inside),
# the sparse benchmark's M/M/4 for a day, and scenarios of every fault
# kind and check kind, each run with and without --every-event, give the
# same bytes in every results file but provenance.csv (which records the
# command line); and skipping spares events where there are some to spare
# (so the check compares two different ways of running, never one with
# itself).
#
# Usage: cli_skip.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

# The events a run reported (--profile's first line).
events() { sed -n 's/^lbsim: profile of .* run(s): \([0-9]*\) events.*/\1/p' "$1"; }

# same_bytes NAME OPTIONS... SCENARIO: run both ways, compare every file.
same_bytes() {
  local name=$1
  shift
  local a=$tmp/skip-$name b=$tmp/every-$name
  "$lbsim" run -q -j 2 --profile -o "$a" "$@" >/dev/null 2>"$a.err" &&
    "$lbsim" run -q -j 2 --profile --every-event -o "$b" "$@" >/dev/null 2>"$b.err" || {
    echo "  $(cat "$a.err" "$b.err" 2>/dev/null | head -3)"
    return 1
  }
  [ "$(ls "$a")" = "$(ls "$b")" ] || { echo "  not the same files"; return 1; }
  local f
  for f in "$b"/*; do
    [ "$(basename "$f")" = provenance.csv ] && continue
    cmp "$f" "$a/$(basename "$f")" || return 1
  done
  echo "  $name: $(events "$a.err") events skipping ahead, $(events "$b.err") every event"
}

# fewer NAME [FACTOR]: skipping ran fewer events than every event (at
# least FACTOR times fewer).
fewer() {
  local s e
  s=$(events "$tmp/skip-$1.err")
  e=$(events "$tmp/every-$1.err")
  [ -n "$s" ] && [ -n "$e" ] && [ "$s" -lt "$e" ] && [ "$((e / s))" -ge "${2:-1}" ]
}

for f in "$src"/scenarios/*.yaml; do
  name=$(basename "$f" .yaml)
  case $name in
    replay-site) size=(--replications 2 --duration 20m) ;; # a replayed log: no --scale
    *) size=(--scale 0.02 --duration 25m --replications 2) ;;
  esac
  check "$name: the same bytes skipping ahead or not" same_bytes "$name" "${size[@]}" "$f"
done

sparse=$src/tests/bench/sparse/sparse.yaml
check "sparse M/M/4: the same bytes" same_bytes sparse --replications 3 --duration 1d "$sparse"
# Its steady check probes without events, and so most windows are empty:
# at least ten times fewer events.
check "sparse M/M/4: ten times fewer events skipping ahead" fewer sparse 10
# Probing every 10 minutes, most 10 s windows have no event in them.
check "sparse M/M/4, rare probes: the same bytes" same_bytes sparse-rare --replications 3 \
  --duration 1d --set designs.l4.check.inter=10m "$sparse"
check "sparse M/M/4, rare probes: fewer events skipping ahead" fewer sparse-rare

# Every fault kind on one server, under every check kind, probing often
# (fastinter and downinter apart from inter), a server in maintenance and
# drained, back-to-back faults: the probes' trains stop and start again.
cat >"$tmp/faults.yaml" <<'YAML'
name: every fault
duration: 40m
warmup: 1m
seed: 3
replications: 2
servers: { count: 3, cores: 2, service: 20ms }
populations:
  - { name: lan, users: 40, clients: [owa, eas] }
designs:
  - { name: tcp, kind: l4, balance: roundrobin, check: { kind: tcp, inter: 3s, fastinter: 1s, downinter: 7s } }
  - { name: http, kind: l4-multi, balance: leastconn, check: { kind: http, inter: 2s, rise: 3, fall: 2 } }
  - { name: deep, kind: l7, balance: roundrobin, check: { kind: deep, inter: 5s, downinter: 11s, timeout: 100ms } }
faults:
  - { at: 2m, server: 1, kind: down, for: 3m }
  - { at: 4m, server: 2, workload: owa, for: 2m }
  - { at: 7m, server: 3, kind: auth-down, for: 3m }
  - { at: 9m, server: 2, kind: store-down, workload: eas, for: 4m }
  - { at: 14m, server: 1, kind: slow, factor: 1000, for: 2m }
  - { at: 17m, server: 3, kind: maint, for: 3m }
  - { at: 21m, server: 2, kind: drain, for: 2m }
  - { at: 25m, server: 1, kind: down }
YAML
check "every fault kind: the same bytes" same_bytes faults "$tmp/faults.yaml"
# Intervals that divide the 10 s window, equal it and span several, a
# downinter apart, and rise/fall of 1 (every probe at an end of the
# counter).
k=0
for v in "inter=10s" "inter=5s" "inter=20s" "inter=1s downinter=30s" "rise=1 fall=1"; do
  k=$((k + 1))
  sets=(--set designs.http.check.inter=10s)
  for kv in $v; do sets+=(--set "designs.tcp.check.$kv"); done
  check "every fault kind, tcp check $v: the same bytes" same_bytes "faults$k" "${sets[@]}" \
    "$tmp/faults.yaml"
done
check "every fault kind: fewer events skipping ahead" fewer faults
for f in workload-failure logon-failure exchange2013; do
  check "$f: fewer events skipping ahead" fewer "$f"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
