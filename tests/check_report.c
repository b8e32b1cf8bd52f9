/*
 * check_report.c - tests of the merge order and of the text, JSON and
 * JUnit renderings, and of atomic, masked report files.
 */
/* The terminal test opens a pty (posix_openpt): POSIX's XSI option, kept
 * under --enable-strict-posix (runner/strict-posix.h). */
#define MLG_WANT_XSI 1
#include <config.h>

#include "context.h"
#include "core_util.h"
#include "log.h"
#include "report.h"
#include "result.h"
#include "util.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct run_result rr;

static void add(const char *name, const char *plugin, int status,
                const char *summary, const char *details, double dur)
{
    struct check_result *r;

    rr.checks = xrealloc(rr.checks, (rr.n + 1) * sizeof(*rr.checks));
    r = &rr.checks[rr.n++];
    memset(r, 0, sizeof(*r));
    r->name = xstrdup(name);
    r->plugin = xstrdup(plugin);
    r->status = status;
    r->summary = xstrdup(summary);
    r->details = xstrdup(details);
    r->duration = dur;
}

static void setup(void)
{
    memset(&rr, 0, sizeof(rr));
    add("stats", "stats-comment", MLG_PASS, "task found", "| a |", 0.25);
    add("compare", "compare", MLG_FAIL, "0.81 < 0.85 <worse> & \"bad\"",
        "details <b>\x01</b>", 1.5);
    add("remote", "remote-run", MLG_ERROR, "queue 'x' not found", "", 2);
    add("maybe", "status", MLG_WARN, "close call", "warn details", 0);
    add("skipped", "status", MLG_SKIP, "no PR", "", 0);
    rr.checks[0].outputs = xcalloc(1, sizeof(struct result_kv));
    rr.checks[0].outputs[0].key = xstrdup("task-id");
    rr.checks[0].outputs[0].value = xstrdup("abc");
    rr.checks[0].noutputs = 1;
    rr.checks[1].annots = xcalloc(1, sizeof(struct result_annot));
    rr.checks[1].annots[0].level = MLG_ANNOT_ERROR;
    rr.checks[1].annots[0].file = xstrdup("train.py");
    rr.checks[1].annots[0].line = 12;
    rr.checks[1].annots[0].message = xstrdup("regressed");
    rr.checks[1].nannots = 1;
    rr.duration = 2.04;
    result_finish(&rr);
}

static void teardown(void)
{
    run_result_free(&rr);
}

START_TEST(test_merge_order)
{
    /* PASS = SKIP < WARN < ERROR < FAIL, in every argument order. */
    static const int order[] = {MLG_PASS, MLG_WARN, MLG_ERROR, MLG_FAIL};
    size_t i, j;

    for (i = 0; i < 4; i++)
        for (j = 0; j < 4; j++) {
            int want = order[i > j ? i : j];

            ck_assert_int_eq(result_merge(order[i], order[j]), want);
        }
    ck_assert_int_eq(result_merge(MLG_SKIP, MLG_PASS), MLG_PASS);
    ck_assert_int_eq(result_merge(MLG_PASS, MLG_SKIP), MLG_PASS);
    ck_assert_int_eq(result_merge(MLG_SKIP, MLG_WARN), MLG_WARN);
    ck_assert_int_eq(result_merge(MLG_ERROR, MLG_SKIP), MLG_ERROR);
    ck_assert_int_eq(result_merge(MLG_FAIL, MLG_ERROR), MLG_FAIL);
    ck_assert_int_eq(result_exit_code(MLG_PASS), 0);
    ck_assert_int_eq(result_exit_code(MLG_WARN), 0);
    ck_assert_int_eq(result_exit_code(MLG_SKIP), 0);
    ck_assert_int_eq(result_exit_code(MLG_FAIL), 1);
    ck_assert_int_eq(result_exit_code(MLG_ERROR), 2);
}
END_TEST

START_TEST(test_finish)
{
    struct run_result only_skip;
    struct check_result c[2];

    memset(c, 0, sizeof(c));
    c[0].status = MLG_SKIP;
    c[1].status = MLG_SKIP;
    only_skip.checks = c;
    only_skip.n = 2;
    result_finish(&only_skip);
    ck_assert_int_eq(only_skip.overall, MLG_PASS);
    ck_assert_int_eq(rr.overall, MLG_FAIL);
}
END_TEST

START_TEST(test_text)
{
    char *t = report_text(&rr, 0);

    ck_assert_ptr_nonnull(strstr(t, "PASS  stats: task found (0.2s)\n"));
    ck_assert_ptr_nonnull(strstr(t, "FAIL  compare: 0.81 < 0.85"));
    ck_assert_ptr_nonnull(strstr(t, "ERROR remote: queue 'x' not found"));
    ck_assert_ptr_nonnull(strstr(t, "SKIP  skipped: no PR"));
    ck_assert_ptr_nonnull(strstr(t, "\nmlgate: 1 failed, 1 errored, "
                                 "1 warned, 1 passed, 1 skipped in 2.0s\n"));
    ck_assert_ptr_null(strchr(t, '\033'));
    free(t);
    t = report_text(&rr, 1);
    ck_assert_ptr_nonnull(strstr(t, "\033[32mPASS \033[0m stats"));
    free(t);
}
END_TEST

START_TEST(test_json)
{
    struct run_context ctx;
    char *j;
    cJSON *root, *checks, *c;
    size_t i;

    memset(&ctx, 0, sizeof(ctx));
    ctx.repo = (char *)"acme/ml-repo";
    ctx.pr = 12;
    ctx.head_sha = (char *)"3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345";
    j = report_json(&rr, &ctx);
    root = cJSON_Parse(j);
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(root, "status")
                     ->valuestring, "fail");
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(root, "exit_code")
                     ->valueint, 1);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(root, "repo")
                     ->valuestring, "acme/ml-repo");
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(root, "pr")
                     ->valueint, 12);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(root, "mlgate")
                     ->valuestring, PACKAGE_VERSION);
    checks = cJSON_GetObjectItemCaseSensitive(root, "checks");
    ck_assert_int_eq(cJSON_GetArraySize(checks), (int)rr.n);
    for (i = 0; i < rr.n; i++) {
        c = cJSON_GetArrayItem(checks, (int)i);
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c, "name")
                         ->valuestring, rr.checks[i].name);
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c, "status")
                         ->valuestring,
                         result_status_word(rr.checks[i].status));
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c, "summary")
                         ->valuestring, rr.checks[i].summary);
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c, "details")
                         ->valuestring, rr.checks[i].details);
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c, "plugin")
                         ->valuestring, rr.checks[i].plugin);
    }
    c = cJSON_GetArrayItem(checks, 0);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(c, "outputs"), "task-id")
        ->valuestring, "abc");
    c = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(checks, 1), "annotations"), 0);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c, "level")
                     ->valuestring, "error");
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(c, "line")->valueint,
                     12);
    cJSON_Delete(root);
    free(j);
    /* Without a context. */
    j = report_json(&rr, NULL);
    root = cJSON_Parse(j);
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(root, "repo")
                     ->valuestring, "");
    cJSON_Delete(root);
    free(j);
}
END_TEST

/* Run xmllint --noout on path when it is installed; returns its status,
 * or 0 when it is not available. */
static int xmllint(const char *path)
{
    const char *x = getenv("MLG_XMLLINT");
    pid_t pid;
    int st;

    if (x == NULL || *x == '\0')
        x = "/usr/bin/xmllint";
    if (access(x, X_OK) != 0)
        return 0;
    pid = fork();
    if (pid == 0) {
        execl(x, x, "--noout", path, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

START_TEST(test_junit)
{
    char *x = report_junit(&rr);
    char *dir = cu_tmpdir();
    char *path = cu_write(dir, "junit.xml", x);

    ck_assert_ptr_nonnull(strstr(x, "<testsuite name=\"mlgate\" tests=\"5\" "
                                 "failures=\"1\" errors=\"1\" "
                                 "skipped=\"1\""));
    ck_assert_ptr_nonnull(strstr(x, "<testcase classname=\"mlgate."
                                 "stats-comment\" name=\"stats\" "
                                 "time=\"0.250\"/>"));
    ck_assert_ptr_nonnull(strstr(x, "<failure message=\"0.81 &lt; 0.85 "
                                 "&lt;worse&gt; &amp; &quot;bad&quot;\""));
    /* The control character is dropped, the tags escaped. */
    ck_assert_ptr_nonnull(strstr(x, ">details &lt;b&gt;&lt;/b&gt;"
                                 "</failure>"));
    ck_assert_ptr_nonnull(strstr(x, "<error message=\"queue &apos;x&apos; "
                                 "not found\""));
    ck_assert_ptr_nonnull(strstr(x, "<skipped message=\"no PR\"/>"));
    ck_assert_ptr_nonnull(strstr(x, "<system-out>WARN: close call"));
    ck_assert_int_eq(xmllint(path), 0);
    free(x);
    free(path);
    cu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_xml_escape)
{
    char *s = report_xml_escape("a\x1b[31m\tb\xff\xc3\xa9<");

    /* ESC dropped, TAB as a reference, a bad byte becomes '?', valid
     * UTF-8 kept. */
    ck_assert_str_eq(s, "a[31m&#9;b?\xc3\xa9&lt;");
    free(s);
    s = report_xml_escape("\xed\xa0\x80x");
    ck_assert_str_eq(s, "???x");
    free(s);
    /* U+FFFE and U+FFFF are valid UTF-8 but no XML characters; U+FFFD
     * is both. */
    s = report_xml_escape("\xef\xbf\xbe\xef\xbf\xbf\xef\xbf\xbd");
    ck_assert_str_eq(s, "??????\xef\xbf\xbd");
    free(s);
}
END_TEST

START_TEST(test_write_file)
{
    char *dir = cu_tmpdir();
    char *path = xasprintf("%s/report.json", dir);
    char *tmp = xasprintf("%s.tmp", path);
    char *bad = xasprintf("%s/nodir/report.json", dir);
    char err[512];
    char *s;
    struct stat st;

    log_secret_add("ghs_sbxWriteToken0123456789abcdef");
    ck_assert_int_eq(report_write_file(path, "{\"t\": \"ghs_sbxWriteToken"
                                       "0123456789abcdef\"}\n", err,
                                       sizeof(err)), 0);
    s = cu_read(path);
    ck_assert_str_eq(s, "{\"t\": \"***\"}\n");
    ck_assert_int_eq(stat(tmp, &st), -1);
    free(s);
    /* Replacing keeps the old file until the new one is complete. */
    ck_assert_int_eq(report_write_file(path, "new\n", err, sizeof(err)), 0);
    s = cu_read(path);
    ck_assert_str_eq(s, "new\n");
    free(s);
    ck_assert_int_eq(report_write_file(bad, "x", err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, strerror(ENOENT)));
    free(bad);
    free(tmp);
    free(path);
    cu_rmrf(dir);
    free(dir);
}
END_TEST

/* The mask list has no size limit: the 200th secret is masked as the
 * first (it used to be dropped silently past 32). */
START_TEST(test_secrets_unlimited)
{
    size_t before = log_secret_count(), i;
    char *m;

    for (i = 0; i < 200; i++) {
        char *sec = xasprintf("many-secret-%03zu-xyz", i);

        log_secret_add(sec);
        free(sec);
    }
    ck_assert_uint_eq(log_secret_count(), before + 200);
    m = log_mask("a many-secret-000-xyz b many-secret-199-xyz c");
    ck_assert_str_eq(m, "a *** b *** c");
    free(m);
}
END_TEST

/* A multi-line secret: masked whole, each line masked on its own, and in
 * GitHub Actions one ::add-mask:: per line (a line break cannot travel
 * in one workflow command). */
START_TEST(test_secret_multiline)
{
    char *dir = cu_tmpdir(), *path = xasprintf("%s/stdout", dir), *out, *m;
    int fd, saved;

    fflush(stdout);
    saved = dup(1);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_ge(dup2(fd, 1), 0);
    close(fd);
    setenv("GITHUB_ACTIONS", "true", 1);
    log_secret_add("-----BEGIN KEY-----\r\nline-one-secret\nline-two-secret"
                   "\n-----END KEY-----\n");
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    unsetenv("GITHUB_ACTIONS");
    out = cu_read(path);
    ck_assert_str_eq(out, "::add-mask::-----BEGIN KEY-----\n"
                     "::add-mask::line-one-secret\n"
                     "::add-mask::line-two-secret\n"
                     "::add-mask::-----END KEY-----\n");
    m = log_mask("x line-two-secret y\nline-one-secret");
    ck_assert_str_eq(m, "x *** y\n***");
    free(m);
    free(out);
    free(path);
    cu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_empty_run)
{
    struct run_result e;
    char *t;

    memset(&e, 0, sizeof(e));
    result_finish(&e);
    t = report_text(&e, 0);
    ck_assert_str_eq(t, "mlgate: no checks in 0.0s\n");
    free(t);
    t = report_junit(&e);
    ck_assert_ptr_nonnull(strstr(t, "tests=\"0\""));
    free(t);
}
END_TEST

/* Colour only on a terminal, and never with NO_COLOR set. */
START_TEST(test_color_decision)
{
    FILE *file = tmpfile(), *tty;
    int master = posix_openpt(O_RDWR | O_NOCTTY);

    ck_assert_ptr_nonnull(file);
    unsetenv("NO_COLOR");
    ck_assert_int_eq(report_use_color(file), 0);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        /* No pseudo-terminals here: only the file case can be shown. */
        fclose(file);
        return;
    }
    tty = fopen(ptsname(master), "w");
    ck_assert_ptr_nonnull(tty);
    ck_assert_int_eq(report_use_color(tty), 1);
    setenv("NO_COLOR", "1", 1);
    ck_assert_int_eq(report_use_color(tty), 0);
    ck_assert_int_eq(report_use_color(file), 0);
    unsetenv("NO_COLOR");
    fclose(tty);
    fclose(file);
    close(master);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *core = tcase_create("core");
    TCase *limits = tcase_create("limits");

    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_checked_fixture(limits, setup, teardown);
    tcase_add_test(core, test_merge_order);
    tcase_add_test(core, test_finish);
    tcase_add_test(core, test_text);
    tcase_add_test(core, test_color_decision);
    tcase_add_test(core, test_json);
    tcase_add_test(core, test_junit);
    tcase_add_test(core, test_write_file);
    tcase_add_test(core, test_secrets_unlimited);
    tcase_add_test(core, test_secret_multiline);
    tcase_add_test(limits, test_xml_escape);
    tcase_add_test(limits, test_empty_run);
    suite_add_tcase(s, core);
    suite_add_tcase(s, limits);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(report_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
