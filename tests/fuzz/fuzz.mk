# Reliability (issue 8, first half): libFuzzer targets and valgrind.
#
# `make fuzz` builds tests/fuzz/fuzz_*.c with clang directly (not through
# libtool: libFuzzer needs clang and its own sanitizer flags), compiling
# the runner's sources with -fsanitize=fuzzer-no-link,address,undefined,
# and runs each target FUZZ_SECONDS; `make fuzz-build` only builds.
# Outputs stay under $(builddir)/tests/fuzz/{build,work}.
FUZZ_CC = clang
FUZZ_SECONDS = 60
FUZZ_TARGETS = conf hocon context clearml github markdown result validate
fuzz_env = FUZZ_CC='$(FUZZ_CC)' FUZZ_SECONDS='$(FUZZ_SECONDS)' \
	FUZZ_TARGETS='$(FUZZ_TARGETS)' FUZZ_SRCDIR='$(abs_top_srcdir)' \
	FUZZ_BUILDDIR='$(abs_top_builddir)' \
	FUZZ_SOURCES='$(librunner_la_SOURCES)' \
	FUZZ_CPPFLAGS='-I$(abs_top_builddir) -I$(abs_top_srcdir)/runner \
	-I$(abs_top_srcdir)/sdk -DPLUGINDIR="$(pkglibdir)" \
	-DMLG_VERSION="$(VERSION)" $(CURL_CFLAGS) $(CJSON_CFLAGS)' \
	FUZZ_LIBS='$(CURL_LIBS) $(CJSON_LIBS) $(LIBS)'

fuzz-build:
	@$(fuzz_env) $(SHELL) $(srcdir)/tests/fuzz/fuzz.sh build
fuzz:
	@$(fuzz_env) $(SHELL) $(srcdir)/tests/fuzz/fuzz.sh run
fuzz-clean:
	rm -rf tests/fuzz/build tests/fuzz/work
clean-local: fuzz-clean

EXTRA_DIST += tests/fuzz/fuzz.sh tests/fuzz/fuzz.h \
	tests/fuzz/fuzz_conf.c tests/fuzz/fuzz_hocon.c \
	tests/fuzz/fuzz_context.c tests/fuzz/fuzz_clearml.c \
	tests/fuzz/fuzz_github.c tests/fuzz/fuzz_markdown.c \
	tests/fuzz/fuzz_result.c tests/fuzz/fuzz_validate.c \
	tests/fuzz/conf.dict tests/fuzz/json.dict tests/fuzz/markdown.dict \
	tests/fuzz/corpus tests/fuzz/regress tests/fuzz/README.md

# `make check-valgrind`: the runner's test programs under valgrind
# (CK_FORK=no, so the tests run in the process valgrind watches).
VALGRIND_TESTS = tests/check_conf tests/check_loader tests/check_exec \
	tests/check_report tests/check_cli tests/check_host \
	tests/check_context tests/check_http tests/check_clearml \
	tests/check_forge tests/check_markdown tests/check_publish \
	tests/check_spec tests/check_checks_fake
VALGRIND_FLAGS = --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--suppressions=$(abs_top_srcdir)/tests/valgrind.supp --quiet
EXTRA_DIST += tests/valgrind.supp

# Everything `make check` builds: test plugins and the sandbox included.
check-valgrind: all $(check_LTLIBRARIES) $(check_PROGRAMS)
	@$(AM_TESTS_ENVIRONMENT) CK_FORK=no; export CK_FORK; \
	VALGRIND='$(VALGRIND)'; test -n "$$VALGRIND" || VALGRIND=valgrind; \
	failed=; \
	for t in $(VALGRIND_TESTS); do \
	  echo "  VALGRIND $$t"; \
	  if ! $(LIBTOOL) --mode=execute $$VALGRIND $(VALGRIND_FLAGS) \
	      --log-file=$$t.valgrind.log ./$$t >$$t.vg-out 2>&1; then \
	    cat $$t.vg-out $$t.valgrind.log >&2; failed="$$failed $$t"; \
	  fi; \
	done; \
	test -z "$$failed" || { echo "check-valgrind: failed:$$failed" >&2; \
	  exit 1; }; echo "check-valgrind: all clean"

CLEANFILES += $(VALGRIND_TESTS:=.valgrind.log) $(VALGRIND_TESTS:=.vg-out)

.PHONY: fuzz fuzz-build fuzz-clean check-valgrind
