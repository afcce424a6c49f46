#!/usr/bin/env bash
# HAProxy configurations on the command line: every design of every bundled
# scenario exported and checked by the real `haproxy -c` (with --nearest
# where HAProxy cannot run the design as simulated), imported back into the
# same design (export(import(export(d))) == export(d)), and bad input
# refused with file:line:column, exit 2, nothing written.
# Usage: cli_haproxy.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

command -v haproxy >/dev/null || { echo "FAILED: haproxy is not installed (scripts/setup)"; exit 1; }
command -v openssl >/dev/null || { echo "FAILED: openssl is not installed (scripts/setup)"; exit 1; }
# A throwaway certificate for the l7 binds (haproxy -c loads it).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/k.pem" -out "$tmp/c.pem" -days 1 \
  -subj /CN=mail.contoso.com 2>/dev/null && cat "$tmp/c.pem" "$tmp/k.pem" >"$tmp/site.pem"

check "import-haproxy --help: 0" status_is 0 "$lbsim" import-haproxy --help
check "export-haproxy --help: 0" status_is 0 "$lbsim" export-haproxy --help
check "import-haproxy without a file: 2" status_is 2 "$lbsim" import-haproxy
check "import-haproxy of a missing file: 2" bash -c "
  '$lbsim' import-haproxy -o '$tmp/no.yaml' '$tmp/missing.cfg' 2>'$tmp/err'
  [ \$? -eq 2 ] && grep -q 'missing.cfg: cannot open' '$tmp/err' && [ ! -e '$tmp/no.yaml' ]"

# ---- every bundled design out, checked, and back ---------------------------
names() { # the design names of a scenario
  awk '/^designs:/ {on=1; next} /^[a-z]/ {on=0} on' "$1" |
    sed -n 's/^ *- *{ *name: *\([^,}]*\).*/\1/p; s/^ *- name: *\(.*\)$/\1/p' | sed 's/ *$//'
}
exported=0
for scn in "$src"/scenarios/*.yaml; do
  base=$(basename "$scn" .yaml)
  while read -r d; do
    [ -n "$d" ] || continue
    out="$tmp/$base-$d.cfg"
    if ! "$lbsim" export-haproxy -q -d "$d" --crt "$tmp/site.pem" -o "$out" "$scn" 2>"$tmp/err"; then
      grep -q -e 'HAProxy' -e 'maglev' "$tmp/err" || { echo "  $base/$d: $(cat "$tmp/err")"; failed=$((failed + 1)); continue; }
      # HAProxy cannot run it as simulated: the nearest configuration.
      check "$base/$d: refused with a reason; --nearest is accepted by haproxy -c" bash -c "
        [ ! -e '$out' ] && '$lbsim' export-haproxy -q --nearest -d '$d' --crt '$tmp/site.pem' -o '$out' '$scn' &&
        haproxy -c -q -f '$out'"
      continue
    fi
    exported=$((exported + 1))
    check "$base/$d: haproxy -c accepts the export" haproxy -c -q -f "$out"
    check "$base/$d: import(export) loads, and exports to the same configuration" bash -c "
      '$lbsim' import-haproxy -q -o '$tmp/back.yaml' '$out' &&
      '$lbsim' validate '$tmp/back.yaml' >/dev/null &&
      '$lbsim' export-haproxy -q --crt '$tmp/site.pem' -o '$tmp/again.cfg' '$tmp/back.yaml' &&
      diff <(grep -v '^#' '$out') <(grep -v '^#' '$tmp/again.cfg') >/dev/null"
  done < <(names "$scn")
done
check "designs of the bundled scenarios were exported ($exported)" [ "$exported" -ge 8 ]

# ---- import, then run ---------------------------------------------------------
cat >"$tmp/site.cfg" <<'CFG'
global
    nbthread 4
defaults
    mode http
    timeout client 15m
frontend exchange
    bind :443 ssl crt /etc/ssl/mail.pem
    use_backend be_eas if { path_beg -i /Microsoft-Server-ActiveSync }
    default_backend be_owa
backend be_owa
    balance leastconn
    option httpchk GET /owa/healthcheck.htm
    server cas1 10.0.1.11:443 check ssl verify none
    server cas2 10.0.1.12:443 check ssl verify none
backend be_eas
    balance leastconn
    option httpchk GET /Microsoft-Server-ActiveSync/healthcheck.htm
    server cas1 10.0.1.11:443 check ssl verify none
    server cas2 10.0.1.12:443 check ssl verify none
CFG
check "import a site: 0, the scenario validates and runs" bash -c "
  '$lbsim' import-haproxy -o '$tmp/site.yaml' '$tmp/site.cfg' 2>'$tmp/err' &&
  grep -q 'site.cfg:5: timeout client 15m: not modelled' '$tmp/err' &&
  grep -q '#   .*site.cfg:5: timeout client 15m: not modelled' '$tmp/site.yaml' &&
  '$lbsim' run -q -j 1 --duration 2m --scale 0.05 -r 1 -o '$tmp/run' '$tmp/site.yaml'"

# ---- bad input: file:line:column, exit 2, nothing written ---------------------
printf 'frontend f\n    bind ":443\n' >"$tmp/quote.cfg"
check "import an unclosed quote: 2, file:line:column, nothing written" bash -c "
  '$lbsim' import-haproxy -o '$tmp/q.yaml' '$tmp/quote.cfg' 2>'$tmp/err'
  [ \$? -eq 2 ] && grep -q 'quote.cfg:2:10: the quote \" opened here does not close' '$tmp/err' &&
  [ ! -e '$tmp/q.yaml' ]"
printf 'frontend f\n    bind :443\n    default_backend b\nbackend b\n    server s 10.0.0.1:443 check fall x\n' >"$tmp/value.cfg"
check "import a bad value: 2, file:line:column" bash -c "
  '$lbsim' import-haproxy -o '$tmp/v.yaml' '$tmp/value.cfg' 2>'$tmp/err'
  [ \$? -eq 2 ] && grep -q \"value.cfg:5:38: 'x' is not a whole number\" '$tmp/err' && [ ! -e '$tmp/v.yaml' ]"
check "export an unknown design: 2, the designs listed" bash -c "
  '$lbsim' export-haproxy -d nope '$src/scenarios/exchange2013.yaml' 2>'$tmp/err'
  [ \$? -eq 2 ] && grep -q 'designs: l4, l4-multi, l7' '$tmp/err'"
check "export a refused design: 2, nothing written" bash -c "
  '$lbsim' export-haproxy -d l4 -o '$tmp/r.cfg' '$src/scenarios/large-enterprise.yaml' 2>'$tmp/err'
  [ \$? -eq 2 ] && grep -q 'maglev has no HAProxy equivalent' '$tmp/err' && [ ! -e '$tmp/r.cfg' ]"
check "export from a bad scenario: 2" bash -c "
  printf 'name: x\n' >'$tmp/bad.yaml'; '$lbsim' export-haproxy '$tmp/bad.yaml' 2>/dev/null; [ \$? -eq 2 ]"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
