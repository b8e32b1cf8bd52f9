#!/bin/sh
# check_inspect - `mlgate plugin inspect`: each built-in plugin loads
# (exit 0) and shows its name, ABI and options; a refused plugin gives
# exit 78 and the loader's reason; both examples in README.md are what
# the command prints (paths aside).
set -u
src=${MLG_SRCDIR:-.}
build=${MLG_BUILDDIR:-.}
mlgate="$build/mlgate"
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_inspect.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# --- 1. every built-in ------------------------------------------------
for p in stats-comment compare remote-run; do
    "$mlgate" plugin inspect "$build/plugins/.libs/$p.so" >"$tmp/$p.out" 2>&1
    rc=$?
    [ "$rc" -eq 0 ] || fail "$p: exit $rc, want 0"
    grep -q "^name: *$p\$" "$tmp/$p.out" || fail "$p: no name line"
    grep -q '^ABI: *built with 1\.[0-9]*, needs 1\.[0-9]* (this mlgate' \
        "$tmp/$p.out" || fail "$p: no ABI line"
    grep -q '^loads: *yes$' "$tmp/$p.out" || fail "$p: not 'loads: yes'"
    grep -q '^options:$' "$tmp/$p.out" || fail "$p: no options"
done
# Types and defaults come from the descriptor.
grep -q "^  goal  *enum (max|min), default 'max'$" "$tmp/compare.out" ||
    fail "compare: the goal option's type and default"
grep -q "^  queue  *string, required$" "$tmp/remote-run.out" ||
    fail "remote-run: the queue option is required"

# --- 2. a refused plugin ------------------------------------------------
cp "$build/tests/plugins/.libs/abi_major.so" "$tmp/old.so"
(cd "$tmp" && "$mlgate" plugin inspect old.so) >"$tmp/old.out" 2>&1
rc=$?
[ "$rc" -eq 78 ] || fail "abi_major: exit $rc, want 78"
grep -q '^loads: *refused: ./old.so: plugin ABI 2.0 is not compatible' \
    "$tmp/old.out" || fail "abi_major: no refusal line"
"$mlgate" plugin inspect "$build/tests/plugins/.libs/reserved.so" \
    >"$tmp/reserved.out" 2>&1
[ $? -eq 78 ] || fail "reserved: want exit 78"
grep -q 'descriptor reserved\[2\] is not NULL' "$tmp/reserved.out" ||
    fail "reserved: no reason"
"$mlgate" plugin inspect "$tmp/nosuch.so" >"$tmp/nosuch.out" 2>&1
[ $? -eq 78 ] || fail "a missing file: want exit 78"
"$mlgate" plugin inspect >/dev/null 2>&1
[ $? -eq 64 ] || fail "no FILE: want exit 64"

# --- 3. README.md shows what the command prints -------------------------
# The console block after "$ mlgate plugin inspect": the stats-comment
# report, then the refused one (up to its exit status line).
awk '/^\$ mlgate plugin inspect \/usr\/local\/lib\/mlgate\/stats-comment.so$/ {
         on = 1; next }
     on && /^\$ / { exit }
     on { print }' "$src/README.md" >"$tmp/readme-stats"
sed 's|^file: .*|file:         /usr/local/lib/mlgate/stats-comment.so|' \
    "$tmp/stats-comment.out" >"$tmp/stats-norm"
if ! cmp -s "$tmp/readme-stats" "$tmp/stats-norm"; then
    fail "README.md's stats-comment inspect output differs:"
    diff "$tmp/readme-stats" "$tmp/stats-norm"
fi
awk '/^\$ mlgate plugin inspect \.\/old\.so; echo \$\?$/ { on = 1; next }
     on && /^```/ { exit }
     on { print }' "$src/README.md" >"$tmp/readme-old"
{ cat "$tmp/old.out"; echo 78; } >"$tmp/old-norm"
if ! cmp -s "$tmp/readme-old" "$tmp/old-norm"; then
    fail "README.md's refused inspect output differs:"
    diff "$tmp/readme-old" "$tmp/old-norm"
fi

[ "$fails" -eq 0 ] && echo "ok: mlgate plugin inspect" && exit 0
exit 1
