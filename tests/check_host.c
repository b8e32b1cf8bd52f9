/*
 * check_host.c - tests of the host table's clients through a real check
 * child against mlgate-sandbox: ClearML reads and writes, the finder,
 * queues, tags, forge calls, the --dry-run refusals, and the plugin
 * flags that need a PR or ClearML.
 */
#include <config.h>

#include "clearml.h"
#include "conf.h"
#include "context.h"
#include "core_util.h"
#include "exec.h"
#include "forge.h"
#include "host.h"
#include "http.h"
#include "loader.h"
#include "sbx.h"
#include "util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_SHA "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345"
#define CURRENT_TASK "a1b2c3d4e5f60718293a4b5c6d7e8f90"

static struct conf c;
static struct plugin *plugin;
static struct exec_check check;
static struct host_env env;
static struct run_context ctx;
static struct run_result rr;
static char *home;

static void setup(void)
{
    memset(&c, 0, sizeof(c));
    memset(&env, 0, sizeof(env));
    memset(&ctx, 0, sizeof(ctx));
    memset(&rr, 0, sizeof(rr));
    plugin = NULL;
    home = cu_tmpdir();
    ck_assert_ptr_nonnull(home);
    /* No ~/clearml.conf of the machine may leak in. */
    setenv("HOME", home, 1);
    unsetenv("CLEARML_CONFIG_FILE");
    unsetenv("GITHUB_ACTIONS");
    unsetenv("GITLAB_CI");
    unsetenv("GITHUB_EVENT_NAME");
    ck_assert_int_eq(http_global_init(), 0);
}

static void teardown(void)
{
    run_result_free(&rr);
    if (env.clearml != NULL)
        clearml_free(env.clearml);
    if (env.forge != NULL)
        forge_free(env.forge);
    context_free(&ctx);
    loader_free(plugin);
    conf_free(&c);
    http_global_cleanup();
    cu_rmrf(home);
    free(home);
}

/* One check of plugin `name` with conf text; env points at c and ctx. */
static void load(const char *name, const char *text)
{
    char err[1024];
    char *path = cu_plugin(name);

    ck_assert_msg(conf_parse_string("t.conf", text, &c, err,
                                    sizeof(err)) == 0, "%s", err);
    plugin = loader_open(path, err, sizeof(err));
    ck_assert_msg(plugin != NULL, "%s", err);
    free(path);
    check.name = "probe";
    check.plugin = plugin;
    check.sec = conf_get_kv(&c.sec[c.nsec - 1], "plugin") != NULL
        ? &c.sec[c.nsec - 1] : NULL;
    ck_assert_ptr_nonnull(check.sec);
    check.timeout = exec_hard_timeout(&c, check.sec, &plugin->d);
    env.conf = &c;
    env.ctx = &ctx;
    env.grace = exec_grace(&c);
}

static const char *out(const char *key)
{
    size_t i;

    ck_assert_uint_eq(rr.n, 1);
    for (i = 0; i < rr.checks[0].noutputs; i++)
        if (strcmp(rr.checks[0].outputs[i].key, key) == 0)
            return rr.checks[0].outputs[i].value;
    ck_abort_msg("no output %s (details: %s)", key, rr.checks[0].details);
    return NULL;
}

START_TEST(test_needs_pr)
{
    load("needs", "[check probe]\nplugin = needs\n");
    env.ctx = NULL;
    exec_run(&env, &check, 1, 0, &rr);
    ck_assert_int_eq(rr.checks[0].status, MLG_SKIP);
    ck_assert_str_eq(rr.checks[0].summary,
                     "not applicable: this run has no pull request");
}
END_TEST

START_TEST(test_needs_clearml)
{
    struct context_overrides ov = {"acme/ml-repo", 12, HEAD_SHA,
                                   "feature-x"};
    char err[512];

    load("needs", "[check probe]\nplugin = needs\n");
    ck_assert_int_eq(context_load(&ctx, &ov, err, sizeof(err)), 0);
    exec_run(&env, &check, 1, 0, &rr);
    ck_assert_int_eq(rr.checks[0].status, MLG_ERROR);
    ck_assert_str_eq(rr.checks[0].summary,
                     "ClearML is not configured: set CLEARML_API_HOST, "
                     "CLEARML_API_ACCESS_KEY and CLEARML_API_SECRET_KEY "
                     "(or ~/clearml.conf)");
}
END_TEST

/* Clients logged in by the parent, used by the forked check. */
static void clients(const struct sbx *s)
{
    struct context_overrides ov = {"acme/ml-repo", 12, HEAD_SHA,
                                   "feature-x"};
    struct clearml_conf cc;
    struct mlg_error e;
    char err[512];

    sbx_export_env(s);
    ck_assert_msg(context_load(&ctx, &ov, err, sizeof(err)) == 0, "%s",
                  err);
    memset(&cc, 0, sizeof(cc));
    ck_assert_msg(clearml_conf_load(&cc, conf_find(&c, "clearml"), &e)
                  == 0, "%s", e.message);
    env.clearml = clearml_new(&cc, &e);
    clearml_conf_free(&cc);
    ck_assert_msg(env.clearml != NULL, "%s", e.message);
    ck_assert_msg(clearml_login(env.clearml, now_mono() + 20, &e) == 0,
                  "%s", e.message);
    env.forge = forge_new(&ctx, &c, &e);
    ck_assert_msg(env.forge != NULL, "%s", e.message);
}

START_TEST(test_clients)
{
    struct sbx s;

    ck_assert_int_eq(sbx_start(&s, "happy", NULL), 0);
    load("hostcalls", "[clearml]\nproject = Github CICD Video\n"
         "[check probe]\nplugin = hostcalls\n");
    clients(&s);
    exec_run(&env, &check, 1, 0, &rr);
    ck_assert_int_eq(rr.checks[0].status, MLG_PASS);
    ck_assert_str_eq(out("dry-run"), "0");
    ck_assert_str_eq(out("read"), "ok");
    ck_assert_str_eq(out("usage"), "e6");
    ck_assert_str_eq(out("find"), CURRENT_TASK);
    ck_assert_str_eq(out("queue"), "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b");
    ck_assert_str_eq(out("queue-missing"), "e6");
    ck_assert_str_eq(out("tags"), "ok");
    ck_assert_ptr_nonnull(strstr(out("url"), CURRENT_TASK));
    ck_assert_str_eq(out("forge-get"), "200");
    ck_assert_str_eq(out("forge-post"), "201");
    /* The write reached the server. */
    ck_assert_int_eq(sbx_count(&s, "POST", "tasks.create"), 1);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);
    /* The child reused the parent's token: one login in all. */
    ck_assert_int_eq(sbx_count(&s, NULL, "auth.login"), 1);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_dry_run)
{
    struct sbx s;

    ck_assert_int_eq(sbx_start(&s, "happy", NULL), 0);
    load("hostcalls", "[clearml]\nproject = Github CICD Video\n"
         "[check probe]\nplugin = hostcalls\n");
    clients(&s);
    env.dry_run = 1;
    exec_run(&env, &check, 1, 0, &rr);
    ck_assert_int_eq(rr.checks[0].status, MLG_PASS);
    ck_assert_str_eq(out("dry-run"), "1");
    ck_assert_str_eq(out("read"), "ok");
    ck_assert_str_eq(out("write"), "e4");
    /* Malformed is MLG_E_USAGE, not "would call". */
    ck_assert_str_eq(out("malformed"), "e6");
    ck_assert_ptr_nonnull(strstr(rr.checks[0].details,
                                 "malformed: bad ClearML endpoint "
                                 "'tasks.create/../x': not service.action"));
    ck_assert_str_eq(out("find"), CURRENT_TASK);
    ck_assert_str_eq(out("tags"), "e4");
    ck_assert_str_eq(out("forge-get"), "200");
    ck_assert_str_eq(out("forge-post"), "e4");
    ck_assert_ptr_nonnull(strstr(rr.checks[0].details,
                                 "write: dry run: would call tasks.create"));
    /* Nothing was written. */
    ck_assert_int_eq(sbx_count(&s, "POST", "tasks.create"), 0);
    ck_assert_int_eq(sbx_count(&s, NULL, "tasks.update_tags"), 0);
    ck_assert_int_eq(sbx_count(&s, NULL, "tasks.edit"), 0);
    ck_assert_int_eq(sbx_count(&s, "POST", "/comments"), 0);
    sbx_stop(&s);
}
END_TEST

static Suite *host_suite(void)
{
    Suite *s = suite_create("host");
    TCase *core = tcase_create("core");
    TCase *errors = tcase_create("errors");

    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_checked_fixture(errors, setup, teardown);
    tcase_set_timeout(core, 20);
    tcase_add_test(core, test_clients);
    tcase_add_test(core, test_dry_run);
    tcase_add_test(errors, test_needs_pr);
    tcase_add_test(errors, test_needs_clearml);
    suite_add_tcase(s, core);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(host_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
