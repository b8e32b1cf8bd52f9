# tests: the three built-in checks end to end (issue 5): the real mlgate
# binary and plugins against mlgate-sandbox scenarios.
CHECKS_TEST_SOURCES = tests/checks_common.c tests/checks_common.h \
	tests/sbx.c tests/sbx.h
CHECKS_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS) \
	$(CURL_CFLAGS)
CHECKS_TEST_LIBS = $(CHECK_LIBS) $(CJSON_LIBS) $(CURL_LIBS)

EXTRA_DIST += tests/data/scenarios/checks-edges.json \
	tests/data/scenarios/checks-remote-hang.json \
	tests/data/scenarios/checks-remote-late.json \
	tests/data/scenarios/checks-remote-noiter.json \
	tests/data/scenarios/trust-hostile.json \
	tests/data/scenarios/trust-inf.json \
	tests/data/scenarios/trust-neg-inf.json \
	tests/data/scenarios/trust-foreign-marker.json \
	tests/data/scenarios/trust-user-token.json \
	tests/data/scenarios/checks-diff.json \
	tests/data/scenarios/compare-noise-regression.json \
	tests/data/scenarios/compare-noise-noisy.json \
	tests/data/scenarios/compare-noise-improvement.json \
	tests/data/scenarios/compare-noise-single.json \
	tests/data/scenarios/showcase.json \
	tests/data/scenarios/diff-inf.json

if HAVE_CHECK
# compare's statistics against independently computed references.
check_PROGRAMS += tests/check_compare_stats
TESTS += tests/check_compare_stats
tests_check_compare_stats_SOURCES = tests/check_compare_stats.c \
	plugins/compare-stats.c plugins/compare-stats.h
tests_check_compare_stats_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(GSL_CFLAGS)
tests_check_compare_stats_LDADD = $(CHECK_LIBS) $(GSL_LIBS)

# The plugins alone against the SDK's test kit.
check_PROGRAMS += tests/check_checks_fake
TESTS += tests/check_checks_fake
tests_check_checks_fake_SOURCES = tests/check_checks_fake.c
tests_check_checks_fake_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS)
tests_check_checks_fake_LDADD = sdk/testing/libmlgate-test.la $(CHECK_LIBS) \
	$(CJSON_LIBS)

if HAVE_MHD
check_PROGRAMS += tests/check_stats tests/check_compare tests/check_remote \
	tests/check_checks tests/check_trust tests/check_diff
TESTS += tests/check_stats tests/check_compare tests/check_remote \
	tests/check_checks tests/check_trust tests/check_diff

tests_check_diff_SOURCES = tests/check_diff.c $(CHECKS_TEST_SOURCES)
tests_check_diff_CFLAGS = $(CHECKS_TEST_CFLAGS)
tests_check_diff_LDADD = $(CHECKS_TEST_LIBS)

tests_check_stats_SOURCES = tests/check_stats.c $(CHECKS_TEST_SOURCES)
tests_check_stats_CFLAGS = $(CHECKS_TEST_CFLAGS)
tests_check_stats_LDADD = $(CHECKS_TEST_LIBS)

tests_check_compare_SOURCES = tests/check_compare.c $(CHECKS_TEST_SOURCES)
tests_check_compare_CFLAGS = $(CHECKS_TEST_CFLAGS)
tests_check_compare_LDADD = $(CHECKS_TEST_LIBS)

tests_check_remote_SOURCES = tests/check_remote.c $(CHECKS_TEST_SOURCES)
tests_check_remote_CFLAGS = $(CHECKS_TEST_CFLAGS)
tests_check_remote_LDADD = $(CHECKS_TEST_LIBS)

# A plugin that misbehaves at the host boundary (stdout, invalid UTF-8,
# a setsid() grandchild) is contained.
check_PROGRAMS += tests/check_boundary
TESTS += tests/check_boundary
tests_check_boundary_SOURCES = tests/check_boundary.c $(CHECKS_TEST_SOURCES)
tests_check_boundary_CFLAGS = $(CHECKS_TEST_CFLAGS)
tests_check_boundary_LDADD = $(CHECKS_TEST_LIBS)

tests_check_checks_SOURCES = tests/check_checks.c $(CHECKS_TEST_SOURCES)
tests_check_checks_CFLAGS = $(CHECKS_TEST_CFLAGS)
tests_check_checks_LDADD = $(CHECKS_TEST_LIBS)

# The sticky comment's lookup beside the checks (issue 17), with a test
# plugin that waits for the test to see that lookup.
check_LTLIBRARIES += tests/plugins/waitfile.la
tests_plugins_waitfile_la_SOURCES = tests/plugins/waitfile.c
tests_plugins_waitfile_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_waitfile_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
check_PROGRAMS += tests/check_prefetch
TESTS += tests/check_prefetch
tests_check_prefetch_SOURCES = tests/check_prefetch.c $(CHECKS_TEST_SOURCES)
tests_check_prefetch_CFLAGS = $(CHECKS_TEST_CFLAGS)
tests_check_prefetch_LDADD = $(CHECKS_TEST_LIBS)

# Deadlines, cancellation and writes on every path (issue 13).
check_PROGRAMS += tests/check_cancel
TESTS += tests/check_cancel
tests_check_cancel_SOURCES = tests/check_cancel.c $(CHECKS_TEST_SOURCES)
tests_check_cancel_CFLAGS = $(CHECKS_TEST_CFLAGS)
tests_check_cancel_LDADD = $(CHECKS_TEST_LIBS)

# Issue 12: hostile servers, PRs, comments and files, every channel.
tests_check_trust_SOURCES = tests/check_trust.c $(CHECKS_TEST_SOURCES)
tests_check_trust_CFLAGS = $(CHECKS_TEST_CFLAGS)
tests_check_trust_LDADD = $(CHECKS_TEST_LIBS)
endif
endif
