# The runner core (issue 2): conf, loader, host table, executor, reports,
# command line.  Everything but main.c goes into librunner.
librunner_la_SOURCES += runner/conf.c runner/conf.h \
	runner/loader.c runner/loader.h \
	runner/host.c runner/host.h \
	runner/exec.c runner/exec.h \
	runner/report.c runner/report.h \
	runner/cli.c runner/cli.h \
	runner/utf8.c runner/utf8.h \
	runner/endpoint.c runner/endpoint.h \
	runner/relay.c runner/relay.h \
	runner/reaper.c runner/reaper.h \
	runner/inspect.c runner/inspect.h \
	runner/facts.c runner/facts.h

bin_PROGRAMS += mlgate
mlgate_SOURCES = runner/main.c
mlgate_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
mlgate_LDADD = librunner.la $(CURL_LIBS) $(CJSON_LIBS)
