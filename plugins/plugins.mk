# plugins: the three built-in checks, one .c file and one module each.
# They see only the SDK header and libcjson (never the runner).
pkglib_LTLIBRARIES += plugins/stats-comment.la plugins/compare.la \
	plugins/remote-run.la plugins/diff.la

plugins_stats_comment_la_SOURCES = plugins/stats-comment.c
plugins_stats_comment_la_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
plugins_stats_comment_la_LDFLAGS = $(MLG_PLUGIN_FLAGS)
plugins_stats_comment_la_LIBADD = $(CJSON_LIBS)

plugins_compare_la_SOURCES = plugins/compare.c plugins/compare-stats.c \
	plugins/compare-stats.h
plugins_compare_la_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(GSL_CFLAGS)
plugins_compare_la_LDFLAGS = $(MLG_PLUGIN_FLAGS)
plugins_compare_la_LIBADD = $(CJSON_LIBS) $(GSL_LIBS)

plugins_remote_run_la_SOURCES = plugins/remote-run.c
plugins_remote_run_la_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
plugins_remote_run_la_LDFLAGS = $(MLG_PLUGIN_FLAGS)
plugins_remote_run_la_LIBADD = $(CJSON_LIBS)

plugins_diff_la_SOURCES = plugins/diff.c
plugins_diff_la_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
plugins_diff_la_LDFLAGS = $(MLG_PLUGIN_FLAGS)
plugins_diff_la_LIBADD = $(CJSON_LIBS)

# The tutorial's three checks with every option: the README's main job.
EXTRA_DIST += conf/example.conf
