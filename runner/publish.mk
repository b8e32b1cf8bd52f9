# runner: the Markdown report and the publishing sinks (issue 6).
librunner_la_SOURCES += runner/markdown.c runner/markdown.h \
	runner/publish.c runner/publish.h \
	runner/lookahead.c runner/lookahead.h \
	runner/prefetch.c runner/prefetch.h
# The rendered report of the happy run, shown in the README.
EXTRA_DIST += doc/example-report.md
