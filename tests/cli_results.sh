#!/usr/bin/env bash
# One complete result set, always (include/lbsim/result_set.h): concurrent
# writers, a writer killed at each step of its write, a full device (a
# file-size limit, and a small tmpfs where one can be mounted), planted
# symbolic links, files of the user's in the results folder, the scenario
# bytes that were simulated. Each case checks that the previous set is
# byte-identical (or the new one complete) and that nothing outside the
# results folder changed.
# Usage: cli_results.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
. "$(dirname "$0")/lib_cli.sh"

scenario() { # seed
  cat <<YAML
name: result set test
duration: 20s
warmup: 2s
seed: $1
servers: { count: 3, cores: 2, service: 10ms }
populations:
  - { name: users, users: 200, rate: 0.5 }
designs:
  - { name: l4, kind: l4, balance: roundrobin }
  - { name: l7, kind: l7 }
YAML
}
scenario 1 >"$tmp/s1.yaml"
scenario 2 >"$tmp/s2.yaml"

# The reference sets: what seed 1 and seed 2 write, alone.
"$lbsim" run -q -o "$tmp/ref1" "$tmp/s1.yaml" || exit 1
"$lbsim" run -q -o "$tmp/ref2" "$tmp/s2.yaml" || exit 1

# provenance.csv records the command line (-o, -j differ between runs):
# every other fact of it must match.
facts() { grep -v '^command_line,' "$1/provenance.csv"; }
identical() { # folder, reference folder: byte for byte, the same names
  diff -r -x provenance.csv "$1" "$2" >/dev/null && cmp -s <(facts "$1") <(facts "$2")
}
same() {
  identical "$1" "$2" || { echo "  $1 differs from $2: $(diff -rq "$1" "$2" | head -2)"; return 1; }
}
# Everything in the parent folder of the results, less the results folder
# (and the parent's own time stamps, which the work folder changes).
around() { # results folder
  (cd "$(dirname "$1")" && find . -mindepth 1 -path "./$(basename "$1")" -prune -o -print | sort | xargs -r -d '\n' ls -ld --time-style=+%s.%N 2>/dev/null)
}
one_of() { # folder: exactly reference 1 or reference 2
  identical "$1" "$tmp/ref1" || identical "$1" "$tmp/ref2" ||
    { echo "  $1 is a mix: $(diff -rq "$1" "$tmp/ref1" | head -2)"; return 1; }
}

# ---- concurrent writers ------------------------------------------------------
mkdir "$tmp/c"
mixed=0
for i in $(seq 1 12); do
  "$lbsim" run -q -j 1 -o "$tmp/c/out" "$tmp/s1.yaml" &
  "$lbsim" run -q -j 1 -o "$tmp/c/out" "$tmp/s2.yaml" &
  wait
  one_of "$tmp/c/out" >/dev/null || mixed=$((mixed + 1))
done
check "two runs at once into one folder: always one whole set (12 trials)" [ "$mixed" -eq 0 ]
check "  and no work folder left beside it" bash -c "[ -z \"\$(ls -A '$tmp/c' | grep -v '^out\$')\" ]"
mixed=0
for i in $(seq 1 6); do
  "$lbsim" run -q -j 1 -o "$tmp/c/out" "$tmp/s$((i % 2 + 1)).yaml" &
  "$lbsim" plot "$tmp/c/out" >/dev/null 2>&1 &
  wait
  # The CSV files are one run's, whatever the pictures are.
  for f in "$tmp/ref1"/*.csv; do
    [ "$(basename "$f")" = provenance.csv ] && continue
    cmp -s "$f" "$tmp/c/out/$(basename "$f")" || { cmp -s "$tmp/ref2/$(basename "$f")" "$tmp/c/out/$(basename "$f")" || mixed=$((mixed + 1)); }
  done
done
check "a run and a plot at once: the CSV files of one run (6 trials)" [ "$mixed" -eq 0 ]

# ---- killed at each step -------------------------------------------------------
for sig in KILL TERM INT; do
  for step in begun written; do
    rm -rf "$tmp/k" && mkdir "$tmp/k" && cp -r "$tmp/ref1" "$tmp/k/out"
    before=$(around "$tmp/k/out")
    LBSIM_TEST_STOP=$step:$sig "$lbsim" run -q -o "$tmp/k/out" "$tmp/s2.yaml" 2>/dev/null
    rc=$?
    check "$sig at '$step': the process died of it" [ "$rc" -ge 128 ]
    check "  the previous set is untouched" same "$tmp/k/out" "$tmp/ref1"
    if [ "$sig" = KILL ]; then
      check "  a stale work folder is left" bash -c "ls -A '$tmp/k' | grep -q '^\.out\.lbsim-'"
      check "  the next run removes it and says so" bash -c "
        '$lbsim' run -o '$tmp/k/out' '$tmp/s2.yaml' 2>'$tmp/k.err' >/dev/null &&
        grep -q 'removed a temporary folder left by an interrupted lbsim' '$tmp/k.err' &&
        [ -z \"\$(ls -A '$tmp/k' | grep -v '^out\$')\" ]"
      check "  and writes its set" same "$tmp/k/out" "$tmp/ref2"
    else
      check "  the signal handler removed the work folder" [ "$(around "$tmp/k/out")" = "$before" ]
    fi
  done
done
rm -rf "$tmp/k" && mkdir "$tmp/k" && cp -r "$tmp/ref1" "$tmp/k/out"
LBSIM_TEST_STOP=swapped "$lbsim" run -q -o "$tmp/k/out" "$tmp/s2.yaml" 2>/dev/null
check "KILL right after the swap: the new set is whole" same "$tmp/k/out" "$tmp/ref2"
check "  the next run removes the old one" bash -c "
  '$lbsim' run -q -o '$tmp/k/out' '$tmp/s1.yaml' && [ -z \"\$(ls -A '$tmp/k' | grep -v '^out\$')\" ]"
# A real signal while it simulates.
scenario 3 | sed 's/duration: 20s/duration: 3h/' >"$tmp/long.yaml"
rm -rf "$tmp/k" && mkdir "$tmp/k" && cp -r "$tmp/ref1" "$tmp/k/out"
before=$(around "$tmp/k/out")
"$lbsim" run -q -j 1 -o "$tmp/k/out" "$tmp/long.yaml" 2>/dev/null &
pid=$!
for _ in $(seq 1 50); do ls -A "$tmp/k" | grep -q '^\.out\.lbsim-' && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid"
check "SIGTERM while simulating: exit by the signal" [ $? -eq 143 ]
check "  the previous set is untouched" same "$tmp/k/out" "$tmp/ref1"
check "  nothing else changed" [ "$(around "$tmp/k/out")" = "$before" ]
# Updates too: a plot killed before its swap leaves the folder as it was.
rm -rf "$tmp/k" && mkdir "$tmp/k" && cp -r "$tmp/ref1" "$tmp/k/out"
LBSIM_TEST_STOP=written:TERM "$lbsim" plot "$tmp/k/out" >/dev/null 2>&1
check "plot stopped before its swap: the folder as it was" same "$tmp/k/out" "$tmp/ref1"
LBSIM_TEST_STOP=written:TERM "$lbsim" report "$tmp/k/out" >/dev/null 2>&1
check "report the same" same "$tmp/k/out" "$tmp/ref1"

# ---- a full device ---------------------------------------------------------------
rm -rf "$tmp/f" && mkdir "$tmp/f" && cp -r "$tmp/ref1" "$tmp/f/out"
before=$(around "$tmp/f/out")
check "file-size limit: run fails with 1" bash -c "
  (ulimit -f 8; '$lbsim' run -q -o '$tmp/f/out' '$tmp/long.yaml' 2>'$tmp/f.err'); [ \$? -eq 1 ]"
check "  names a file of the results folder, not a temporary" bash -c "
  grep -q \"$tmp/f/out/[a-z_]*\\.csv: write failed\" '$tmp/f.err' && ! grep -q 'lbsim-' '$tmp/f.err'"
check "  the previous set is untouched" same "$tmp/f/out" "$tmp/ref1"
check "  nothing else changed" [ "$(around "$tmp/f/out")" = "$before" ]
"$lbsim" plot "$tmp/f/out" >/dev/null 2>&1 && "$lbsim" report "$tmp/f/out" >/dev/null 2>&1
cp -r "$tmp/f/out" "$tmp/f/plotted"
rm "$tmp/f/out/"*.png
cp -r "$tmp/f/out" "$tmp/f/before-plot"
check "file-size limit: plot fails with 1" bash -c "
  (ulimit -f 2; '$lbsim' plot '$tmp/f/out' >/dev/null 2>'$tmp/fp.err'); [ \$? -eq 1 ]"
check "  and says which picture" grep -q 'could not write it whole\|write failed\|gnuplot failed' "$tmp/fp.err"
check "  the folder is as it was" same "$tmp/f/out" "$tmp/f/before-plot"
check "  no work folder left" bash -c "[ -z \"\$(ls -A '$tmp/f' | grep '^\.')\" ]"

mkdir "$tmp/mnt"
if mount -t tmpfs -o size=200k tmpfs "$tmp/mnt" 2>/dev/null; then
  trap 'umount "$tmp/mnt" 2>/dev/null; rm -rf "$tmp"' EXIT
  cp -r "$tmp/ref1" "$tmp/mnt/out"
  before=$(around "$tmp/mnt/out")
  check "full tmpfs: run fails with 1" bash -c "
    '$lbsim' run -q -o '$tmp/mnt/out' '$tmp/long.yaml' 2>'$tmp/m.err'; [ \$? -eq 1 ]"
  check "  says the device is full" grep -q 'No space left on device\|device full' "$tmp/m.err"
  check "  the previous set is untouched" same "$tmp/mnt/out" "$tmp/ref1"
  check "  nothing else changed" [ "$(around "$tmp/mnt/out")" = "$before" ]
  # Fill what is left, then plot: no picture half written, nothing replaced.
  head -c 300k /dev/zero >"$tmp/mnt/filler" 2>/dev/null
  before=$(around "$tmp/mnt/out")
  check "full tmpfs: plot fails with 1" bash -c "
    '$lbsim' plot '$tmp/mnt/out' >/dev/null 2>'$tmp/mp.err'; [ \$? -eq 1 ]"
  check "  the folder is as it was" same "$tmp/mnt/out" "$tmp/ref1"
  check "  nothing else changed" [ "$(around "$tmp/mnt/out")" = "$before" ]
  umount "$tmp/mnt"
else
  echo "skip: full tmpfs (cannot mount here)"
fi

# ---- planted symbolic links ------------------------------------------------------
rm -rf "$tmp/l" && mkdir -p "$tmp/l" "$tmp/victim" && echo keep >"$tmp/victim/file"
cp -r "$tmp/ref1" "$tmp/l/out"
ln -s "$tmp/victim/file" "$tmp/l/out/summary.csv.new"
ln -sf "$tmp/victim/file" "$tmp/l/out/share.png"
ln -s "$tmp/victim" "$tmp/l/.out.lbsim-AAAAAA"
mkdir "$tmp/l/.out.lbsim-BBBBBB" && ln -s "$tmp/victim/file" "$tmp/l/.out.lbsim-BBBBBB/summary.csv"
check "links planted in and beside the results: run succeeds" bash -c "
  '$lbsim' run -q -p -o '$tmp/l/out' '$tmp/s2.yaml' >/dev/null"
check "  nothing they point at changed" bash -c "[ \"\$(cat '$tmp/victim/file')\" = keep ] && [ \$(ls -A '$tmp/victim' | wc -l) -eq 1 ]"
check "  a link posing as a work folder is left alone" [ -L "$tmp/l/.out.lbsim-AAAAAA" ]
check "  a stale work folder's link is removed, not followed" [ ! -e "$tmp/l/.out.lbsim-BBBBBB" ]
check "  a link lbsim did not write is kept" [ -L "$tmp/l/out/summary.csv.new" ]
check "  share.png is a new picture, not the link" bash -c "[ ! -L '$tmp/l/out/share.png' ] && [ -s '$tmp/l/out/share.png' ]"
mkdir "$tmp/l/real" && ln -s real "$tmp/l/alias"
check "results folder given as a link to a folder: run succeeds" "$lbsim" run -q -o "$tmp/l/alias" "$tmp/s1.yaml"
check "  the link stays" [ -L "$tmp/l/alias" ]
check "  the results are in the folder it names" same "$tmp/l/real" "$tmp/ref1"

# ---- the user's files ------------------------------------------------------------
rm -rf "$tmp/u" && mkdir "$tmp/u" && cp -r "$tmp/ref1" "$tmp/u/out" && echo mine >"$tmp/u/out/notes.txt"
check "a file of the user's in the results folder is kept" bash -c "
  '$lbsim' run -q -o '$tmp/u/out' '$tmp/s2.yaml' && [ \"\$(cat '$tmp/u/out/notes.txt')\" = mine ]"
rm "$tmp/u/out/notes.txt"
check "  the rest is the new set" same "$tmp/u/out" "$tmp/ref2"
mkdir "$tmp/u/out/keep-me"
cp -r "$tmp/u/out" "$tmp/u/before"
check "a folder inside the results folder: refused with 2" status_is 2 "$lbsim" run -q -o "$tmp/u/out" "$tmp/s1.yaml"
check "  says why" grep -q 'holds keep-me (a folder), which lbsim did not write' "$tmp/stderr"
check "  nothing changed" same "$tmp/u/out" "$tmp/u/before"
check "a file as the results folder: 2" status_is 2 "$lbsim" run -q -o "$tmp/s1.yaml" "$tmp/s1.yaml"
check "  says why" grep -q 'exists and is not a folder' "$tmp/stderr"

# ---- names of the results folder ---------------------------------------------------
check "-o '': 2, and says the name is empty" bash -c "
  '$lbsim' run -q -o '' '$tmp/s1.yaml' 2>'$tmp/e.err'; [ \$? -eq 2 ] && grep -q 'name is empty' '$tmp/e.err'"
long=$(printf 'x%.0s' $(seq 1 5000))
check "a 5000-byte -o: 2, and says how long" bash -c "
  '$lbsim' run -q -o '$long' '$tmp/s1.yaml' 2>'$tmp/e.err'; [ \$? -eq 2 ] && grep -q '5000 bytes long' '$tmp/e.err'"
check "a 300-byte folder name: 2, and says at most" bash -c "
  '$lbsim' run -q -o '$tmp/$(printf 'y%.0s' $(seq 1 300))' '$tmp/s1.yaml' 2>'$tmp/e.err'; [ \$? -eq 2 ] && grep -q 'at most 240' '$tmp/e.err'"

# ---- a failed run leaves nothing ---------------------------------------------------
check "a failed run into a new folder leaves no folder behind" bash -c "
  (ulimit -f 8; '$lbsim' run -q -o '$tmp/new/deep/out' '$tmp/long.yaml' 2>/dev/null); [ \$? -eq 1 ] && [ ! -e '$tmp/new' ]"

# ---- the scenario that was simulated ------------------------------------------------
check "a scenario read from a pipe is recorded whole" bash -c "
  '$lbsim' run -q -o '$tmp/p' <(cat '$tmp/s1.yaml') && cmp -s '$tmp/p/scenario.yaml' '$tmp/s1.yaml' &&
  '$lbsim' report '$tmp/p' >/dev/null"
cp "$tmp/s1.yaml" "$tmp/edit.yaml"
LBSIM_TEST_STOP=begun:STOP "$lbsim" run -q -o "$tmp/ed" "$tmp/edit.yaml" &
pid=$!
for _ in $(seq 1 100); do [ "$(ps -o stat= -p "$pid" | cut -c1)" = T ] && break; sleep 0.05; done
scenario 9 >"$tmp/edit.yaml"
kill -CONT "$pid"
wait "$pid"
check "a scenario edited during the run: the simulated bytes are recorded" cmp -s "$tmp/ed/scenario.yaml" "$tmp/s1.yaml"
check "  with the results they gave" bash -c "cmp -s '$tmp/ed/summary.csv' '$tmp/ref1/summary.csv'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
