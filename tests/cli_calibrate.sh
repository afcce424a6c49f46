#!/usr/bin/env bash
# lbsim calibrate: its options as the README gives them; a --quick
# --no-haproxy run (OpenSSL only: a few seconds; the HAProxy part takes
# half a minute and runs in scripts/validate-haproxy instead) writes a
# whole cost profile whose every figure lies within its own spread and
# says what it did not measure; bad usage is exit 2 with nothing written.
# Usage: cli_calibrate.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

# Options as "short long argument", as tests/cli_help.sh reads them.
options() {
  sed -n -E 's/^ {2}(-([A-Za-z]), | {4})--([a-z0-9-]+)( ([^ ]+))?( .*)?$/\2|\3|\5/p' |
    awk -F'|' '{ printf "%s %s %s\n", ($1 == "" ? "-" : $1), $2, $3 }' | sed 's/ *$//' | sort -u
}
"$lbsim" calibrate --help >"$tmp/help" || echo "FAILED: calibrate --help"
# The README's block: the fenced block starting "usage: lbsim calibrate".
awk '/^usage: lbsim calibrate/ { on = 1 } on && /^```/ { exit } on { print }' \
  "$src/README.md" >"$tmp/usage"
options <"$tmp/help" >"$tmp/help.opts"
options <"$tmp/usage" >"$tmp/readme.opts"
check "calibrate --help lists its options" bash -c "[ \$(wc -l <'$tmp/help.opts') -ge 5 ]"
check "the README's calibrate options are those of --help, letters and arguments alike" \
  bash -c "diff '$tmp/help.opts' '$tmp/readme.opts'"

mkdir "$tmp/out"
check "calibrate --quick --no-haproxy writes a profile" \
  status_is 0 "$lbsim" calibrate --quick --no-haproxy -o "$tmp/out/host.yaml"
cp "$tmp/stderr" "$tmp/calibrate.err"
p=$tmp/out/host.yaml
check "nothing else is left in the folder (written under a temporary name, renamed)" \
  bash -c "[ \"\$(ls -A '$tmp/out')\" = host.yaml ]"
check "the profile has the format's header and a measured provenance" bash -c "
  grep -qx 'lbsim-cost-profile: 1' '$p' && grep -qx '  kind: measured' '$p' &&
  grep -q '^  host: ' '$p' && grep -q '^  cpu: ' '$p' && grep -q '^    openssl: ' '$p' &&
  grep -Eq '^  date: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' '$p' && grep -qx '  repeats: 3' '$p'"
# Every figure OpenSSL gives is there, positive, and the median of its
# repeats: within its own least and greatest.
for fig in tls-full-rsa-2048 tls-full-ecdsa-p256 tls-resume-12 tls-resume-13 \
           tls-backend-full tls-backend-resume aes-128-gcm aes-256-gcm chacha20-poly1305; do
  check "$fig: positive, within its spread, measured" awk -v fig="$fig" '
    $0 == "  " fig ":" { on = 1; next }
    on && /^  [a-z]/ { on = 0 }
    on && $1 == "value:" { v = $2 }
    on && $1 == "spread:" { gsub(/[{},]/, ""); lo = $3; hi = $5 }
    on && $0 == "    measured: true" { m = 1 }
    END { exit !(v > 0 && lo <= v && v <= hi && m) }' "$p"
done
check "a full handshake costs more than a resumed one, RSA more than ECDSA" awk '
  /^  [a-z]/ { f = $1 } $1 == "value:" { v[f] = $2 }
  END { exit !(v["tls-full-rsa-2048:"] > v["tls-resume-12:"] &&
               v["tls-full-rsa-2048:"] > v["tls-full-ecdsa-p256:"]) }' "$p"
check "the file and standard error say what was not measured, and why" bash -c "
  grep -q '^#  *HAProxy not measured: --no-haproxy' '$p' &&
  grep -q '^#  *accept: ' '$p' && ! grep -q '^  accept:' '$p' &&
  grep -q 'not measured: accept' '$tmp/calibrate.err' &&
  grep -q 'calibrate: \[1/[0-9]*\] OpenSSL' '$tmp/calibrate.err'"

check "a folder that does not exist: exit 2 at once, nothing written" bash -c "
  start=\$(date +%s); '$lbsim' calibrate -q -o '$tmp/none/p.yaml' 2>'$tmp/err'; rc=\$?
  [ \$rc -eq 2 ] && [ \$((\$(date +%s) - start)) -le 2 ] && [ ! -e '$tmp/none' ] &&
  grep -q 'lbsim calibrate: ' '$tmp/err'"
check "an unknown option: exit 2" status_is 2 "$lbsim" calibrate --fast
check "an argument: exit 2" status_is 2 "$lbsim" calibrate extra
check "nothing written by bad usage" bash -c "[ \"\$(ls -A '$tmp/out')\" = host.yaml ]"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
