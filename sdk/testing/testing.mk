# The plugin test kit (issue 15): mlgate/testing.h and libmlgate-test, a
# fake host for plugin unit tests, installed with the SDK and used by the
# project's own plugin tests and by sdk/example.
lib_LTLIBRARIES = sdk/testing/libmlgate-test.la
sdk_testing_libmlgate_test_la_SOURCES = sdk/testing/mlgate-test.c
# Never built with the sanitizers: plugin authors' test programs link the
# installed library, and an ASan library in a program without ASan aborts.
sdk_testing_libmlgate_test_la_CFLAGS = $(WARN_CFLAGS) $(CJSON_CFLAGS)
sdk_testing_libmlgate_test_la_LIBADD = $(CJSON_LIBS)
sdk_testing_libmlgate_test_la_LDFLAGS = -version-info 0:0:0 \
	$(NO_UNDEFINED_LDFLAGS) -export-symbols-regex '^mlgt_'
mlgateinclude_HEADERS += sdk/mlgate/testing.h
pkgconfig_DATA += sdk/mlgate-test.pc
