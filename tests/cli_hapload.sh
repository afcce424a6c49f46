#!/usr/bin/env bash
# lbsim-hapload --memory-only against a real HAProxy (scripts/setup
# installs it): a request held at the server stays in flight while the
# proxy's memory is read. The loader fails when any held request is
# answered, which is what happened until the backend's held listeners were
# made `mode tcp` (cal_hap.c): HAProxy 2.6 in `mode http` answered them at
# once, and the "active" figures were read after the answers, with every
# request's stream already freed. Here: exit 0, every mode's two rows, and
# a passthrough connection at about two sockets (no TLS state of its own).
# The memory figures themselves are checked by scripts/validate-haproxy
# (1,500 connections; 400 here is too few to read a stream's 2 kB).
# Usage: cli_hapload.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
. "$(dirname "$0")/lib_cli.sh"
hapload="$(dirname "$lbsim")/lbsim-hapload"
command -v haproxy >/dev/null || { echo "FAILED: haproxy is not installed (scripts/setup)"; exit 1; }
[ -x "$hapload" ] || { echo "FAILED: no $hapload"; exit 1; }

check "held requests stay held in every mode (exit 0)" \
  status_is 0 "$hapload" --memory-only --repeats 1 --conns 400
cp "$tmp/stdout" "$tmp/mem.csv"
check "six memory rows, idle and active for each mode" \
  bash -c "[ \$(grep -cE '^mem,(passthrough|terminate|reencrypt),(idle|active),400,' '$tmp/mem.csv') -eq 6 ]"
check "no CPU rows with --memory-only" bash -c "! grep -qE '^(cpu|wakeups|busy),' '$tmp/mem.csv'"
check "a passthrough connection holds 2 to 8 kB (two sockets, no TLS of its own)" \
  awk -F, '$1 == "mem" && $2 == "passthrough" && $3 == "idle" { ok = ($5 >= 2000 && $5 <= 8000) } END { exit !ok }' "$tmp/mem.csv"
check "a held request at a terminating proxy's server: TLS state and more (above 8 kB)" \
  awk -F, '$1 == "mem" && $2 == "terminate" && $3 == "active" { ok = ($5 > 8000) } END { exit !ok }' "$tmp/mem.csv"
"$hapload" --memory-only --conns 0 >/dev/null 2>&1
check "bad usage is exit 2" test $? -eq 2

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
