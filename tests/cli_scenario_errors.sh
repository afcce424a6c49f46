#!/usr/bin/env bash
# The bad-scenario catalogue: every tests/scenarios/bad/NAME.yaml must make
# `lbsim validate` exit 2 with an empty stdout and, on stderr, exactly the
# one line of tests/scenarios/bad/NAME.expect. The files are named by a path
# relative to SOURCE_DIR, which the .expect lines contain, so the test runs
# from there. Also: inputs that cannot live in the catalogue (a missing
# file, a directory, an unreadable file, an oversized file), a good file
# as a control, and `lbsim run` on bad files writing nothing at all.
#
# Usage: cli_scenario_errors.sh LBSIM_BINARY SOURCE_DIR
# To add a case: write NAME.yaml (first line a comment saying what is wrong)
# and NAME.expect with the exact error line.
set -u
lbsim=$1
src=$2
cd "$src" || { echo "cannot cd to $src"; exit 1; }
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0
failed=0
skipped=0

pass() {
  passed=$((passed + 1))
  echo "ok: $1"
}

fail() { # name, then lines of detail
  failed=$((failed + 1))
  echo "FAILED: $1"
  shift
  for line in "$@"; do
    echo "  $line"
  done
}

# expect_error NAME WANT COMMAND...: exit 2, nothing on stdout, and stderr
# exactly the line WANT.
expect_error() {
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
  local rc=$?
  printf '%s\n' "$want" >"$tmp/want"
  if [ "$rc" -ne 2 ]; then
    fail "$name" "exit status $rc, want 2" "stderr: $(head -c 300 "$tmp/stderr")"
  elif [ -s "$tmp/stdout" ]; then
    fail "$name" "stdout is not empty: $(head -c 300 "$tmp/stdout")"
  elif ! cmp -s "$tmp/stderr" "$tmp/want"; then
    fail "$name" "stderr: $(head -c 400 "$tmp/stderr")" "want:   $want"
  else
    pass "$name"
  fi
}

# The catalogue.
shopt -s nullglob
catalogue=(tests/scenarios/bad/*.yaml)
if [ "${#catalogue[@]}" -lt 30 ]; then
  fail "catalogue size" "only ${#catalogue[@]} files in tests/scenarios/bad"
fi
for file in "${catalogue[@]}"; do
  expect=${file%.yaml}.expect
  if [ ! -f "$expect" ]; then
    fail "$file" "no $expect"
    continue
  fi
  if [ "$(wc -l <"$expect")" -ne 1 ]; then
    fail "$file" "$expect must hold exactly one line"
    continue
  fi
  expect_error "$file" "$(cat "$expect")" "$lbsim" validate "$file"
done
for expect in tests/scenarios/bad/*.expect; do
  [ -f "${expect%.expect}.yaml" ] || fail "$expect" "no ${expect%.expect}.yaml beside it"
done

# The good files pass: the harness can tell success from failure.
for good in tests/scenarios/good/*.yaml; do
  "$lbsim" validate "$good" >"$tmp/stdout" 2>"$tmp/stderr"
  rc=$?
  if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/stdout")" = "$good: ok" ] && [ ! -s "$tmp/stderr" ]; then
    pass "control: $good validates"
  else
    fail "control: $good validates" "exit $rc, stdout: $(head -c 200 "$tmp/stdout")" \
      "stderr: $(head -c 200 "$tmp/stderr")"
  fi
done
good=tests/scenarios/good/minimal.yaml

# Inputs that cannot be catalogue files.
expect_error "missing file" \
  "tests/scenarios/bad/no-such-file.yaml: cannot open: No such file or directory" \
  "$lbsim" validate tests/scenarios/bad/no-such-file.yaml
expect_error "a directory" \
  "tests/scenarios/bad: is a directory, not a scenario file" \
  "$lbsim" validate tests/scenarios/bad

cp "$good" "$tmp/unreadable.yaml"
chmod 000 "$tmp/unreadable.yaml"
if [ "$(id -u)" -eq 0 ]; then
  skipped=$((skipped + 1))
  echo "skip: unreadable file (running as root, which reads any file)"
else
  expect_error "unreadable file" "$tmp/unreadable.yaml: cannot open: Permission denied" \
    "$lbsim" validate "$tmp/unreadable.yaml"
fi

# Five MiB of comment: refused on its size before any parsing.
head -c 5242880 /dev/zero | tr '\0' '#' >"$tmp/big.yaml"
expect_error "file over 4 MiB" "$tmp/big.yaml: file too large for a scenario (over 4 MiB)" \
  "$lbsim" validate "$tmp/big.yaml"

# `run` refuses a bad scenario the same way, before creating anything.
mkdir "$tmp/run"
for name in syntax_tab unknown_design_suggest users_absurd duplicate_design empty binary \
            persist_cookie_on_l4 fault_server_9_of_8 expect_unknown_metric_suggest; do
  file=tests/scenarios/bad/$name.yaml
  expect_error "run -o: $file" "$(cat "tests/scenarios/bad/$name.expect")" \
    "$lbsim" run -o "$tmp/run/out" "$file"
  if [ -n "$(ls -A "$tmp/run")" ]; then
    fail "run -o: $file writes nothing" "found: $(ls -A "$tmp/run" | head -5 | tr '\n' ' ')"
    rm -rf "${tmp:?}/run/"*
  else
    pass "run -o: $file writes nothing"
  fi
done

[ "$skipped" -eq 0 ] || echo "$skipped skipped (see above)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
