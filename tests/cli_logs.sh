#!/usr/bin/env bash
# Logs on the command line: lbsim anonymise (keyed, stable, structure kept,
# nothing left of the originals' identities, nothing written on a bad log),
# on logs from scripts/gen-logs. Usage: cli_logs.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

gen="$src/scripts/gen-logs"
"$gen" --users 60 --duration 15m --seed 3 -o "$tmp/iis.log"
"$gen" --format haproxy --users 60 --duration 15m --seed 3 -o "$tmp/hap.log.gz"
head -c 32 /dev/zero | tr '\0' 'k' >"$tmp/key"
head -c 32 /dev/zero | tr '\0' 'j' >"$tmp/key2"

check "gen-logs: the same arguments give the same bytes" bash -c "
  '$gen' --users 60 --duration 15m --seed 3 | cmp -s - '$tmp/iis.log'"

# ---- anonymise ------------------------------------------------------------
check "anonymise --help: 0" status_is 0 "$lbsim" anonymise --help
check "anonymise without --key: 2" status_is 2 "$lbsim" anonymise "$tmp/iis.log"
check "anonymise with a short key file: 2, says how to make one" bash -c "
  head -c 8 /dev/zero >'$tmp/short'
  '$lbsim' anonymise --key '$tmp/short' -o '$tmp/x.log' '$tmp/iis.log' 2>'$tmp/err'
  [ \$? -eq 2 ] && grep -q '32 to 4096 bytes' '$tmp/err' && [ ! -e '$tmp/x.log' ]"
check "anonymise IIS: 0" status_is 0 "$lbsim" anonymise -q --key "$tmp/key" -o "$tmp/a.log" "$tmp/iis.log"
check "anonymise keeps every line and every field" bash -c "
  [ \$(wc -l <'$tmp/a.log') -eq \$(wc -l <'$tmp/iis.log') ] &&
  diff <(awk '{print NF}' '$tmp/iis.log') <(awk '{print NF}' '$tmp/a.log') >/dev/null"
check "anonymise keeps times, paths, agents, statuses, time taken" bash -c "
  diff <(grep -v '^#' '$tmp/iis.log' | cut -d' ' -f1,2,4,5,7,10,12-15) \
       <(grep -v '^#' '$tmp/a.log' | cut -d' ' -f1,2,4,5,7,10,12-15) >/dev/null"
check "no user name, mailbox or client address of the original is left" bash -c "
  ! grep -q -i -e 'user0' -e 'contoso\\\\\\\\' -e '@contoso' '$tmp/a.log' &&
  for a in \$(grep -v '^#' '$tmp/iis.log' | cut -d' ' -f9 | sort -u | head -50); do
    grep -v '^#' '$tmp/a.log' | cut -d' ' -f9 | grep -qx -F \"\$a\" && exit 1; done; true"
check "the NAT and /24 structure is kept: as many addresses, users and /24s" bash -c "
  for f in 9 8; do
    [ \$(grep -v '^#' '$tmp/iis.log' | cut -d' ' -f\$f | sort -u | wc -l) -eq \
      \$(grep -v '^#' '$tmp/a.log' | cut -d' ' -f\$f | sort -u | wc -l) ] || exit 1; done
  n24() { grep -v '^#' \"\$1\" | cut -d' ' -f9 | grep -v : | cut -d. -f1-3 | sort -u | wc -l; }
  [ \$(n24 '$tmp/iis.log') -eq \$(n24 '$tmp/a.log') ]"
check "the same key gives the same bytes; another key other bytes" bash -c "
  '$lbsim' anonymise -q --key '$tmp/key' '$tmp/iis.log' | cmp -s - '$tmp/a.log' &&
  ! '$lbsim' anonymise -q --key '$tmp/key2' '$tmp/iis.log' | cmp -s - '$tmp/a.log'"
check "anonymise HAProxy gzip to gzip, the same bytes as to plain" bash -c "
  '$lbsim' anonymise -q --key '$tmp/key' --capture Host,User-Agent -o '$tmp/h.log.gz' '$tmp/hap.log.gz' &&
  '$lbsim' anonymise -q --key '$tmp/key' --capture Host,User-Agent -o '$tmp/h.log' '$tmp/hap.log.gz' &&
  zcat '$tmp/h.log.gz' | cmp -s - '$tmp/h.log' &&
  ! grep -q -e 'user0' -e '@contoso' -e 'CONTOSO%5C' '$tmp/h.log' &&
  [ \$(wc -l <'$tmp/h.log') -eq \$(zcat '$tmp/hap.log.gz' | wc -l) ]"
check "several logs into a folder" bash -c "
  mkdir -p '$tmp/out' && cp '$tmp/iis.log' '$tmp/iis2.log' &&
  '$lbsim' anonymise -q --key '$tmp/key' -o '$tmp/out' '$tmp/iis.log' '$tmp/iis2.log' &&
  cmp -s '$tmp/out/iis.log' '$tmp/a.log' && cmp -s '$tmp/out/iis2.log' '$tmp/a.log'"

# A malformed line: exit 2 with file:line:column, nothing written; with
# --on-error skip the line is dropped (never copied) and counted.
{ head -6 "$tmp/iis.log"; echo "2024-03-04 08:00:01 10.0.1.11 GET /owa/ - 443 CONTOSO\\secret 10.0.0.999 x - 200 0 0 5"; tail -n +7 "$tmp/iis.log"; } >"$tmp/bad.log"
check "anonymise a malformed log: 2, file:line:column, nothing written" bash -c "
  '$lbsim' anonymise --key '$tmp/key' -o '$tmp/bad.out' '$tmp/bad.log' 2>'$tmp/err'
  [ \$? -eq 2 ] && grep -q 'bad.log:7:[0-9]*: c-ip' '$tmp/err' && [ ! -e '$tmp/bad.out' ] &&
  [ -z \"\$(ls -A '$tmp' | grep tmp)\" ]"
check "anonymise --on-error skip: the line dropped and counted" bash -c "
  '$lbsim' anonymise --key '$tmp/key' --on-error skip -o '$tmp/skip.log' '$tmp/bad.log' 2>'$tmp/err' &&
  grep -q '1 malformed lines dropped' '$tmp/err' && grep -q 'bad.log:7:' '$tmp/err' &&
  ! grep -q secret '$tmp/skip.log' && [ \$(wc -l <'$tmp/skip.log') -eq \$(wc -l <'$tmp/iis.log') ]"
check "anonymise a missing log: 2" status_is 2 "$lbsim" anonymise --key "$tmp/key" -o "$tmp/m.log" "$tmp/nonexistent.log"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
