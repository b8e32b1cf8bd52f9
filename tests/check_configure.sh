#!/bin/sh
# check_configure.sh - configure's version floors are honest: a cJSON
# older than 1.7.13 (faked with a libcjson.pc first on PKG_CONFIG_PATH)
# stops configure with one clear line naming the version found, the floor
# and what needs it; a fake 1.7.13 passes that check, and a libmicrohttpd
# older than 0.9.71 only leaves the sandbox out, with a warning saying so.
# Exit 0 pass, 1 fail, 77 skip.

set -u

: "${MLG_SRCDIR:?set MLG_SRCDIR to the source tree}"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

command -v pkg-config >/dev/null 2>&1 || skip "pkg-config not installed"
[ -x "$MLG_SRCDIR/configure" ] || skip "no configure script (autoreconf)"
real=$(pkg-config --variable=pcfiledir libcjson 2>/dev/null) ||
    skip "libcjson's pkg-config file missing"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_configure.XXXXXX") || fail "mktemp"
trap '[ -n "${MLG_KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP PIPE

# fake NAME VERSION: a copy of the real .pc that claims VERSION.
fake() {
    sed "s/^Version:.*/Version: $2/" \
        "$(pkg-config --variable=pcfiledir "$1")/$1.pc" >"$tmp/pc/$1.pc" ||
        fail "faking $1.pc"
}
# conf NAME: run configure in its own build directory; its status.
conf() {
    mkdir "$tmp/$1" &&
    (cd "$tmp/$1" && PKG_CONFIG_PATH=$tmp/pc \
        "$tmp/src/configure" --disable-werror) >"$tmp/$1.log" 2>&1
}

# The source tree may be configured in place, which configure refuses for
# another build directory: a tree of links to it without config.status.
mkdir "$tmp/pc" "$tmp/src" || fail "mkdir"
for f in "$MLG_SRCDIR"/*; do
    [ "${f##*/}" = config.status ] || ln -s "$f" "$tmp/src/" || fail "ln -s"
done
fake libcjson 1.7.12
conf old && { tail -n 5 "$tmp/old.log"; fail "configure accepted cJSON 1.7.12"; }
want="configure: error: libcjson 1.7.12 is too old: mlgate needs libcjson \
>= 1.7.13 (cJSON_ParseWithLength, cJSON_GetNumberValue)"
grep -qxF "$want" "$tmp/old.log" ||
    { tail -n 5 "$tmp/old.log"; fail "no clear error for cJSON 1.7.12"; }
ok "cJSON 1.7.12 refused: ${want#configure: error: }"

# The floor is 1.7.13 itself, not higher; an old libmicrohttpd costs only
# the sandbox.
fake libcjson 1.7.13
if pkg-config --exists libmicrohttpd; then
    fake libmicrohttpd 0.9.70
fi
conf floor || { tail -n 5 "$tmp/floor.log"; fail "configure refused cJSON 1.7.13"; }
grep -q "^checking for libcjson >= 1.7.13... yes" "$tmp/floor.log" ||
    fail "cJSON 1.7.13 did not pass the check"
ok "cJSON 1.7.13 accepted"
if [ -f "$tmp/pc/libmicrohttpd.pc" ]; then
    grep -q "no libmicrohttpd >= 0.9.71 (enum MHD_Result): mlgate-sandbox" \
        "$tmp/floor.log" ||
        { grep -i microhttpd "$tmp/floor.log"; fail "no warning for MHD 0.9.70"; }
    grep -q '^HAVE_MHD_TRUE=.#' "$tmp/floor/config.log" ||
        fail "the sandbox is still built with libmicrohttpd 0.9.70"
    ok "libmicrohttpd 0.9.70: configure warns and leaves the sandbox out"
fi
exit 0
