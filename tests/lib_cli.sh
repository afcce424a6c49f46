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
  [ "$got" -eq "$want" ] || { echo "  exit $got, want $want; stderr: $(head -3 "$tmp/stderr")"; return 1; }
}
