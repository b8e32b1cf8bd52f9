/*
 * check_checks.c - the three built-in checks together, end to end: the
 * README's main job (conf/example.conf on the happy scenario) and the
 * regressed scenario.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "checks_common.h"

/* Task ids the scenarios define; anything else was created by mlgate. */
static const char *const checks_fixture_ids[] = {
    CK_CURRENT, CK_BEST, CK_DIRTY, "a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4",
    "e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1", "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0",
    NULL
};

/* The sandbox's agent completes a task about 1 s after it is enqueued, so
 * the example's realistic 5 s poll would only ever see it completed; poll
 * as the demo does.  Takes ownership of text; caller frees the result. */
static char *checks_fast_poll(char *text)
{
    static const char from[] = "poll          = 5s";
    static const char to[] = "poll          = 0.2s";
    char *p = strstr(text, from), *out;
    size_t head, tail;

    ck_assert_msg(p != NULL, "conf/example.conf has no '%s' line", from);
    head = (size_t)(p - text);
    tail = strlen(p + sizeof from - 1) + 1;
    out = malloc(head + sizeof to - 1 + tail);
    ck_assert_ptr_nonnull(out);
    memcpy(out, text, head);
    memcpy(out + head, to, sizeof to - 1);
    memcpy(out + head + sizeof to - 1, p + sizeof from - 1, tail);
    free(text);
    return out;
}

/* conf/example.conf as text, polling fast.  Caller frees. */
static char *checks_example_conf(void)
{
    const char *src = getenv("MLG_SRCDIR");
    char path[4200];
    FILE *f;
    char *text;
    long n;

    snprintf(path, sizeof path, "%s/conf/example.conf",
             src != NULL && *src != '\0' ? src : ".");
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = '\0';
    fclose(f);
    return checks_fast_poll(text);
}

/* The one task of the state that no scenario defines, or NULL. */
static const cJSON *checks_created_task(const cJSON *state)
{
    const cJSON *t, *found = NULL;
    int i, known;

    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(state, "tasks")) {
        const char *id = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(t, "id"));

        known = 0;
        for (i = 0; checks_fixture_ids[i] != NULL && id != NULL; i++)
            known |= strcmp(id, checks_fixture_ids[i]) == 0;
        if (!known) {
            ck_assert_msg(found == NULL, "more than one task was created");
            found = t;
        }
    }
    return found;
}

/* What the README's main job must show: four PASS (diff finds no
 * branch:main task to compare with), exit 0, the current task tagged
 * main_branch and Best Performance, the previous best without Best
 * Performance but with its other tags, the remote task stopped and
 * archived. */
START_TEST(test_example_conf_happy)
{
    struct sbx s;
    struct crun r;
    char *conf = checks_example_conf();
    cJSON *st;
    const cJSON *t;

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, conf, NULL, 0);
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "pass");
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "pass");
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "pass");
    ck_assert_str_eq(crun_get(&r, "diff", "status"), "pass");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
                         r.report, "checks")), 4);

    st = sbx_state(&s);
    ck_assert_ptr_nonnull(st);
    t = ck_task(st, CK_CURRENT);
    ck_assert(ck_has(t, "tags", "main_branch"));
    ck_assert(ck_has(t, "tags", "Best Performance"));
    t = ck_task(st, CK_BEST);
    ck_assert(!ck_has(t, "tags", "Best Performance"));
    ck_assert(ck_has(t, "tags", "baseline"));
    t = checks_created_task(st);
    ck_assert_msg(t != NULL, "remote-run created no task");
    ck_assert_str_eq(cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(t, "status")), "stopped");
    ck_assert(ck_has(t, "system_tags", "archived"));
    cJSON_Delete(st);
    crun_free(&r);
    sbx_stop(&s);
    free(conf);
}
END_TEST

/* Issue 6's first demonstration: two consecutive runs of the README's
 * main job on one PR leave exactly one mlgate comment (created by the
 * first, updated in place by the second) and one commit status context
 * per check. */
START_TEST(test_example_conf_twice_one_comment)
{
    struct sbx s;
    struct crun r;
    char *conf = checks_example_conf();
    cJSON *st;
    const cJSON *c, *list;
    int marked = 0, i, run;
    const char *const contexts[] = {
        "mlgate/stats", "mlgate/compare", "mlgate/remote"
    };

    ck_sbx_start(&s, "happy");
    for (run = 0; run < 2; run++) {
        crun_expect(&r, &s, conf, NULL, 0);
        crun_free(&r);
    }
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);
    ck_assert_int_le(sbx_count(&s, "PATCH", "/issues/comments/"), 1);
    st = sbx_state(&s);
    ck_assert_ptr_nonnull(st);
    list = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(st, "github"), "comments"),
        "acme/ml-repo#12");
    cJSON_ArrayForEach(c, list) {
        const char *body = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(c, "body"));

        marked += body != NULL && strstr(body, "<!-- mlgate:mlgate -->");
    }
    ck_assert_int_eq(marked, 1);
    list = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(st, "github"), "statuses"),
        CK_SHA);
    for (i = 0; i < 3; i++) {
        int seen = 0;

        cJSON_ArrayForEach(c, list) {
            const char *ctx = cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(c, "context"));

            seen += ctx != NULL && strcmp(ctx, contexts[i]) == 0;
        }
        ck_assert_msg(seen == 2, "%s posted %d times, want once per run",
                      contexts[i], seen);
    }
    cJSON_ArrayForEach(c, list) {
        const char *ctx = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(c, "context"));

        ck_assert_msg(ctx != NULL && strncmp(ctx, "mlgate/", 7) == 0,
                      "unexpected status context %s", ctx ? ctx : "(null)");
    }
    cJSON_Delete(st);
    sbx_stop(&s);
    free(conf);
}
END_TEST

/* The same conf under --dry-run: verdicts, and only reads. */
START_TEST(test_example_conf_dry_run)
{
    struct sbx s;
    struct crun r;
    char *conf = checks_example_conf();
    const char *const extra[] = {"--dry-run", NULL};
    cJSON *st;

    ck_sbx_start(&s, "happy");
    crun_expect(&r, &s, conf, extra, 0);
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "pass");
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "pass");
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "skip");
    ck_assert_int_eq(ck_write_count(&s), 0);
    st = sbx_state(&s);
    ck_assert_ptr_null(checks_created_task(st));
    ck_assert(!ck_has(ck_task(st, CK_CURRENT), "tags", "main_branch"));
    cJSON_Delete(st);
    crun_free(&r);
    sbx_stop(&s);
    free(conf);
}
END_TEST

/* Regressed: compare FAIL, exit 1, no tag moved. */
START_TEST(test_example_conf_regressed)
{
    struct sbx s;
    struct crun r;
    char *conf = checks_example_conf();
    cJSON *st;

    ck_sbx_start(&s, "regressed");
    crun_expect(&r, &s, conf, NULL, 1);
    ck_assert_str_eq(crun_get(&r, "compare", "status"), "fail");
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "pass");
    st = sbx_state(&s);
    ck_assert(ck_has(ck_task(st, CK_BEST), "tags", "Best Performance"));
    ck_assert(!ck_has(ck_task(st, CK_CURRENT), "tags", "Best Performance"));
    cJSON_Delete(st);
    crun_free(&r);
    sbx_stop(&s);
    free(conf);
}
END_TEST

static Suite *checks_suite(void)
{
    Suite *s = suite_create("checks");
    TCase *core = tcase_create("core");

    tcase_set_timeout(core, 30);
    tcase_add_test(core, test_example_conf_happy);
    tcase_add_test(core, test_example_conf_twice_one_comment);
    tcase_add_test(core, test_example_conf_dry_run);
    tcase_add_test(core, test_example_conf_regressed);
    suite_add_tcase(s, core);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(checks_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
