# Run facts (issue 17): what several checks read, resolved once by the
# runner before the fork; ABI 1.3's head_task and scope_project_id.
check_LTLIBRARIES += tests/plugins/headfields.la tests/plugins/headlive.la \
	tests/plugins/badfields.la
tests_plugins_badfields_la_SOURCES = tests/plugins/badfields.c
tests_plugins_badfields_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_headfields_la_SOURCES = tests/plugins/headfields.c
tests_plugins_headfields_la_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_plugins_headfields_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_headfields_la_LIBADD = $(CJSON_LIBS)
tests_plugins_headlive_la_SOURCES = tests/plugins/headfields.c
tests_plugins_headlive_la_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) \
	-DHEADFIELDS_LIVE
tests_plugins_headlive_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_headlive_la_LIBADD = $(CJSON_LIBS)

if HAVE_MHD
check_PROGRAMS += tests/check_facts
TESTS += tests/check_facts
tests_check_facts_SOURCES = tests/check_facts.c $(CHECKS_TEST_SOURCES)
tests_check_facts_CFLAGS = $(CHECKS_TEST_CFLAGS)
tests_check_facts_LDADD = $(CHECKS_TEST_LIBS)
endif
