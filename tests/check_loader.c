/*
 * check_loader.c - tests of plugin lookup, dlopen and every ABI refusal,
 * against real test plugins built as shared objects.
 */
#include <config.h>

#include "core_util.h"
#include "loader.h"
#include "util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char err[2048];

/* Open test plugin NAME; on refusal err holds the message. */
static struct plugin *open_test(const char *name, char **path)
{
    *path = cu_plugin(name);
    err[0] = '\0';
    return loader_open(*path, err, sizeof(err));
}

/* err equals "PATH: rest". */
static void ck_refusal(const char *path, const char *rest)
{
    char *want = xasprintf("%s: %s", path, rest);

    ck_assert_str_eq(err, want);
    free(want);
}

START_TEST(test_good)
{
    char *path;
    struct plugin *p = open_test("good", &path);

    ck_assert_msg(p != NULL, "%s", err);
    ck_assert_str_eq(p->path, path);
    ck_assert_str_eq(p->d.name, "good");
    ck_assert_str_eq(p->d.version, "1.0");
    ck_assert_str_eq(p->d.description, "a check that passes");
    ck_assert_uint_eq(p->d.abi_major, MLG_ABI_MAJOR);
    ck_assert_ptr_nonnull(p->d.run);
    ck_assert_ptr_nonnull(p->d.init);
    ck_assert_ptr_null(p->d.fini);
    ck_assert_str_eq(p->d.options[0].name, "message");
    ck_assert_str_eq(p->d.options[0].def, "all good");
    loader_free(p);
    free(path);
}
END_TEST

/* A reserved slot that is not NULL is refused, naming the slot. */
START_TEST(test_reserved_refused)
{
    char *path;

    ck_assert_ptr_null(open_test("reserved", &path));
    ck_refusal(path, "descriptor reserved[2] is not NULL (the slots are "
               "kept for future ABI versions; rebuild the plugin against "
               "mlgate/plugin.h)");
    free(path);
}
END_TEST

/* head_fields (1.3) become only_fields of the runner's lookup: a name
 * that is not a field path is refused at load, naming the entry. */
START_TEST(test_head_fields_refused)
{
    char *path;

    ck_assert_ptr_null(open_test("badfields", &path));
    ck_refusal(path, "descriptor head_fields[1] is not a field name "
               "(letters, digits, '_', '-', '.'; at most 64)");
    free(path);
}
END_TEST

/* The minor a plugin needs: its declared min_host_minor (1.2), else the
 * header it was built with. */
START_TEST(test_needed_minor)
{
    char *path;
    struct plugin *p = open_test("abi12", &path);

    ck_assert_msg(p != NULL, "%s", err);
    ck_assert_uint_eq(loader_needed_minor(&p->d), 0);
    /* Built with the 1.2 header as released: nothing past its size. */
    ck_assert_uint_eq(p->d.abi_minor, 2);
    ck_assert_ptr_null(p->d.head_fields);
    /* Re-laid at this host's stride from the plugin's larger one. */
    ck_assert_str_eq(p->d.options[1].name, "second");
    ck_assert_str_eq(p->d.options[1].def, "dos");
    ck_assert_ptr_null(p->d.options[2].name);
    loader_free(p);
    free(path);
    p = open_test("abi11", &path);
    ck_assert_msg(p != NULL, "%s", err);
    ck_assert_uint_eq(loader_needed_minor(&p->d), 1);
    loader_free(p);
    free(path);
}
END_TEST

/* The cJSON linked here is one the ABI accepts. */
START_TEST(test_cjson_pinned)
{
    ck_assert_msg(loader_cjson_ok(err, sizeof(err)) == 0, "%s", err);
}
END_TEST

START_TEST(test_major_mismatch)
{
    char *path;
    char *want;

    ck_assert_ptr_null(open_test("abi_major", &path));
    want = xasprintf("plugin ABI %d.0 is not compatible with this mlgate "
                     "(ABI %d.%d): major version differs",
                     MLG_ABI_MAJOR + 1, MLG_ABI_MAJOR, MLG_ABI_MINOR);
    ck_refusal(path, want);
    free(want);
    free(path);
}
END_TEST

START_TEST(test_newer_minor)
{
    char *path;
    char *want;

    ck_assert_ptr_null(open_test("abi_minor", &path));
    want = xasprintf("plugin needs ABI %d.%d, this mlgate provides %d.%d "
                     "(minor newer)", MLG_ABI_MAJOR, MLG_ABI_MINOR + 3,
                     MLG_ABI_MAJOR, MLG_ABI_MINOR);
    ck_refusal(path, want);
    free(want);
    free(path);
}
END_TEST

/* A plugin built for an older minor (1.0, before opt_scope) loads. */
START_TEST(test_older_minor)
{
    char *path;
    struct plugin *p = open_test("abi_old", &path);

    ck_assert_msg(p != NULL, "%s", err);
    ck_assert_uint_eq(p->d.abi_major, MLG_ABI_MAJOR);
    ck_assert_uint_eq(p->d.abi_minor, 0);
    ck_assert_uint_lt(p->d.abi_minor, MLG_ABI_MINOR);
    ck_assert_ptr_nonnull(p->d.run);
    loader_free(p);
    free(path);
}
END_TEST

START_TEST(test_short_size)
{
    char *path;
    char *want;

    ck_assert_ptr_null(open_test("short_size", &path));
    want = xasprintf("descriptor struct_size 24 is smaller than the %d.0 "
                     "minimum %zu", MLG_ABI_MAJOR,
                     offsetof(struct mlg_plugin, reserved));
    ck_refusal(path, want);
    free(want);
    free(path);
}
END_TEST

START_TEST(test_no_entry)
{
    char *path;
    char *prefix;

    ck_assert_ptr_null(open_test("no_entry", &path));
    prefix = xasprintf("%s: no mlg_plugin_entry symbol (", path);
    ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "%s", err);
    /* dlerror's text is kept: it names the symbol. */
    ck_assert_ptr_nonnull(strstr(err + strlen(prefix),
                                 "mlg_plugin_entry"));
    free(prefix);
    free(path);
}
END_TEST

START_TEST(test_null_run)
{
    char *path;

    ck_assert_ptr_null(open_test("null_run", &path));
    ck_refusal(path, "run callback is NULL");
    free(path);
}
END_TEST

START_TEST(test_dlopen_failure)
{
    char *dir = cu_tmpdir();
    char *path = cu_write(dir, "junk.so", "this is not an ELF file\n");
    char *prefix = xasprintf("%s: cannot load: ", path);

    ck_assert_ptr_null(loader_open(path, err, sizeof(err)));
    ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "%s", err);
    /* dlerror() names the file too. */
    ck_assert_ptr_nonnull(strstr(err + strlen(prefix), "junk.so"));
    free(prefix);
    free(path);
    path = xasprintf("%s/missing.so", dir);
    ck_assert_ptr_null(loader_open(path, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "cannot load"));
    free(path);
    cu_rmrf(dir);
    free(dir);
}
END_TEST

/* Copy the built file of test plugin (or built-in, when builtin) name to
 * DIR/file.  Returns the new path (caller frees). */
static char *copy_plugin(const char *name, int builtin, const char *dir,
                         const char *file)
{
    const char *b = getenv("MLG_BUILDDIR");
    char *from = builtin ? xasprintf("%s/plugins/.libs/%s.so",
                                     b != NULL ? b : ".", name)
                         : cu_plugin(name);
    char *to = xasprintf("%s/%s", dir, file);
    char *cmd = xasprintf("cp '%s' '%s'", from, to);

    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(from);
    return to;
}

/* A plugin's name is its descriptor's, whatever its file is called. */
START_TEST(test_find_by_descriptor_name)
{
    char *dir = cu_tmpdir();
    char *to = copy_plugin("good", 0, dir, "renamed.so");
    char *got;

    unsetenv("MLGATE_PLUGIN_PATH");
    got = loader_find("good", dir, err, sizeof(err));
    ck_assert_msg(got != NULL, "%s", err);
    ck_assert_str_eq(got, to);
    free(got);
    ck_assert_ptr_null(loader_find("renamed", dir, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "plugin 'renamed' not found"));
    free(to);
    cu_rmrf(dir);
    free(dir);
}
END_TEST

/* Two files declaring one name: refused, naming both. */
START_TEST(test_find_duplicate)
{
    char *dir = cu_tmpdir();
    char *a = copy_plugin("good", 0, dir, "a.so");
    char *pdir = cu_plugin_dir();
    char *env = xasprintf("%s", pdir);
    char *want = cu_plugin("good");
    char *msg = xasprintf("plugin name 'good' is declared by both %s and %s: "
                          "remove or rename one", a, want);

    setenv("MLGATE_PLUGIN_PATH", env, 1);
    ck_assert_ptr_null(loader_find("good", dir, err, sizeof(err)));
    ck_assert_str_eq(err, msg);
    unsetenv("MLGATE_PLUGIN_PATH");
    free(msg);
    free(want);
    free(env);
    free(pdir);
    free(a);
    cu_rmrf(dir);
    free(dir);
}
END_TEST

/* A plugin given by path that takes a built-in's name is refused. */
START_TEST(test_find_shadows_builtin)
{
    const char *b = getenv("MLG_BUILDDIR");
    char *dir = cu_tmpdir();
    char *mine = copy_plugin("compare", 1, dir, "mine.so");
    char *bdir = xasprintf("%s/plugins/.libs", b != NULL ? b : ".");
    char *msg = xasprintf("%s: plugin name 'compare' shadows the built-in "
                          "plugin %s/compare.so: rename the plugin (its "
                          "descriptor's name)", mine, bdir);

    unsetenv("MLGATE_PLUGIN_PATH");
    ck_assert_ptr_null(loader_find(mine, bdir, err, sizeof(err)));
    ck_assert_str_eq(err, msg);
    free(msg);
    free(bdir);
    free(mine);
    cu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_find)
{
    char *pdir = cu_plugin_dir();
    char *dir = cu_tmpdir();
    char *want = cu_plugin("good");
    char *got, *env;

    unsetenv("MLGATE_PLUGIN_PATH");
    got = loader_find("good", pdir, err, sizeof(err));
    ck_assert_msg(got != NULL, "%s", err);
    ck_assert_str_eq(got, want);
    free(got);
    /* MLGATE_PLUGIN_PATH, after an empty and a missing entry. */
    env = xasprintf("::%s/nowhere:%s", dir, pdir);
    setenv("MLGATE_PLUGIN_PATH", env, 1);
    got = loader_find("good", dir, err, sizeof(err));
    ck_assert_msg(got != NULL, "%s", err);
    ck_assert_str_eq(got, want);
    free(got);
    /* A value with '/' is a path. */
    got = loader_find(want, NULL, err, sizeof(err));
    ck_assert_str_eq(got, want);
    free(got);
    unsetenv("MLGATE_PLUGIN_PATH");
    ck_assert_ptr_null(loader_find("nosuch", dir, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "plugin 'nosuch' not found: no "
                                 "plugin of that name in "));
    ck_assert_ptr_nonnull(strstr(err, dir));
    ck_assert_ptr_nonnull(strstr(err, PLUGINDIR));
    ck_assert_ptr_null(loader_find("./nosuch.so", NULL, err, sizeof(err)));
    ck_assert_str_eq(err, "./nosuch.so: plugin file not found or not "
                     "readable");
    free(env);
    free(want);
    free(pdir);
    cu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_dirs_order)
{
    char **d;

    setenv("MLGATE_PLUGIN_PATH", "/a:/b", 1);
    d = loader_dirs("/first");
    ck_assert_str_eq(d[0], "/first");
    ck_assert_str_eq(d[1], "/a");
    ck_assert_str_eq(d[2], "/b");
    ck_assert_str_eq(d[3], PLUGINDIR);
    ck_assert_ptr_null(d[4]);
    loader_dirs_free(d);
    unsetenv("MLGATE_PLUGIN_PATH");
    d = loader_dirs(NULL);
    ck_assert_str_eq(d[0], PLUGINDIR);
    ck_assert_ptr_null(d[1]);
    loader_dirs_free(d);
}
END_TEST

static Suite *loader_suite(void)
{
    Suite *s = suite_create("loader");
    TCase *core = tcase_create("core");
    TCase *errors = tcase_create("errors");

    tcase_add_test(core, test_good);
    tcase_add_test(core, test_reserved_refused);
    tcase_add_test(core, test_head_fields_refused);
    tcase_add_test(core, test_cjson_pinned);
    tcase_add_test(core, test_needed_minor);
    tcase_add_test(core, test_older_minor);
    tcase_add_test(core, test_find);
    tcase_add_test(core, test_find_by_descriptor_name);
    tcase_add_test(core, test_find_duplicate);
    tcase_add_test(core, test_find_shadows_builtin);
    tcase_add_test(core, test_dirs_order);
    tcase_add_test(errors, test_major_mismatch);
    tcase_add_test(errors, test_newer_minor);
    tcase_add_test(errors, test_short_size);
    tcase_add_test(errors, test_no_entry);
    tcase_add_test(errors, test_null_run);
    tcase_add_test(errors, test_dlopen_failure);
    suite_add_tcase(s, core);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(loader_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
