# The shared clients (issue 4): HTTP over libcurl, ClearML (with its
# clearml.conf reader), GitHub and GitLab behind forge.h, and the CI run
# context.
librunner_la_SOURCES += runner/http.c runner/http.h \
	runner/clearml.c runner/clearml.h runner/hocon.c \
	runner/forge.c runner/forge.h runner/forge_impl.h \
	runner/github.c runner/gitlab.c \
	runner/context.c runner/context.h
