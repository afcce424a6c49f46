#!/usr/bin/env bash
# Files named by the user (include/lbsim/file_out.h): `anonymise -o`,
# `export-haproxy -o`, `check --junit/--json`. Each is written under a
# temporary beside it; SIGTERM, SIGINT or SIGHUP remove the temporary
# before lbsim dies; one left by SIGKILL is removed by the next write of
# the same file, which says so; links, FIFOs and other writers' live
# temporaries of that name are left alone. Each case checks that the
# previous file is byte-identical and that nothing else in its folder
# changed. (Result folders: tests/cli_results.sh.)
# Usage: cli_files.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

"$src/scripts/gen-logs" --users 60 --duration 15m --seed 3 -o "$tmp/iis.log"
"$src/scripts/gen-logs" --users 60 --duration 15m --seed 4 -o "$tmp/iis2.log"
head -c 32 /dev/zero | tr '\0' 'k' >"$tmp/key"
cat >"$tmp/s.yaml" <<'YAML'
name: files test
duration: 20s
warmup: 2s
seed: 1
servers: { count: 3, cores: 2, service: 10ms }
populations:
  - { name: users, users: 100, rate: 0.5 }
designs:
  - { name: l4, kind: l4, balance: roundrobin }
expect:
  - { design: l4, metric: requests_sent, min: 1 }
YAML

# Everything in a folder, with sizes and times, less the file itself.
around() { # folder, file name
  (cd "$1" && find . -mindepth 1 ! -name "$2" -print | sort | xargs -r -d '\n' ls -ld --time-style=+%s.%N)
}
temps() { ls -A "$1" | grep -c '\.tmp' ; }

# Each writer, with the arguments that write FILE (the previous one there).
# (timeout: a writer that waited on a FIFO would fail, not hang.)
# Quiet ($q) but for the write that must say it removed a stale temporary.
q=-q
anonymise() { timeout 20 "$lbsim" anonymise $q --key "$tmp/key" -o "$1" "$tmp/iis2.log"; }
export_cfg() { timeout 20 "$lbsim" export-haproxy $q -o "$1" "$tmp/s.yaml"; }
junit() { timeout 20 "$lbsim" check $q -o "$tmp/run" --junit "$1" "$tmp/s.yaml" >/dev/null; }

for writer in anonymise export_cfg junit; do
  dir=$tmp/$writer && mkdir "$dir"
  echo previous >"$dir/out" && echo mine >"$dir/notes"
  for sig in TERM INT HUP; do
    before=$(around "$dir" out)
    LBSIM_TEST_STOP=opened:$sig $writer "$dir/out" 2>/dev/null
    rc=$?
    check "$writer, $sig with its temporary made: died of it" [ "$rc" -ge 128 ]
    check "  the temporary is gone, nothing else changed" [ "$(around "$dir" out)" = "$before" ]
    check "  the previous file is untouched" [ "$(cat "$dir/out")" = previous ]
  done
  LBSIM_TEST_STOP=opened:KILL $writer "$dir/out" 2>/dev/null
  check "$writer, KILL: a temporary is left" [ "$(temps "$dir")" -eq 1 ]
  check "  the previous file is untouched" [ "$(cat "$dir/out")" = previous ]
  # Planted beside it under temporaries' names: a link, a FIFO, a live
  # temporary (another writer's: its lock held by flock here).
  ln -s "$tmp/key" "$dir/.out.tmpLINK00"
  mkfifo "$dir/.out.tmpFIFO00"
  : >"$dir/.out.tmpLIVE00"
  flock "$dir/.out.tmpLIVE00" sleep 30 &
  holder=$!
  for _ in $(seq 1 50); do flock -n "$dir/.out.tmpLIVE00" true || break; sleep 0.1; done
  q=
  check "  the next write succeeds (no hang on the FIFO)" $writer "$dir/out" 2>"$tmp/err"
  q=-q
  check "  it says it removed the stale one" grep -q "removed a temporary file left by an interrupted lbsim: $dir/\.out\.tmp" "$tmp/err"
  check "  and only that one: link, FIFO and live temporary stay" bash -c "
    [ -L '$dir/.out.tmpLINK00' ] && [ -p '$dir/.out.tmpFIFO00' ] && [ -f '$dir/.out.tmpLIVE00' ] &&
    [ \$(ls -A '$dir' | grep -c '\\.tmp') -eq 3 ]"
  check "  the link's target is untouched" [ "$(head -c 32 "$tmp/key")" = "$(printf 'k%.0s' $(seq 1 32))" ]
  check "  the new file is whole" bash -c "[ \"\$(cat '$dir/out')\" != previous ] && [ -s '$dir/out' ]"
  check "  the user's file is untouched" [ "$(cat "$dir/notes")" = mine ]
  kill "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null
done

check "anonymise after all that: the same bytes as to standard output" bash -c "
  '$lbsim' anonymise -q --key '$tmp/key' '$tmp/iis2.log' | cmp -s - '$tmp/anonymise/out'"

# Two writers of one file at once: neither takes the other's temporary
# for a stale one; the file is one whole result.
mkdir "$tmp/c"
bad=0
for i in $(seq 1 5); do
  "$lbsim" anonymise -q --key "$tmp/key" -o "$tmp/c/out" "$tmp/iis.log" 2>>"$tmp/c.err" &
  "$lbsim" anonymise -q --key "$tmp/key" -o "$tmp/c/out" "$tmp/iis2.log" 2>>"$tmp/c.err" &
  wait
  cmp -s "$tmp/c/out" <("$lbsim" anonymise -q --key "$tmp/key" "$tmp/iis.log") ||
    cmp -s "$tmp/c/out" "$tmp/anonymise/out" || bad=$((bad + 1))
done
check "two anonymise into one file at once: always one whole result (5 trials)" [ "$bad" -eq 0 ]
check "  no temporary left, nothing removed as stale" bash -c "[ \$(ls -A '$tmp/c' | wc -l) -eq 1 ] && [ ! -s '$tmp/c.err' ]"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
