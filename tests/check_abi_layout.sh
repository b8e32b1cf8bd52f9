#!/bin/sh
# check_abi_layout - the binary layout of mlgate/plugin.h on this platform
# (tests/abi_layout prints every struct field's offset and size, every
# struct's size and every ABI constant) must equal the committed
# expectation tests/abi/layout-ARCH.txt.  A frozen field that moved or
# changed size is reported as such; an appended field must be added to the
# expectation in the same commit.  Then the same comparison is shown to
# fail on a temporary copy of the header with two fields swapped.
set -u
src=${MLG_SRCDIR:-.}
build=${MLG_BUILDDIR:-.}
cc=${CC:-cc}
arch=$(uname -m)
want="$src/tests/abi/layout-$arch.txt"
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

if [ ! -f "$want" ]; then
    echo "SKIP: no ABI layout expectation for $arch ($want)"
    exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_abi_layout.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# compare EXPECTED ACTUAL: one line per difference; status 1 if any.
compare() {
    awk '
        FNR == NR { key = $1 " " $2; want[key] = $0; next }
        {
            key = $1 " " $2; have[key] = 1
            if (!(key in want))
                printf "new: %s (not in the expectation; appended fields" \
                       " go there in the same commit)\n", $0
            else if (want[key] != $0)
                printf "FROZEN %s changed: was \"%s\", is \"%s\"\n", key,
                       want[key], $0
        }
        END {
            for (k in want)
                if (!(k in have))
                    printf "FROZEN %s is gone\n", k
        }' "$1" "$2" >"$tmp/diff"
    cat "$tmp/diff"
    [ ! -s "$tmp/diff" ]
}

# --- 1. this build against the expectation -----------------------------
"$build/tests/abi_layout" >"$tmp/actual" || fail "tests/abi_layout did not run"
if compare "$want" "$tmp/actual"; then
    echo "ok: $(wc -l <"$tmp/actual") layout lines match $want"
else
    fail "the ABI layout differs from $want"
fi

# --- 2. a temporary patch that moves a field must fail -----------------
# Swap status and subcode of struct mlg_error in a copy of the header.
mkdir -p "$tmp/patched/mlgate"
awk '
    /^    int status; .*HTTP status/ { held = $0; next }
    { print }
    held != "" && /^    int subcode;/ { print held; held = "" }
' "$src/sdk/mlgate/plugin.h" >"$tmp/patched/mlgate/plugin.h"
cmp -s "$src/sdk/mlgate/plugin.h" "$tmp/patched/mlgate/plugin.h" &&
    fail "the temporary patch did not change the header"
if $cc -std=c99 -I"$tmp/patched" -o "$tmp/layout_patched" \
    "$src/tests/abi_layout.c"; then
    "$tmp/layout_patched" >"$tmp/patched.txt"
    if compare "$want" "$tmp/patched.txt" >"$tmp/patched.out"; then
        fail "moving mlg_error.status was not detected"
    elif grep -q '^FROZEN field mlg_error.status changed' "$tmp/patched.out"
    then
        echo "ok: the patched header fails: $(head -n 1 "$tmp/patched.out")"
    else
        fail "the patched header failed without naming mlg_error.status:"
        cat "$tmp/patched.out"
    fi
else
    fail "cannot compile tests/abi_layout.c against the patched header"
fi

[ "$fails" -eq 0 ] || exit 1
exit 0
