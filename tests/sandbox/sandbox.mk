# tests/sandbox: mlgate-sandbox, the local ClearML + GitHub + GitLab API
# server every test, the demo and the benchmarks talk to.  Built by
# `make` when libmicrohttpd is there, and then installed with its
# scenarios and man page (the mlgate-sandbox package) so users and plugin
# authors can try mlgate locally.
EXTRA_DIST += tests/sandbox/README.md doc/mlgate-sandbox.1
sandboxscenariodir = $(pkgdatadir)/scenarios
SBX_SCENARIOS = \
	tests/sandbox/scenarios/happy.json \
	tests/sandbox/scenarios/no-task.json \
	tests/sandbox/scenarios/dirty.json \
	tests/sandbox/scenarios/regressed.json \
	tests/sandbox/scenarios/no-best.json \
	tests/sandbox/scenarios/remote-fails.json \
	tests/sandbox/scenarios/remote-stuck.json \
	tests/sandbox/scenarios/many-comments.json \
	tests/sandbox/scenarios/fork-readonly.json \
	tests/sandbox/scenarios/rate-limited.json \
	tests/sandbox/scenarios/token-expired.json \
	tests/sandbox/scenarios/big-project.json \
	tests/sandbox/scenarios/old-server.json
EXTRA_DIST += $(SBX_SCENARIOS)

if HAVE_MHD
bin_PROGRAMS += tests/sandbox/mlgate-sandbox
sandboxscenario_DATA = $(SBX_SCENARIOS)
man1_MANS = doc/mlgate-sandbox.1
tests_sandbox_mlgate_sandbox_SOURCES = tests/sandbox/sandbox.h \
	tests/sandbox/main.c tests/sandbox/server.c tests/sandbox/world.c \
	tests/sandbox/scenario.c \
	tests/sandbox/clearml.c tests/sandbox/clearml.h tests/sandbox/tasks.c \
	tests/sandbox/objects.c tests/sandbox/query.c tests/sandbox/forge.c \
	tests/sandbox/forge.h tests/sandbox/github.c tests/sandbox/gitlab.c \
	runner/util.c runner/util.h
tests_sandbox_mlgate_sandbox_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) \
	$(CJSON_CFLAGS) $(CURL_CFLAGS) -pthread
tests_sandbox_mlgate_sandbox_LDADD = $(MHD_LIBS) $(CJSON_LIBS) \
	$(CURL_LIBS) -lpthread -lm

if HAVE_CHECK
check_PROGRAMS += tests/check_sandbox
TESTS += tests/check_sandbox
tests_check_sandbox_SOURCES = tests/check_sandbox.c tests/sbx.c tests/sbx.h
tests_check_sandbox_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS) \
	$(CURL_CFLAGS)
tests_check_sandbox_LDADD = $(CHECK_LIBS) $(CJSON_LIBS) $(CURL_LIBS)
endif
endif
