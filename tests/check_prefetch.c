/*
 * check_prefetch.c - the sticky comment's lookup beside the checks
 * (issue 17), end to end: the real mlgate binary against mlgate-sandbox.
 * The overlap is shown by an event, not a duration: the waitfile test
 * plugin passes only once the test saw the lookup in the sandbox's
 * request log, which cannot happen before the check ends unless the
 * lookup runs beside it.
 */
#include <config.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "checks_common.h"

#define MARKER "<!-- mlgate:mlgate -->"
#define COMMENTS "/issues/12/comments"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait until the sandbox logged at least n requests matching method and
 * part (polls the log: an event, not a guess at a duration). */
static void wait_req(const struct sbx *s, const char *method,
                     const char *part, int n)
{
    double until = now_s() + 30;

    while (sbx_count(s, method, part) < n) {
        ck_assert_msg(now_s() < until, "no %s %s in the sandbox log",
                      method ? method : "", part);
        poll(NULL, 0, 10);
    }
}

/* Comments on PR 12 carrying mlgate's marker. */
static int n_comments(const struct sbx *s)
{
    cJSON *st = sbx_state(s);
    const cJSON *c;
    int n = 0;

    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(st, "github"), "comments"),
        "acme/ml-repo#12")) {
        const char *b = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(c, "body"));

        n += b != NULL && strstr(b, MARKER) != NULL;
    }
    cJSON_Delete(st);
    return n;
}

/* The conf of one waitfile check waiting for dir/go, publishing the
 * comment and the statuses.  Caller frees. */
static char *wait_conf(const char *dir)
{
    const char *build = getenv("MLG_BUILDDIR");
    char *conf = malloc(16384);

    ck_assert_ptr_nonnull(conf);
    snprintf(conf, 16384,
             "[clearml]\nproject = Github CICD Video\n"
             "task-name = cicd_test\n\n"
             "[report]\ncomment = update\nstatus = yes\n\n"
             "[check wait]\nplugin = %s/tests/plugins/.libs/waitfile.so\n"
             "file = %s/go\n", build != NULL && *build ? build : ".", dir);
    return conf;
}

static void make_file(const char *dir)
{
    char path[4200];
    FILE *f;

    snprintf(path, sizeof path, "%s/go", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
}

static void remove_dir(const char *dir)
{
    char path[4200];

    snprintf(path, sizeof path, "%s/go", dir);
    unlink(path);
    rmdir(dir);
}

/* The check waits for a file the test creates only after the sandbox
 * answered the comments list: it passes, so the list came while it ran.
 * Then the helper's answer is what publish used: the whole run made one
 * list, no GET /user (no comment carries the marker), one POST and one
 * status: 3 GitHub requests for one check. */
START_TEST(test_lookup_beside_checks)
{
    struct sbx s;
    struct crun r;
    char dir[4096];
    const char *tmp = getenv("TMPDIR");
    char *conf;

    snprintf(dir, sizeof dir, "%s/mlg-prefetch-XXXXXX",
             tmp != NULL && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    conf = wait_conf(dir);
    ck_sbx_start(&s, "happy");
    crun_prepare(&r, conf);
    crun_spawn(&r, &s, NULL);
    wait_req(&s, "GET", COMMENTS, 1);
    make_file(dir);
    crun_wait(&r);
    ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code,
                  crun_get(&r, "wait", "summary"));
    ck_assert_str_eq(crun_get(&r, "wait", "status"), "pass");
    ck_assert_str_eq(crun_get(&r, "wait", "summary"), "the file came");
    ck_assert_int_eq(sbx_count(&s, "GET", COMMENTS), 1);
    ck_assert_int_eq(sbx_count(&s, "GET", "/github/user"), 0);
    ck_assert_int_eq(sbx_count(&s, "POST", COMMENTS), 1);
    ck_assert_int_eq(sbx_count(&s, "POST", "/statuses/"), 1);
    ck_assert_int_eq(sbx_count(&s, NULL, "/github/"), 3);
    ck_assert_int_eq(n_comments(&s), 1);
    crun_free(&r);
    sbx_stop(&s);
    remove_dir(dir);
    free(conf);
}
END_TEST

/* The next run of the same PR finds the comment beside its check: one
 * list per run, GET /user once (the helper's, now that a page holds the
 * marker; the parent learns the author from it), never a second
 * comment. */
START_TEST(test_second_run_one_list)
{
    struct sbx s;
    struct crun r;
    char dir[4096];
    const char *tmp = getenv("TMPDIR");
    char *conf;

    snprintf(dir, sizeof dir, "%s/mlg-prefetch-XXXXXX",
             tmp != NULL && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    make_file(dir);
    conf = wait_conf(dir);
    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, conf, NULL, 0);
    crun_free(&r);
    crun_expect(&r, &s, conf, NULL, 0);
    crun_free(&r);
    ck_assert_int_eq(sbx_count(&s, "GET", COMMENTS), 2);
    ck_assert_int_eq(sbx_count(&s, "GET", "/github/user"), 1);
    ck_assert_int_eq(sbx_count(&s, "POST", COMMENTS), 1);
    ck_assert_int_le(sbx_count(&s, "PATCH", "/issues/comments/"), 1);
    ck_assert_int_eq(n_comments(&s), 1);
    sbx_stop(&s);
    remove_dir(dir);
    free(conf);
}
END_TEST

static Suite *prefetch_suite(void)
{
    Suite *su = suite_create("prefetch");
    TCase *core = tcase_create("core");

    /* The plugin gives up after 20 s; the sandbox answers in ms. */
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_lookup_beside_checks);
    tcase_add_test(core, test_second_run_one_list);
    suite_add_tcase(su, core);
    return su;
}

int main(void)
{
    SRunner *sr = srunner_create(prefetch_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
