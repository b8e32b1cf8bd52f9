# doc: the man pages, the examples installed in $(docdir), the CI
# integration files, and the tests that keep them honest.

dist_man_MANS += doc/mlgate.1 doc/mlgate.conf.5 doc/mlgate-plugin.3

# $(docdir): the README and the rendered report of the happy run.
dist_doc_DATA += README.md doc/example-report.md

# Examples: the tutorial's conf, the CI templates, and the out-of-tree
# plugin with its Makefile (built against the installed SDK, so it ships
# as source only).
examplesdir = $(docdir)/examples
dist_examples_DATA = conf/example.conf conf/github-workflow.yml \
	conf/gitlab-ci.yml
sdkexampledir = $(docdir)/examples/sdk
dist_sdkexample_DATA = sdk/example/Makefile sdk/example/README.md \
	sdk/example/metric-threshold.c sdk/example/test_metric_threshold.c \
	sdk/example/recorded-task.json

# The composite GitHub Action lives at the root, where `uses:` finds it.
EXTRA_DIST += action.yml

# check_sdk: install into a DESTDIR, build sdk/example against that
# install alone, run it through mlgate; ABI minor/major refusals;
# action.yml's step scripts against that install.
# check_docs: man pages lint clean, mlgate.conf(5) agrees with the plugins'
# option tables, the YAML files parse and reference what exists.
# check_configure: configure refuses a too-old cJSON (a faked .pc).
TESTS += tests/check_sdk.sh tests/check_docs.sh tests/check_configure.sh
EXTRA_DIST += tests/check_sdk.sh tests/check_docs.sh \
	tests/check_configure.sh
AM_TESTS_ENVIRONMENT += MLG_MAKE='$(MAKE)'; MLG_PREFIX='$(prefix)'; \
	MLG_BINDIR='$(bindir)'; MLG_PKGLIBDIR='$(pkglibdir)'; \
	MLG_PKGCONFIGDIR='$(pkgconfigdir)'; \
	export MLG_MAKE MLG_PREFIX MLG_BINDIR MLG_PKGLIBDIR MLG_PKGCONFIGDIR;

# The rendered report: cmark-gfm (GitHub's Markdown) and Mermaid in
# headless Chromium; every chart must parse and draw two colours; saves
# doc/example-report.png.  Needs cmark-gfm, chromium and MERMAID_JS (the
# path of mermaid.min.js from `npm pack mermaid`), so it is not part of
# `make check`; .ci/run installs them and runs tools/render-check.
render-check:
	MERMAID_JS="$(MERMAID_JS)" $(SHELL) $(srcdir)/tools/render-check \
	    doc/example-report.md doc/example-report.png
.PHONY: render-check
EXTRA_DIST += doc/example-report.png
