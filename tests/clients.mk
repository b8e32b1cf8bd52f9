# tests: the shared clients (issue 4).  check_context is unit-level;
# check_http, check_clearml and check_forge run against mlgate-sandbox.
EXTRA_DIST += tests/data/events/pull_request.json \
	tests/data/events/pull_request_fork.json \
	tests/data/events/pull_request_deleted_fork.json \
	tests/data/events/pull_request_target.json \
	tests/data/events/push.json tests/data/events/issue_comment.json \
	tests/data/events/workflow_dispatch.json \
	tests/data/events/malformed.json \
	tests/data/webhooks/examples.json tests/data/webhooks/extract.py \
	tests/data/webhooks/README.md \
	tests/data/clearml/basic.conf tests/data/clearml/quirks.conf \
	tests/data/clearml/verify-path.conf tests/data/clearml/bad.conf \
	tests/data/clearml/bad-brace.conf

if HAVE_CHECK
check_PROGRAMS += tests/check_context
TESTS += tests/check_context
tests_check_context_SOURCES = tests/check_context.c
tests_check_context_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS)
tests_check_context_LDADD = librunner.la $(CHECK_LIBS) $(CJSON_LIBS)
endif

# Against mlgate-sandbox (tests/sbx.c starts it).
if HAVE_CHECK
check_PROGRAMS += tests/check_http tests/check_clearml tests/check_forge
TESTS += tests/check_http tests/check_clearml tests/check_forge
tests_check_http_SOURCES = tests/check_http.c tests/sbx.c tests/sbx.h
tests_check_http_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS) \
	$(CURL_CFLAGS)
tests_check_http_LDADD = librunner.la $(CHECK_LIBS) $(CJSON_LIBS) \
	$(CURL_LIBS)
tests_check_clearml_SOURCES = tests/check_clearml.c tests/sbx.c tests/sbx.h
tests_check_clearml_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS) \
	$(CURL_CFLAGS)
tests_check_clearml_LDADD = librunner.la $(CHECK_LIBS) $(CJSON_LIBS) \
	$(CURL_LIBS)
tests_check_forge_SOURCES = tests/check_forge.c tests/sbx.c tests/sbx.h
tests_check_forge_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS) \
	$(CURL_CFLAGS)
tests_check_forge_LDADD = librunner.la $(CHECK_LIBS) $(CJSON_LIBS) \
	$(CURL_LIBS)
endif
