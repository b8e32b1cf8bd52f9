# The fault soak and the secrets test (issue 8, issue 4).  The soak is
# long (about a minute): not in TESTS, run by `make soak` (extra flags in
# SOAK_FLAGS, e.g. SOAK_FLAGS='--seed 42 --runs 50').
EXTRA_DIST += tests/soak/soak.mk tests/soak/catalogue.sh doc/reliability.md

if HAVE_CHECK
if HAVE_MHD
check_LTLIBRARIES += tests/soak/flaky.la
tests_soak_flaky_la_SOURCES = tests/soak/flaky.c
tests_soak_flaky_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)

check_PROGRAMS += tests/soak/soak
tests_soak_soak_SOURCES = tests/soak/soak.c tests/sbx.c tests/sbx.h
tests_soak_soak_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_soak_soak_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(CURL_CFLAGS)
tests_soak_soak_LDADD = $(CJSON_LIBS) $(CURL_LIBS)

# Secrets on every command path (issue 4): runs the mlgate binary.
check_PROGRAMS += tests/check_secrets
TESTS += tests/check_secrets
tests_check_secrets_SOURCES = tests/check_secrets.c tests/sbx.c tests/sbx.h
tests_check_secrets_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS) \
	$(CURL_CFLAGS)
tests_check_secrets_LDADD = $(CHECK_LIBS) $(CJSON_LIBS) $(CURL_LIBS)

# Regression tests for what the soak found.
check_PROGRAMS += tests/soak/check_faults
TESTS += tests/soak/check_faults
tests_soak_check_faults_SOURCES = tests/soak/check_faults.c tests/sbx.c \
	tests/sbx.h
tests_soak_check_faults_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_soak_check_faults_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) \
	$(CJSON_CFLAGS) $(CURL_CFLAGS)
tests_soak_check_faults_LDADD = $(CHECK_LIBS) $(CJSON_LIBS) $(CURL_LIBS)

endif
endif

# Without libmicrohttpd or Check the soak program is not built: say so.
SOAK_FLAGS =
soak: mlgate $(pkglib_LTLIBRARIES)
	@if test ! -f tests/sandbox/mlgate-sandbox$(EXEEXT) && \
	    ! $(MAKE) $(AM_MAKEFLAGS) tests/sandbox/mlgate-sandbox$(EXEEXT); \
	then echo "soak: needs libmicrohttpd and Check" >&2; exit 1; fi
	$(MAKE) $(AM_MAKEFLAGS) tests/soak/soak$(EXEEXT) tests/soak/flaky.la
	$(AM_TESTS_ENVIRONMENT) ./tests/soak/soak $(SOAK_FLAGS)
.PHONY: soak
