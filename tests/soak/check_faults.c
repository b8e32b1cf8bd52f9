/*
 * check_faults.c - regression tests for what the fault soak found: a
 * remote task must end stopped and archived even when one answer on the
 * way is lost (tasks.create applied but its answer unreadable, failed
 * tasks.stopped calls, a failed tasks.archive).
 */
#include <config.h>

#include "sbx.h"

#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#define FLT_SHA "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345"

static char flt_dir[PATH_MAX];

static void flt_setup(void)
{
    const char *tmp = getenv("TMPDIR");
    char path[PATH_MAX + 32];
    FILE *f;

    snprintf(flt_dir, sizeof flt_dir, "%s/mlg-faults.XXXXXX",
             tmp != NULL && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(flt_dir));
    snprintf(path, sizeof path, "%s/mlgate.conf", flt_dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("[clearml]\nproject = Github CICD Video\ntask-name = cicd_test\n"
          "[report]\ncomment = off\nstatus = off\n"
          "[check remote]\nplugin = remote-run\nqueue = default\n"
          "script = task.py\npoll = 0.1s\nqueue-timeout = 5s\n"
          "timeout = 5s\n", f);
    ck_assert_int_eq(fclose(f), 0);
    setenv("MLGATE_HTTP_BACKOFF", "0.01", 1);
    setenv("HOME", flt_dir, 1);
    unsetenv("GITHUB_ACTIONS");
    unsetenv("GITLAB_CI");
    unsetenv("CLEARML_CONFIG_FILE");
}

static void flt_teardown(void)
{
    char path[PATH_MAX + 32];

    snprintf(path, sizeof path, "%s/mlgate.conf", flt_dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/report.json", flt_dir);
    unlink(path);
    rmdir(flt_dir);
}

/* Runs mlgate on the sandbox with faults (a JSON array); returns the
 * remote check's status word from the report.  Caller frees. */
static char *flt_run(struct sbx *s, const char *faults)
{
    const char *b = getenv("MLG_BUILDDIR");
    char bin[PATH_MAX], plugins[PATH_MAX + 32], conf[PATH_MAX + 32],
        json[PATH_MAX + 32], *text = NULL, *word;
    int st;
    pid_t pid;
    FILE *f;
    long n;
    cJSON *j;

    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(sbx_start(s, "happy", NULL), 0);
    sbx_export_env(s);
    ck_assert_int_eq(sbx_post(s, "/__fault", faults), 200);
    snprintf(bin, sizeof bin, "%s/mlgate", b);
    snprintf(plugins, sizeof plugins, "%s/plugins/.libs", b);
    snprintf(conf, sizeof conf, "%s/mlgate.conf", flt_dir);
    snprintf(json, sizeof json, "%s/report.json", flt_dir);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        dup2(null, 1);
        execl(bin, bin, "-c", conf, "--plugin-dir", plugins, "--repo",
              "acme/ml-repo", "--pr", "12", "--branch", "feature-x",
              "--sha", FLT_SHA, "--json", json, (char *)NULL);
        _exit(127);
    }
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    f = fopen(json, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    text = calloc(1, (size_t)n + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(fread(text, 1, (size_t)n, f), n);
    fclose(f);
    j = cJSON_Parse(text);
    free(text);
    word = strdup(cJSON_GetObjectItemCaseSensitive(
                      cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                                             j, "checks"), 0),
                      "status")->valuestring);
    cJSON_Delete(j);
    return word;
}

/* The tasks not in the scenario (mlgate's): how many, and that every
 * one ended stopped (or completed) and archived. */
static int flt_created_tasks_clean(struct sbx *s)
{
    cJSON *st = sbx_state(s), *t;
    int n = 0;

    ck_assert_ptr_nonnull(st);
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(st, "tasks")) {
        const char *id = cJSON_GetObjectItemCaseSensitive(t, "id")
                             ->valuestring;
        const char *status = cJSON_GetObjectItemCaseSensitive(t, "status")
                                 ->valuestring;
        const cJSON *tag;
        int archived = 0;

        /* The scenario's own tasks use repeated hex digit pairs. */
        if (strstr("a1b2c3d4e5f60718293a4b5c6d7e8f90 "
                   "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0 "
                   "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1 "
                   "a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4 "
                   "e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1 "
                   "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0", id) != NULL)
            continue;
        n++;
        cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(
                                    t, "system_tags"))
            if (strcmp(tag->valuestring, "archived") == 0)
                archived = 1;
        ck_assert_msg(archived, "task %s not archived", id);
        ck_assert_msg(strcmp(status, "stopped") == 0 ||
                      strcmp(status, "completed") == 0,
                      "task %s left %s", id, status);
    }
    cJSON_Delete(st);
    return n;
}

START_TEST(test_create_answer_lost)
{
    struct sbx s;
    /* The sandbox applies the create, then truncates its answer. */
    char *word = flt_run(&s, "[{\"match\":{\"service\":\"clearml\","
                         "\"endpoint\":\"tasks.create\"},"
                         "\"malformed\":true}]");

    ck_assert_int_eq(flt_created_tasks_clean(&s), 1);
    /* The task was found again and followed to the end. */
    ck_assert_str_eq(word, "pass");
    free(word);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_create_answer_lost_twice)
{
    struct sbx s;
    /* And the first look-up for it fails too. */
    char *word = flt_run(&s, "[{\"match\":{\"service\":\"clearml\","
                         "\"endpoint\":\"tasks.create\"},"
                         "\"malformed\":true},"
                         "{\"match\":{\"service\":\"clearml\","
                         "\"endpoint\":\"tasks.get_all\"},\"nth\":1,"
                         "\"html\":true}]");

    ck_assert_int_eq(flt_created_tasks_clean(&s), 1);
    free(word);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_stop_fails_once)
{
    struct sbx s;
    char *word = flt_run(&s, "[{\"match\":{\"service\":\"clearml\","
                         "\"endpoint\":\"tasks.stopped\"},"
                         "\"status\":500}]");

    ck_assert_int_eq(flt_created_tasks_clean(&s), 1);
    ck_assert_str_eq(word, "pass");
    ck_assert_int_eq(sbx_count(&s, "POST", "tasks.stopped"), 2);
    free(word);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_stop_fails_twice)
{
    struct sbx s;
    char *word = flt_run(&s, "[{\"match\":{\"service\":\"clearml\","
                         "\"endpoint\":\"tasks.stopped\"},"
                         "\"html\":true,\"count\":2}]");

    ck_assert_int_eq(flt_created_tasks_clean(&s), 1);
    ck_assert_int_eq(sbx_count(&s, "POST", "tasks.stopped"), 3);
    free(word);
    sbx_stop(&s);
}
END_TEST

/* The soak's finding: a token that expires again on tasks.stopped (401/30
 * twice, so the client's one re-login is not enough) is a reason to try
 * again, not the server's final "no" of a 400. */
START_TEST(test_stop_token_expired_twice)
{
    struct sbx s;
    char *word = flt_run(&s, "[{\"match\":{\"service\":\"clearml\","
                         "\"endpoint\":\"tasks.stopped\"},\"status\":401,"
                         "\"subcode\":30,\"msg\":\"Invalid token\","
                         "\"count\":2}]");

    ck_assert_int_eq(flt_created_tasks_clean(&s), 1);
    ck_assert_str_eq(word, "pass");
    ck_assert_int_eq(sbx_count(&s, "POST", "tasks.stopped"), 3);
    free(word);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_stop_unreadable_once)
{
    struct sbx s;
    char *word = flt_run(&s, "[{\"match\":{\"service\":\"clearml\","
                         "\"endpoint\":\"tasks.stopped\"},"
                         "\"html\":true}]");

    ck_assert_int_eq(flt_created_tasks_clean(&s), 1);
    free(word);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_archive_fails_once)
{
    struct sbx s;
    char *word = flt_run(&s, "[{\"match\":{\"service\":\"clearml\","
                         "\"endpoint\":\"tasks.archive\"},"
                         "\"html\":true}]");

    ck_assert_int_eq(flt_created_tasks_clean(&s), 1);
    free(word);
    sbx_stop(&s);
}
END_TEST

static Suite *flt_suite(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("errors");

    tcase_add_checked_fixture(tc, flt_setup, flt_teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_create_answer_lost);
    tcase_add_test(tc, test_create_answer_lost_twice);
    tcase_add_test(tc, test_stop_fails_once);
    tcase_add_test(tc, test_stop_fails_twice);
    tcase_add_test(tc, test_stop_token_expired_twice);
    tcase_add_test(tc, test_stop_unreadable_once);
    tcase_add_test(tc, test_archive_fails_once);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(flt_suite());
    int failed;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
