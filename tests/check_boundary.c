/*
 * check_boundary.c - the host boundary end to end (issue 15): a plugin
 * that prints to stdout, hands the host invalid UTF-8 and leaves a
 * setsid() grandchild behind, run by the real mlgate against the sandbox
 * with the comment and statuses published.  --format json on stdout and
 * the --json file stay valid JSON, every request body the sandbox logged
 * is valid UTF-8, the plugin's stdout is on stderr under its name, and
 * the grandchild does not outlive the run.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "checks_common.h"

/* Strict UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
static int bd_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p != '\0') {
        unsigned long cp;
        int n, i;

        if (p[0] < 0x80) {
            p++;
            continue;
        }
        if ((p[0] & 0xE0) == 0xC0) {
            n = 2;
            cp = p[0] & 0x1F;
        } else if ((p[0] & 0xF0) == 0xE0) {
            n = 3;
            cp = p[0] & 0x0F;
        } else if ((p[0] & 0xF8) == 0xF0) {
            n = 4;
            cp = p[0] & 0x07;
        } else {
            return 0;
        }
        for (i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
            (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += n;
    }
    return 1;
}

static char *bd_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long n;

    ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = calloc(1, (size_t)n + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return text;
}

/* Whether pid is gone: no such process, or a zombie (dead all the same
 * once its parent, gone with the run, is replaced by init). */
static int bd_gone(long pid)
{
    char path[64], line[256];
    char *paren;
    FILE *f;
    int gone = 1;

    if (kill((pid_t)pid, 0) != 0)
        return errno == ESRCH;
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    f = fopen(path, "r");
    if (f == NULL)
        return 1;
    if (fgets(line, sizeof(line), f) != NULL &&
        (paren = strrchr(line, ')')) != NULL)
        gone = paren[2] == 'Z';
    fclose(f);
    return gone;
}

START_TEST(test_hostile_plugin_contained)
{
    struct sbx s;
    struct crun r;
    char conf[8192], path[4300], piddir[4200];
    const char *tmp = getenv("TMPDIR");
    const char *build = getenv("MLG_BUILDDIR");
    const char *const extra[] = {"--format", "json", NULL};
    cJSON *out, *log;
    const cJSON *e;
    char *text, *err;
    long pid;
    int bodies = 0, cleaned = 0;

    ck_sbx_start(&s, "happy");
    snprintf(piddir, sizeof(piddir), "%s/mlg-boundary-XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(piddir));
    snprintf(conf, sizeof(conf),
             "[report]\ncomment = update\nstatus = on\n\n"
             "[check hostile]\nplugin = %s/tests/plugins/.libs/hostile.so\n"
             "pidfile = %s/pid\n", build != NULL ? build : ".", piddir);
    crun_expect(&r, &s, conf, extra, 0);

    /* --json file and --format json on stdout: valid JSON, valid UTF-8,
     * the plugin's bad bytes as U+FFFD. */
    ck_assert_ptr_nonnull(r.report);
    ck_assert_str_eq(crun_get(&r, "hostile", "status"), "pass");
    ck_assert_msg(strstr(crun_get(&r, "hostile", "summary"),
                         "summary \xef\xbf\xbd\xef\xbf\xbd with") != NULL,
                  "summary: %s", crun_get(&r, "hostile", "summary"));
    snprintf(path, sizeof(path), "%s/out", r.dir);
    text = bd_slurp(path);
    ck_assert_msg(bd_utf8(text), "stdout is not valid UTF-8");
    out = cJSON_Parse(text);
    ck_assert_msg(out != NULL, "stdout is not JSON:\n%s", text);
    ck_assert_msg(strstr(text, "to stdout by a plugin") == NULL,
                  "the plugin's printf reached stdout");
    cJSON_Delete(out);
    free(text);
    snprintf(path, sizeof(path), "%s/out.json", r.dir);
    text = bd_slurp(path);
    ck_assert_msg(bd_utf8(text), "the --json file is not valid UTF-8");
    free(text);

    /* The plugin's stdout is on stderr, under the check's name. */
    err = crun_stderr(&r);
    ck_assert_msg(strstr(err, "mlgate: hostile: {\"printed\": \"to stdout by "
                         "a plugin\"") != NULL, "stderr:\n%s", err);
    free(err);

    /* Every request body that reached the servers is valid UTF-8; the
     * plugin's own bodies arrived cleaned. */
    log = sbx_log(&s);
    cJSON_ArrayForEach(e, log) {
        const char *b = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "req_body"));

        if (b == NULL || *b == '\0')
            continue;
        bodies++;
        ck_assert_msg(bd_utf8(b), "request body not UTF-8: %s", b);
        if (strstr(b, "bad \xef\xbf\xbd name \xef\xbf\xbd") != NULL)
            cleaned++;
    }
    cJSON_Delete(log);
    ck_assert_int_gt(bodies, 2);
    /* tasks.get_all and the forge POST. */
    ck_assert_int_eq(cleaned, 2);

    /* The setsid() grandchild did not outlive the run. */
    snprintf(path, sizeof(path), "%s/pid", piddir);
    text = bd_slurp(path);
    unlink(path);
    rmdir(piddir);
    pid = strtol(text, NULL, 10);
    free(text);
    ck_assert_int_gt(pid, 1);
    ck_assert_msg(bd_gone(pid), "grandchild %ld outlived the run", pid);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

static Suite *boundary_suite(void)
{
    Suite *su = suite_create("boundary");
    TCase *tc = tcase_create("hostile");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_hostile_plugin_contained);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    SRunner *sr = srunner_create(boundary_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
