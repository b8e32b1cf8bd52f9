# The runner core tests (issue 2): test plugins (real .so files, never
# installed) and one Check program per runner module.

# Most test plugins are ABI 1.0/1.1 sources (positional descriptors that
# end at reserved[]); they must keep building with the 1.2 header, which
# leaves the 1.2 tail zero: that is the warning switched off here.
MLG_OLD_PLUGIN_CFLAGS = $(AM_CFLAGS) -Wno-missing-field-initializers

check_LTLIBRARIES += tests/plugins/good.la \
	tests/plugins/abi_major.la \
	tests/plugins/abi_minor.la \
	tests/plugins/short_size.la \
	tests/plugins/no_entry.la \
	tests/plugins/null_run.la \
	tests/plugins/init_fail.la \
	tests/plugins/status.la \
	tests/plugins/crasher.la \
	tests/plugins/sleeper.la \
	tests/plugins/noresult.la \
	tests/plugins/forker.la \
	tests/plugins/abi_old.la \
	tests/plugins/bigdetail.la \
	tests/plugins/cleanup.la \
	tests/plugins/owntimeout.la \
	tests/plugins/needs.la \
	tests/plugins/hostcalls.la \
	tests/plugins/abi10.la tests/plugins/abi11.la tests/plugins/abi12.la \
	tests/plugins/reserved.la tests/plugins/hostile.la \
	tests/plugins/closer.la \
	tests/plugins/fdcheck.la

tests_plugins_good_la_SOURCES = tests/plugins/good.c
tests_plugins_good_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_good_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_abi_major_la_SOURCES = tests/plugins/abi_major.c
tests_plugins_abi_major_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_abi_major_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_abi_minor_la_SOURCES = tests/plugins/abi_minor.c
tests_plugins_abi_minor_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_abi_minor_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_short_size_la_SOURCES = tests/plugins/short_size.c
tests_plugins_short_size_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_short_size_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_no_entry_la_SOURCES = tests/plugins/no_entry.c
tests_plugins_no_entry_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
# Exports another name: the usual export regex would leave nothing.
tests_plugins_no_entry_la_LDFLAGS = -module -avoid-version -shared \
	$(NO_UNDEFINED_LDFLAGS) -rpath /nowhere
tests_plugins_null_run_la_SOURCES = tests/plugins/null_run.c
tests_plugins_null_run_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_null_run_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_init_fail_la_SOURCES = tests/plugins/init_fail.c
tests_plugins_init_fail_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_init_fail_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_status_la_SOURCES = tests/plugins/status.c
tests_plugins_status_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_status_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_crasher_la_SOURCES = tests/plugins/crasher.c
tests_plugins_crasher_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_crasher_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_sleeper_la_SOURCES = tests/plugins/sleeper.c
tests_plugins_sleeper_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_sleeper_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_noresult_la_SOURCES = tests/plugins/noresult.c
tests_plugins_noresult_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_forker_la_SOURCES = tests/plugins/forker.c
tests_plugins_forker_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_abi_old_la_SOURCES = tests/plugins/abi_old.c
tests_plugins_abi_old_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_abi_old_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_forker_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_noresult_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_bigdetail_la_SOURCES = tests/plugins/bigdetail.c
tests_plugins_bigdetail_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_bigdetail_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_cleanup_la_SOURCES = tests/plugins/cleanup.c
tests_plugins_cleanup_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_cleanup_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_owntimeout_la_SOURCES = tests/plugins/owntimeout.c
tests_plugins_owntimeout_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_owntimeout_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_needs_la_SOURCES = tests/plugins/needs.c
tests_plugins_needs_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_needs_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_fdcheck_la_SOURCES = tests/plugins/fdcheck.c
tests_plugins_fdcheck_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS)
tests_plugins_fdcheck_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_hostcalls_la_SOURCES = tests/plugins/hostcalls.c
tests_plugins_hostcalls_la_CFLAGS = $(MLG_OLD_PLUGIN_CFLAGS) $(CJSON_CFLAGS)
tests_plugins_hostcalls_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_hostcalls_la_LIBADD = $(CJSON_LIBS)
# One plugin per ABI header, each as it was released (kept in
# tests/abi/); the current one is sdk/'s.
tests_plugins_abi10_la_SOURCES = tests/plugins/abi10.c \
	tests/abi/1.0/mlgate/plugin.h
tests_plugins_abi10_la_CPPFLAGS = -I$(top_srcdir)/tests/abi/1.0
tests_plugins_abi10_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_abi11_la_SOURCES = tests/plugins/abi11.c \
	tests/abi/1.1/mlgate/plugin.h
tests_plugins_abi11_la_CPPFLAGS = -I$(top_srcdir)/tests/abi/1.1
tests_plugins_abi11_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_abi12_la_SOURCES = tests/plugins/abi12.c \
	tests/abi/1.2/mlgate/plugin.h
tests_plugins_abi12_la_CPPFLAGS = -I$(top_srcdir)/tests/abi/1.2
tests_plugins_abi12_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_reserved_la_SOURCES = tests/plugins/reserved.c
tests_plugins_reserved_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_closer_la_SOURCES = tests/plugins/closer.c
tests_plugins_closer_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_hostile_la_SOURCES = tests/plugins/hostile.c
tests_plugins_hostile_la_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_plugins_hostile_la_LDFLAGS = $(MLG_TEST_PLUGIN_FLAGS)
tests_plugins_hostile_la_LIBADD = $(CJSON_LIBS)

if HAVE_CHECK
check_PROGRAMS += tests/check_conf
TESTS += tests/check_conf
tests_check_conf_SOURCES = tests/check_conf.c tests/core_util.c \
	tests/core_util.h
tests_check_conf_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS)
tests_check_conf_LDADD = librunner.la $(CHECK_LIBS) $(CJSON_LIBS) \
	$(CURL_LIBS)
check_PROGRAMS += tests/check_loader
TESTS += tests/check_loader
tests_check_loader_SOURCES = tests/check_loader.c tests/core_util.c \
	tests/core_util.h
tests_check_loader_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS)
tests_check_loader_LDADD = librunner.la $(CHECK_LIBS) $(CJSON_LIBS) \
	$(CURL_LIBS)
check_PROGRAMS += tests/check_exec
TESTS += tests/check_exec
tests_check_exec_SOURCES = tests/check_exec.c tests/core_util.c \
	tests/core_util.h
tests_check_exec_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS)
tests_check_exec_LDADD = librunner.la $(CHECK_LIBS) $(CJSON_LIBS) \
	$(CURL_LIBS)
check_PROGRAMS += tests/check_report
TESTS += tests/check_report
tests_check_report_SOURCES = tests/check_report.c tests/core_util.c \
	tests/core_util.h
tests_check_report_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS)
tests_check_report_LDADD = librunner.la $(CHECK_LIBS) $(CJSON_LIBS) \
	$(CURL_LIBS)
check_PROGRAMS += tests/check_cli
TESTS += tests/check_cli
tests_check_cli_SOURCES = tests/check_cli.c tests/core_util.c \
	tests/core_util.h
tests_check_cli_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS)
tests_check_cli_LDADD = librunner.la $(CHECK_LIBS) $(CJSON_LIBS) \
	$(CURL_LIBS)

# The host table's clients against mlgate-sandbox.
if HAVE_MHD
check_PROGRAMS += tests/check_host
TESTS += tests/check_host
tests_check_host_SOURCES = tests/check_host.c tests/core_util.c \
	tests/core_util.h tests/sbx.c tests/sbx.h
tests_check_host_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS)
tests_check_host_LDADD = librunner.la $(CHECK_LIBS) $(CJSON_LIBS) \
	$(CURL_LIBS)
endif
endif

EXTRA_DIST += tests/data/conf/example.conf tests/data/conf/crash.conf \
	tests/data/conf/parallel.conf tests/data/conf/malformed.conf
AM_TESTS_ENVIRONMENT += MLG_XMLLINT='$(XMLLINT)'; export MLG_XMLLINT;

# The ABI's binary layout against tests/abi/layout-ARCH.txt (frozen
# offsets), and proof that a moved field fails it.
check_PROGRAMS += tests/abi_layout
tests_abi_layout_SOURCES = tests/abi_layout.c
TESTS += tests/check_abi_layout.sh
EXTRA_DIST += tests/check_abi_layout.sh tests/abi/layout-x86_64.txt

# `mlgate plugin inspect` on every built-in and on refused plugins, and
# the README's examples of it.
TESTS += tests/check_inspect.sh
EXTRA_DIST += tests/check_inspect.sh
