# Benchmarks (issue 9): `make bench` builds mlgate, the plugins, the
# sandbox and tests/bench/mlgate-bench (+ its LD_PRELOAD probe), then
# prints the table of doc/benchmarks.md.  Not in TESTS: a benchmark is not
# a pass/fail test (only a failed run makes it exit non-zero).  Extra
# flags in BENCH_FLAGS: '--quick', '--reps N', '--plugin-dir DIR'.
EXTRA_DIST += tests/bench/bench.mk doc/benchmarks.md

if HAVE_MHD
check_LTLIBRARIES += tests/bench/benchshim.la
tests_bench_benchshim_la_SOURCES = tests/bench/shim.c tests/bench/bench.h
tests_bench_benchshim_la_LDFLAGS = -module -avoid-version -shared \
	-rpath /nowhere

check_PROGRAMS += tests/bench/mlgate-bench
tests_bench_mlgate_bench_SOURCES = tests/bench/bench.c tests/bench/bench.h \
	tests/sbx.c tests/sbx.h
tests_bench_mlgate_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_bench_mlgate_bench_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) \
	$(CURL_CFLAGS)
tests_bench_mlgate_bench_LDADD = $(CJSON_LIBS) $(CURL_LIBS)
endif

BENCH_FLAGS =
bench: mlgate $(pkglib_LTLIBRARIES)
	@if test ! -f tests/sandbox/mlgate-sandbox$(EXEEXT) && \
	    ! $(MAKE) $(AM_MAKEFLAGS) tests/sandbox/mlgate-sandbox$(EXEEXT); \
	then echo "bench: needs libmicrohttpd (the sandbox)" >&2; exit 1; fi
	$(MAKE) $(AM_MAKEFLAGS) tests/bench/mlgate-bench$(EXEEXT) \
	    tests/bench/benchshim.la
	$(AM_TESTS_ENVIRONMENT) ./tests/bench/mlgate-bench $(BENCH_FLAGS)
.PHONY: bench
