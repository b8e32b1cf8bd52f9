#!/bin/sh
# fuzz.sh - build the libFuzzer targets with clang (the runner's sources
# compiled with -fsanitize=fuzzer-no-link,address,undefined) and run each
# for a bounded time; any crash, leak, sanitizer report or broken
# invariant fails.  Called by `make fuzz` / `make fuzz-build`
# (tests/fuzz/fuzz.mk), which passes everything in the environment:
#   FUZZ_CC FUZZ_SECONDS FUZZ_TARGETS FUZZ_SRCDIR FUZZ_BUILDDIR
#   FUZZ_SOURCES (librunner's sources, relative to FUZZ_SRCDIR)
#   FUZZ_CPPFLAGS FUZZ_LIBS
# Usage: fuzz.sh build | run
set -u

mode=${1:-run}
cc=${FUZZ_CC:-clang}
src=$FUZZ_SRCDIR
out=$FUZZ_BUILDDIR/tests/fuzz/build
work=$FUZZ_BUILDDIR/tests/fuzz/work
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-std=c99 -g -O1 -fno-omit-frame-pointer -Wall -Wextra \
-Wno-unused-parameter $san"

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "fuzz: $cc not found (apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi
mkdir -p "$out/obj" "$out/bin" || exit 1

# Rebuild an object when its source, any runner header or config.h is
# newer.
newest_hdr=$(ls -t "$src"/runner/*.h "$src"/sdk/mlgate/plugin.h \
    "$src"/tests/fuzz/fuzz.h "$FUZZ_BUILDDIR/config.h" | head -n 1)
objs=
for f in $FUZZ_SOURCES; do
    case $f in *.c) ;; *) continue ;; esac
    o=$out/obj/$(basename "$f" .c).o
    objs="$objs $o"
    if [ -f "$o" ] && [ "$o" -nt "$src/$f" ] && [ "$o" -nt "$newest_hdr" ]
    then
        continue
    fi
    echo "  FUZZCC   $f"
    # shellcheck disable=SC2086
    $cc $cflags -fsanitize=fuzzer-no-link $FUZZ_CPPFLAGS -c "$src/$f" \
        -o "$o" || exit 1
done
for t in $FUZZ_TARGETS; do
    echo "  FUZZLD   fuzz_$t"
    # shellcheck disable=SC2086
    $cc $cflags -fsanitize=fuzzer $FUZZ_CPPFLAGS -I"$src/tests/fuzz" \
        "$src/tests/fuzz/fuzz_$t.c" $objs $FUZZ_LIBS \
        -o "$out/bin/fuzz_$t" || exit 1
done
[ "$mode" = build ] && exit 0

# libFuzzer stops on the first leak, crash or sanitizer report; UBSan is
# made fatal above.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS
failed=
for t in $FUZZ_TARGETS; do
    bin=$out/bin/fuzz_$t
    mkdir -p "$work/$t/corpus" "$work/$t/artifacts" || exit 1
    log=$work/$t/log
    # First every input that once crashed (kept as regression inputs).
    reg=$src/tests/fuzz/regress/$t
    if [ -d "$reg" ] && [ -n "$(ls "$reg")" ]; then
        if ! "$bin" "$reg"/* >"$log" 2>&1; then
            echo "FAIL: fuzz_$t: a regression input fails again:" >&2
            tail -n 40 "$log" >&2
            failed="$failed $t"
            continue
        fi
    fi
    case $t in
    conf|hocon) dict=-dict=$src/tests/fuzz/conf.dict ;;
    markdown) dict=-dict=$src/tests/fuzz/markdown.dict ;;
    validate) dict= ;;
    *) dict=-dict=$src/tests/fuzz/json.dict ;;
    esac
    echo "  FUZZ     fuzz_$t for ${FUZZ_SECONDS}s"
    # New inputs go to the work corpus; the seeds in the tree are only
    # read (the source tree may be read-only).
    # shellcheck disable=SC2086
    if "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
        -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 $dict \
        -artifact_prefix="$work/$t/artifacts/" \
        "$work/$t/corpus" "$src/tests/fuzz/corpus/$t" >"$log" 2>&1; then
        grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' \
            "$log" | sed "s/^/    fuzz_$t /"
    else
        echo "FAIL: fuzz_$t (log: $log):" >&2
        tail -n 60 "$log" >&2
        ls "$work/$t/artifacts" >&2
        failed="$failed $t"
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz: failed:$failed" >&2
    exit 1
fi
echo "fuzz: all targets ran ${FUZZ_SECONDS}s without a finding"
