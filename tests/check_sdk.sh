#!/bin/sh
# check_sdk.sh - the SDK as a third party sees it: `make install` into a
# temporary DESTDIR, build sdk/example against that install alone (its own
# Makefile, pkg-config only), run the installed mlgate with it against the
# sandbox's happy scenario and assert its results in the JSON report; then
# show that a plugin built for an older (or equal) ABI minor loads and that
# a newer minor and a newer major are refused with a message naming both
# versions; finally run action.yml's own step scripts against that install.
# Exit 0 pass, 1 fail, 77 skip (a tool or the sandbox missing).

set -u

: "${MLG_SRCDIR:?set MLG_SRCDIR to the source tree}"
: "${MLG_BUILDDIR:?set MLG_BUILDDIR to the build tree}"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

# Configured directories, passed by AM_TESTS_ENVIRONMENT (doc/doc.mk);
# the defaults are those of a plain ./configure, for runs by hand.
make=${MLG_MAKE:-make}
prefix=${MLG_PREFIX:-/usr/local}
bindir=${MLG_BINDIR:-$prefix/bin}
pkglibdir=${MLG_PKGLIBDIR:-$prefix/lib/mlgate}
pkgconfigdir=${MLG_PKGCONFIGDIR:-$prefix/lib/pkgconfig}
cc=${CC:-cc}
sandbox=$MLG_BUILDDIR/tests/sandbox/mlgate-sandbox
scenario=$MLG_SRCDIR/tests/sandbox/scenarios/happy.json
sha=3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345

command -v pkg-config >/dev/null 2>&1 || skip "pkg-config not installed"
command -v "$cc" >/dev/null 2>&1 || skip "no C compiler ($cc)"
pkg-config --exists libcjson || skip "libcjson's pkg-config file missing"
[ -f "$MLG_BUILDDIR/Makefile" ] || skip "no configured build tree"
[ -x "$sandbox" ] || skip "mlgate-sandbox not built (libmicrohttpd?)"
[ -f "$scenario" ] || skip "no happy scenario"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_sdk.XXXXXX") || fail "mktemp"
sbx_pid=
watchdog=
cleanup() {
    exec 3<&- 2>/dev/null
    [ -n "$sbx_pid" ] && kill "$sbx_pid" 2>/dev/null && wait "$sbx_pid"
    [ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null
    [ -n "${MLG_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

# --- 1. make install DESTDIR=... from the build tree --------------------
root=$tmp/root
# A nested make must not join the jobserver of the `make check` above it.
(unset MAKEFLAGS MFLAGS MAKELEVEL
 $make -C "$MLG_BUILDDIR" install DESTDIR="$root") \
    >"$tmp/install.log" 2>&1 ||
    { tail -n 30 "$tmp/install.log"; fail "make install DESTDIR=$root"; }
ok "make install DESTDIR=$root"

inst_mlgate=$root$bindir/mlgate
[ -x "$inst_mlgate" ] || fail "no $bindir/mlgate in the install"
for f in "$prefix/include/mlgate/plugin.h" \
         "$prefix/include/mlgate/testing.h" "$pkgconfigdir/mlgate-test.pc" \
         "$pkgconfigdir/mlgate-plugin.pc" \
         "$pkglibdir/stats-comment.so" "$pkglibdir/compare.so" \
         "$pkglibdir/remote-run.so"; do
    [ -f "$root$f" ] || fail "$f not installed"
done
# Modules are loaded by file name: no libtool archives (Debian policy).
las=$(find "$root" -name '*.la')
[ -z "$las" ] || fail "libtool archives installed: $las"
# The sandbox is installed with its scenarios and man page.
[ -x "$root$bindir/mlgate-sandbox" ] || fail "mlgate-sandbox not installed"
find "$root" -path '*/mlgate/scenarios/happy.json' | grep -q . ||
    fail "the sandbox's scenarios are not installed"
find "$root" -name mlgate-sandbox.1 | grep -q . ||
    fail "mlgate-sandbox(1) not installed"
find "$root" -name mlgate.1 | grep -q . || fail "mlgate(1) not installed"
find "$root" -name mlgate-plugin.3 | grep -q . ||
    fail "mlgate-plugin(3) not installed"
for f in metric-threshold.c example.conf github-workflow.yml \
         gitlab-ci.yml README.md; do
    find "$root" -name "$f" | grep -q . || fail "$f is not installed in docdir"
done
ok "installed layout: bindir, pkglibdir, include/mlgate, pkgconfig, man, no .la"

# --- 2. build sdk/example against the installed SDK only --------------
# Only the DESTDIR .pc is on the path, relocated with --define-variable.
PKG_CONFIG_PATH=$root$pkgconfigdir
export PKG_CONFIG_PATH
pkgc="pkg-config --define-variable=prefix=$root$prefix"
sdk_cflags=$($pkgc --cflags mlgate-plugin) ||
    fail "pkg-config --cflags mlgate-plugin on the install"
case $sdk_cflags in
*"-I$root"*) ;;
*) fail "SDK cflags do not point into the install: $sdk_cflags" ;;
esac
# Without libcjson's .pc on the path, for a plugin that never reads JSON.
PKG_CONFIG_LIBDIR=$root$pkgconfigdir $pkgc --cflags mlgate-plugin \
    >/dev/null || fail "pkg-config --cflags mlgate-plugin needs libcjson.pc"
[ "$($pkgc --variable=cjson_requires mlgate-plugin)" = "libcjson >= 1.7.13" ] ||
    fail "the .pc does not name the cJSON pin"
plugindir=$($pkgc --variable=plugindir mlgate-plugin)
[ "$plugindir" = "$root$pkglibdir" ] ||
    fail "plugindir $plugindir is not the installed $root$pkglibdir"

# The plugin link flags come from the .pc, as configure probed them.
plugin_ldflags=$($pkgc --variable=plugin_ldflags mlgate-plugin)
case $plugin_ldflags in
*-shared*) ;;
*) fail "the .pc's plugin_ldflags lack -shared: '$plugin_ldflags'" ;;
esac

# The example's Makefile runs pkg-config in its recipes' shell (POSIX make
# has no $(shell)): a logging pkg-config shows what it asked and got.
cat >"$tmp/pkgc" <<EOF
#!/bin/sh
out=\$($pkgc "\$@") || exit
printf '%s -> %s\\n' "\$*" "\$out" >>"$tmp/pkgc.log"
printf '%s\\n' "\$out"
EOF
chmod +x "$tmp/pkgc" || fail "chmod"
# The same strictness as mlgate's own code.
xcflags="-std=c99 -O2 -Wall -Wextra -Werror -Wmissing-prototypes \
-Wstrict-prototypes -Wdeclaration-after-statement -Wshadow -Wformat=2 \
-Wwrite-strings"
build_example() { # MAKE DIR TARGETS...
    bm=$1 dir=$2
    shift 2
    mkdir "$dir" && cp "$MLG_SRCDIR"/sdk/example/* "$dir/" &&
        chmod -R u+w "$dir" || fail "copying sdk/example"
    : >"$tmp/pkgc.log"
    (unset MAKEFLAGS MFLAGS MAKELEVEL
     cd "$dir" &&
     $bm PKG_CONFIG="$tmp/pkgc" CC="$cc" CFLAGS="$xcflags" "$@") \
        >"$dir.log" 2>&1 || { cat "$dir.log"; fail "$bm: sdk/example"; }
    grep -qF -- "--cflags mlgate-plugin -> -I$root$prefix/include" \
        "$tmp/pkgc.log" ||
        { cat "$tmp/pkgc.log"; fail "$bm: no -I of the installed SDK"; }
    grep -qxF -- "--variable=plugin_ldflags mlgate-plugin -> $plugin_ldflags" \
        "$tmp/pkgc.log" ||
        { cat "$tmp/pkgc.log"; fail "$bm: plugin_ldflags not from the .pc"; }
    grep -q "^ok: max value 98 > 90 fails" "$dir.log" ||
        fail "$bm: the test-kit unit test did not run"
    # The unit test links the INSTALLED kit.
    grep -q -- "^--libs mlgate-test -> -L$root$prefix/lib.*-lmlgate-test" \
        "$tmp/pkgc.log" || { cat "$tmp/pkgc.log";
        fail "$bm: the example's test did not link the installed libmlgate-test"; }
}
build_example "$make" "$tmp/example" all check install
# ... and has no fake host of its own.
if grep -l "struct mlg_host [a-z_]* = {" "$tmp"/example/*.c; then
    fail "sdk/example defines a host table of its own"
fi
[ -f "$plugindir/metric-threshold.so" ] ||
    fail "the example's make install did not reach plugindir"
ok "sdk/example built, unit-tested and installed with pkg-config only"

# The same Makefile under BSD make (Debian's bmake): no GNU make needed.
if command -v bmake >/dev/null 2>&1; then
    build_example bmake "$tmp/example-bmake" all check
    [ -f "$tmp/example-bmake/metric-threshold.so" ] ||
        fail "bmake: no metric-threshold.so"
    ok "sdk/example builds and passes its test under bmake (BSD make)"
else
    echo "SKIP (part): bmake not installed (apt-get install bmake)"
fi

# --- 3. the installed mlgate runs it against the sandbox --------------
mkfifo "$tmp/sbx.out" || fail "mkfifo"
# Where tests/check_spec finds it (tests/spec/spec.mk), else private.
reqlog=$tmp/requests.jsonl
[ -n "${MLG_SPEC_LOG_DIR:-}" ] && [ -d "$MLG_SPEC_LOG_DIR" ] &&
    reqlog=$MLG_SPEC_LOG_DIR/sdk.$$.jsonl
"$sandbox" --scenario "$scenario" --log "$reqlog" \
    >"$tmp/sbx.out" 2>"$tmp/sbx.err" &
sbx_pid=$!
# A deadline, not a synchronisation: a sandbox that never says READY is
# killed, and the read below sees end of file.
(trap 'kill "$nap" 2>/dev/null; exit 0' TERM
 sleep 20 & nap=$!
 wait "$nap" && kill "$sbx_pid" 2>/dev/null) </dev/null >/dev/null 2>&1 &
watchdog=$!
exec 3<"$tmp/sbx.out"
ready=
while IFS= read -r line <&3; do
    case $line in
    CLEARML_API_HOST=*) CLEARML_API_HOST=${line#*=} ;;
    CLEARML_WEB_HOST=*) CLEARML_WEB_HOST=${line#*=} ;;
    GITHUB_API_URL=*) GITHUB_API_URL=${line#*=} ;;
    READY) ready=1; break ;;
    esac
done
[ -n "$ready" ] || { cat "$tmp/sbx.err"; fail "the sandbox did not start"; }

# Only the sandbox and the fixture credentials: no CI of the machine, no
# ~/clearml.conf.
unset GITHUB_ACTIONS GITHUB_EVENT_PATH GITHUB_EVENT_NAME GITHUB_OUTPUT \
      GITHUB_STEP_SUMMARY GITLAB_CI CI_API_V4_URL CLEARML_CONFIG_FILE \
      CLEARML_AUTH_TOKEN MLGATE_CONFIG MLGATE_REPO MLGATE_PR MLGATE_SHA \
      MLGATE_BRANCH 2>/dev/null
HOME=$tmp
CLEARML_API_ACCESS_KEY=SBXACCESSKEY00000001
CLEARML_API_SECRET_KEY=sbx-secret-0123456789abcdefghijklmnopqrstuv
GITHUB_TOKEN=ghs_sbxWriteToken0123456789abcdef
MLGATE_PLUGIN_PATH=$plugindir
NO_COLOR=1
export HOME CLEARML_API_HOST CLEARML_WEB_HOST CLEARML_API_ACCESS_KEY \
       CLEARML_API_SECRET_KEY GITHUB_API_URL GITHUB_TOKEN \
       MLGATE_PLUGIN_PATH NO_COLOR

# Happy scenario: the head commit's task reached 98 on this scalar.
cat >"$tmp/mlgate.conf" <<'EOF'
[clearml]
project   = Github CICD Video
task-name = cicd_test

[report]
comment = off
status  = off

[check threshold]
plugin = metric-threshold
metric = Performance Metric / Series 1
value  = max
min    = 90

[check ceiling]
plugin    = metric-threshold
metric    = Performance Metric / Series 1
value     = max
max       = 50
on-breach = fail
EOF

"$inst_mlgate" check-config -c "$tmp/mlgate.conf" >"$tmp/cc.out" 2>&1 ||
    { cat "$tmp/cc.out"; fail "check-config with the example plugin"; }
"$inst_mlgate" help metric-threshold >"$tmp/help.out" 2>&1 ||
    { cat "$tmp/help.out"; fail "mlgate help metric-threshold"; }
for opt in metric value min max on-breach project task-name; do
    grep -q -- "$opt" "$tmp/help.out" ||
        fail "mlgate help metric-threshold does not list $opt"
done
ok "check-config and help see the installed example plugin"

"$inst_mlgate" -c "$tmp/mlgate.conf" --only threshold,ceiling \
    --repo acme/ml-repo --pr 12 --sha "$sha" --branch feature-x \
    --json "$tmp/out.json" >"$tmp/run.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] ||
    { cat "$tmp/run.out"; fail "exit $rc, want 1 (ceiling FAILs)"; }
[ -s "$tmp/out.json" ] || fail "no JSON report"
grep -q "tasks.get_all" "$reqlog" ||
    fail "the plugin never asked the sandbox for the task"

if command -v python3 >/dev/null 2>&1; then
    python3 - "$tmp/out.json" <<'EOF' || fail "JSON report assertions"
import json, sys
rep = json.load(open(sys.argv[1]))
checks = {c["name"]: c for c in rep["checks"]}
def status(name):
    return str(checks[name]["status"]).lower()
assert set(checks) == {"threshold", "ceiling"}, checks.keys()
assert status("threshold") == "pass", checks["threshold"]
assert status("ceiling") == "fail", checks["ceiling"]
assert str(checks["threshold"]["plugin"]).endswith("metric-threshold"), \
    checks["threshold"]["plugin"]
assert "98" in checks["threshold"]["summary"], checks["threshold"]
assert "98" in checks["ceiling"]["summary"], checks["ceiling"]
assert checks["threshold"]["outputs"].get("value") == "98", \
    checks["threshold"]["outputs"]
assert str(rep["status"]).lower() == "fail", rep["status"]
EOF
else
    # No JSON parser: the text report has one line per check.
    grep -iE "pass.*threshold|threshold.*pass" "$tmp/run.out" >/dev/null &&
        grep -iE "fail.*ceiling|ceiling.*fail" "$tmp/run.out" >/dev/null ||
        { cat "$tmp/run.out"; fail "text report"; }
fi
ok "installed mlgate + example plugin: threshold PASS, ceiling FAIL, exit 1"

# --- 4. ABI versions: older minor loads, newer minor/major refused -----
major=$(sed -n 's/^#define MLG_ABI_MAJOR \([0-9]*\).*/\1/p' \
    "$root$prefix/include/mlgate/plugin.h")
minor=$(sed -n 's/^#define MLG_ABI_MINOR \([0-9]*\).*/\1/p' \
    "$root$prefix/include/mlgate/plugin.h")
[ -n "$major" ] && [ -n "$minor" ] || fail "no ABI version in plugin.h"
mkdir "$tmp/abi"
cat >"$tmp/abi/abi.c" <<'EOF'
/* A plugin that claims ABI (MLG_ABI_MAJOR + DMAJ).(MINOR). */
#include <mlgate/plugin.h>

static int
abi_run(void *state, struct mlg_check *check)
{
    (void)state;
    (void)check;
    return MLG_PASS;
}

/* Designated: fields a later header appends stay zero, warning-free.
 * min_host_minor is left undeclared: it needs the abi_minor claimed. */
static const struct mlg_plugin abi_plugin = {
    .abi_major = MLG_ABI_MAJOR + DMAJ, .abi_minor = MINOR,
    .struct_size = sizeof(struct mlg_plugin),
    .name = "abi-test", .version = "1",
    .description = "claims another ABI version",
    .run = abi_run,
    .option_size = sizeof(struct mlg_option)
};

const struct mlg_plugin *
mlg_plugin_entry(void)
{
    return &abi_plugin;
}
EOF
build_abi() { # NAME DMAJ MINOR
    $cc $xcflags $sdk_cflags -fPIC -shared -DDMAJ="$2" -DMINOR="$3" \
        -o "$tmp/abi/$1.so" "$tmp/abi/abi.c" ||
        fail "building the $1 ABI test plugin"
    printf '[report]\ncomment = off\nstatus = off\n\n%s\nplugin = %s\n' \
        '[check abi]' "$tmp/abi/$1.so" >"$tmp/abi/$1.conf"
}
# The minor before this one: its plugins must still load (ABI 1.1 added
# opt_scope to the host table; a 1.0 plugin never calls it).
older=$((minor > 0 ? minor - 1 : 0))
build_abi older 0 "$older"
build_abi newer 0 "$((minor + 1))"
build_abi major 1 "$minor"

"$inst_mlgate" -c "$tmp/abi/older.conf" --repo acme/ml-repo --pr 12 \
    --sha "$sha" --branch feature-x --json "$tmp/abi/older.json" \
    >"$tmp/abi/older.out" 2>&1 ||
    { cat "$tmp/abi/older.out"; fail "ABI $major.$older plugin did not run"; }
grep -qi '"status":[[:space:]]*"pass"' "$tmp/abi/older.json" ||
    fail "ABI $major.$older plugin: no PASS in the report"
ok "a plugin built for ABI $major.$older loads and runs"

refused() { # NAME WANT_VERSION
    "$inst_mlgate" check-config -c "$tmp/abi/$1.conf" >"$tmp/abi/$1.out" 2>&1
    rc=$?
    [ "$rc" -eq 78 ] ||
        { cat "$tmp/abi/$1.out"; fail "ABI $2 plugin: exit $rc, want 78"; }
    for want in "$tmp/abi/$1.so" "$2" "$major.$minor"; do
        grep -qF -- "$want" "$tmp/abi/$1.out" ||
            { cat "$tmp/abi/$1.out"; fail "ABI $2 refusal lacks '$want'"; }
    done
    ok "ABI $2 refused: $(head -n 1 "$tmp/abi/$1.out")"
}
refused newer "$major.$((minor + 1))"
refused major "$((major + 1)).$minor"

# --- 4b. the README's 30-line plugin, built exactly as the README says --
mkdir "$tmp/readme" || fail "mkdir"
awk '/^## Writing a plugin/ { sect = 1 }
     sect && /^```c$/ { code = 1; next }
     code && /^```$/ { exit }
     code { print }' "$MLG_SRCDIR/README.md" >"$tmp/readme/branch-prefix.c"
grep -q mlg_plugin_entry "$tmp/readme/branch-prefix.c" ||
    fail "no plugin source found in README.md"
(cd "$tmp/readme" &&
 $cc -shared -fPIC -o branch-prefix.so branch-prefix.c \
     $($pkgc --cflags mlgate-plugin)) ||
    fail "the README's plugin does not build with its own command"
readme_run() { # PREFIX WANT_EXIT
    printf '[report]\ncomment = off\nstatus = off\n\n[check branch]\n' \
        >"$tmp/readme/mlgate.conf"
    printf 'plugin = %s\nprefix = %s\n' "$tmp/readme/branch-prefix.so" \
        "$1" >>"$tmp/readme/mlgate.conf"
    "$inst_mlgate" -c "$tmp/readme/mlgate.conf" --repo acme/ml-repo \
        --pr 12 --sha "$sha" --branch feature-x >"$tmp/readme/out" 2>&1
    rc=$?
    [ "$rc" -eq "$2" ] ||
        { cat "$tmp/readme/out"; fail "README plugin, prefix $1: exit $rc"; }
}
readme_run feature- 0
grep -q "PASS  branch: branch feature-x starts with feature-" \
    "$tmp/readme/out" || { cat "$tmp/readme/out"; fail "README plugin PASS"; }
readme_run main- 1
grep -q "FAIL  branch: branch feature-x does not start with main-" \
    "$tmp/readme/out" || { cat "$tmp/readme/out"; fail "README plugin FAIL"; }
ok "the README's plugin builds with cc -shared -fPIC and pkg-config alone"

# --- 5. action.yml's scripts, run the way GitHub runs them -------------
# The composite action's own steps, against the install above (its
# layout is the action's $PREFIX) and the sandbox.
if ! command -v bash >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1 ||
   ! python3 -c 'import yaml' 2>/dev/null; then
    echo "SKIP (part): action.yml scripts need bash and python3-yaml"
    exit 0
fi
mkdir "$tmp/gha"
python3 - "$MLG_SRCDIR/action.yml" "$tmp/gha" <<'EOF' ||
import sys, yaml
action = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
for st in action["runs"]["steps"]:
    if "id" in st and "run" in st:
        with open("%s/%s.sh" % (sys.argv[2], st["id"]), "w") as f:
            f.write(st["run"])
EOF
    fail "extracting the steps of action.yml"
[ -f "$tmp/gha/version.sh" ] && [ -f "$tmp/gha/run.sh" ] ||
    fail "action.yml has no 'version' or 'run' step"

: >"$tmp/gha/out.version"
ACTION_PATH=$MLG_SRCDIR ACTION_REF=v0 RUNNER_OS=Linux RUNNER_ARCH=X64 \
RUNNER_TEMP=$tmp/gha GITHUB_OUTPUT=$tmp/gha/out.version INSTALL=source \
    bash -e "$tmp/gha/version.sh" || fail "action.yml version step"
(ACTION_PATH=$MLG_SRCDIR ACTION_REF=v0 RUNNER_OS=Linux RUNNER_ARCH=X64 \
 RUNNER_TEMP=$tmp/gha GITHUB_OUTPUT=$tmp/gha/out.bad INSTALL=rpm \
    bash -e "$tmp/gha/version.sh") >"$tmp/gha/bad.log" 2>&1
rc=$?
[ "$rc" -eq 64 ] &&
    grep -qxF "mlgate: install must be source or deb, not 'rpm'" \
        "$tmp/gha/bad.log" ||
    { cat "$tmp/gha/bad.log"; fail "install: rpm: exit $rc, want 64"; }
version=$("$inst_mlgate" --version | sed -n 's/^mlgate \([^ ]*\).*/\1/p')
grep -qx "version=$version" "$tmp/gha/out.version" ||
    { cat "$tmp/gha/out.version"; fail "version step: want $version"; }

gha_run() { # FAIL_ON_ERROR -> exit status of the step
    : >"$tmp/gha/out"
    : >"$tmp/gha/summary"
    (unset MLGATE_PLUGIN_PATH
     GITHUB_ACTIONS=true GITHUB_OUTPUT=$tmp/gha/out \
     GITHUB_STEP_SUMMARY=$tmp/gha/summary RUNNER_TEMP=$tmp/gha \
     INSTALL=source PREFIX=$root$prefix MLGATE_ACTION_PLUGIN_DIR=$root$pkglibdir \
     MLGATE_CONFIG=$tmp/mlgate.conf FAIL_ON_ERROR=$1 \
     MLGATE_ARGS="--only threshold,ceiling --repo acme/ml-repo --pr 12 \
--sha $sha --branch feature-x" CLEARML_WEB_HOST= \
     bash -e "$tmp/gha/run.sh") >"$tmp/gha/log" 2>&1
}
gha_run false || { cat "$tmp/gha/log"; fail "run step, fail-on-error false"; }
for want in 'status=fail' 'exit-code=1' \
            'checks={"threshold":"pass","ceiling":"fail"}'; do
    grep -qxF "$want" "$tmp/gha/out" ||
        { cat "$tmp/gha/out"; fail "action outputs lack $want"; }
done
[ -s "$tmp/gha/summary" ] || fail "no job summary from the action"
gha_run true && fail "run step with fail-on-error true did not fail"
ok "action.yml: version, outputs status/exit-code/checks, fail-on-error"

# install: deb refuses what it cannot install before it runs apt-get.
[ -f "$tmp/gha/deb.sh" ] || fail "action.yml has no 'deb' step"
deb_refused() { # DEBS WANT
    (RUNNER_TEMP=$tmp/gha DEBS=$1 bash -e "$tmp/gha/deb.sh") \
        >"$tmp/gha/deb.log" 2>&1
    rc=$?
    [ "$rc" -eq 64 ] && grep -qF -- "$2" "$tmp/gha/deb.log" ||
        { cat "$tmp/gha/deb.log"; fail "deb step with '$1': exit $rc"; }
}
deb_refused "" "install: deb needs the deb input"
deb_refused "http://example.org/mlgate.deb" "only https:// URLs"
deb_refused "$tmp/none.deb" "no such file: $tmp/none.deb"
if command -v dpkg-deb >/dev/null 2>&1; then
    deb_refused "$tmp/mlgate.conf" "not a Debian package"
fi
ok "action.yml: install: deb refuses a missing input, http://, no file, a non-.deb"

exit 0
