# Shared by the tests/cli_*.sh scripts (sourced, not run; named so that
# tests/CMakeLists.txt does not take it for a test): a temporary
# folder removed on exit, pass/fail counters for the closing line CI reads
# ("N passed, M failed"), check and status_is.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

check() { # name, then a command that must succeed
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok: $name"
  else
    failed=$((failed + 1))
    echo "FAILED: $name"
  fi
}

status_is() { # expected status, command...; stdout and stderr kept in $tmp
  local want=$1
  shift
  "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local got=$?
  [ "$got" -eq "$want" ] || { echo "  exit $got, want $want; stderr: $(ends_of "$tmp/stderr")"; return 1; }
}

# The first three and the last five lines of a file (the whole of a short
# one): a failure's message comes last, after any progress lines.
ends_of() {
  if [ "$(wc -l <"$1")" -le 8 ]; then
    cat "$1"
  else
    head -3 "$1"
    echo "..."
    tail -5 "$1"
  fi
}

# same_as_edited NAME --set...: run the hand-edited file $tmp/NAME.yaml and
# $tmp/base.yaml with the --set options; every results file must be the
# same bytes, and the folder's scenario.yaml must be NAME.yaml (--set
# gives what the edited file gives: cli_set, cli_servers).
same_as_edited() {
  local name=$1
  shift
  "$lbsim" run -q -j 1 -o "$tmp/want-$name" "$tmp/$name.yaml" >/dev/null 2>"$tmp/err1" &&
    "$lbsim" run -q -j 1 -o "$tmp/got-$name" "$@" "$tmp/base.yaml" >/dev/null 2>"$tmp/err2" || {
    cat "$tmp/err1" "$tmp/err2" >"$tmp/errs" 2>/dev/null # no err2 when the first run failed
    echo "  $(ends_of "$tmp/errs")"
    return 1
  }
  cmp "$tmp/$name.yaml" "$tmp/got-$name/scenario.yaml" || return 1
  for f in summary servers timeseries events latency differences; do
    cmp "$tmp/want-$name/$f.csv" "$tmp/got-$name/$f.csv" || return 1
  done
}
