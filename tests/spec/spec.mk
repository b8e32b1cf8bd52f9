# tests/spec: the real APIs' specifications and check_spec, which replays
# every sandbox request log of the suite against them (issue 14).
EXTRA_DIST += tests/spec/README.md tests/spec/github.json \
	tests/spec/clearml.json tests/spec/gitlab.json tests/spec/gen-github.py

# Where tests/sbx.c (and check_sdk.sh) leave each sandbox's request log.
AM_TESTS_ENVIRONMENT += MLG_SPEC_LOG_DIR='$(abs_top_builddir)/tests/spec-logs'; \
	export MLG_SPEC_LOG_DIR;

if HAVE_CHECK
check_PROGRAMS += tests/check_spec
TESTS += tests/check_spec
tests_check_spec_SOURCES = tests/check_spec.c
tests_check_spec_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS)
tests_check_spec_LDADD = librunner.la $(CHECK_LIBS) $(CJSON_LIBS)

# Fresh logs for every suite run (check_DATA is made before the tests),
# and the replay after every other test of the run.
check_DATA = spec-logs-reset
# After every other test's log (a substitution reference empties its own
# word).  Automake writes no rule for a target the Makefile defines, so
# the recipe is its usual one.
tests/check_spec.log: tests/check_spec$(EXEEXT) \
		$(TEST_LOGS:tests/check_spec.log=)
	@p='tests/check_spec$(EXEEXT)'; \
	b='tests/check_spec'; \
	$(am__check_pre) $(LOG_DRIVER) --test-name "$$f" \
	--log-file $$b.log --trs-file $$b.trs \
	$(am__common_driver_flags) $(AM_LOG_DRIVER_FLAGS) $(LOG_DRIVER_FLAGS) \
	-- $(LOG_COMPILE) "$$tst" $(AM_TESTS_FD_REDIRECT)
endif

spec-logs-reset:
	@rm -rf tests/spec-logs && $(MKDIR_P) tests/spec-logs
clean-local: spec-logs-clean
.PHONY: spec-logs-reset spec-logs-clean
spec-logs-clean:
	-rm -rf tests/spec-logs
