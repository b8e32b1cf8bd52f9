# tests: the Markdown report and the publishing sinks (issue 6).
if HAVE_CHECK
check_PROGRAMS += tests/check_markdown
TESTS += tests/check_markdown
tests_check_markdown_SOURCES = tests/check_markdown.c
tests_check_markdown_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS)
tests_check_markdown_LDADD = librunner.la $(CHECK_LIBS) $(CJSON_LIBS)
endif

if HAVE_CHECK
check_PROGRAMS += tests/check_publish
TESTS += tests/check_publish
tests_check_publish_SOURCES = tests/check_publish.c tests/sbx.c tests/sbx.h
tests_check_publish_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS) \
	$(CURL_CFLAGS)
tests_check_publish_LDADD = librunner.la $(CHECK_LIBS) $(CJSON_LIBS) \
	$(CURL_LIBS)
endif
