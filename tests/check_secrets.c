/*
 * check_secrets.c - issue 4's promise, end to end: tokens and keys never
 * reach stdout, stderr, the report, a JSON/JUnit file, the job summary,
 * GITHUB_OUTPUT, the PR comment or a commit status, on any command path,
 * at the highest verbosity, also through the sandbox's error paths; and
 * in GitHub Actions ::add-mask:: comes first.
 */
#include <config.h>

#include "sbx.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
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

#define SEC_ACCESS "SBXACCESSKEY00000001"
#define SEC_SECRET "sbx-secret-0123456789abcdefghijklmnopqrstuv"
#define SEC_GH_WRITE "ghs_sbxWriteToken0123456789abcdef"
#define SEC_GH_RO "ghs_sbxReadOnlyToken0123456789abc"
#define SEC_GITLAB "glpat-sbxGitlabToken0123456789"
/* Wrong credentials: still secrets, and they travel the error paths. */
#define SEC_BAD_SECRET "sbx-secret-WRONGwrongWRONGwrongWRONGwrongWRON"
#define SEC_BAD_GH "ghs_sbxRevokedToken000000000000000"
/* b64url of {"alg":"HS256","typ":"JWT"}: how every token the sandbox
 * issues starts (checked against a real one in sec_needles). */
#define SEC_JWT_HEAD "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
#define SEC_SHA "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345"

static char sec_dir[PATH_MAX];
/* Strings that must appear nowhere (NULL-terminated). */
static char *sec_needle[16];

static char *sec_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t cap = 0, n = 0, got;

    if (f == NULL)
        return NULL;
    do {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 65536;
            p = realloc(p, cap + 1);
            ck_assert_ptr_nonnull(p);
        }
        got = fread(p + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    p[n] = '\0';
    return p;
}

static void sec_write(const char *name, const char *text)
{
    char path[PATH_MAX + 64];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", sec_dir, name);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static char *sec_b64(const char *s)
{
    static const char tbl[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s), i, o = 0;
    char *r = malloc(4 * ((n + 2) / 3) + 1);
    const unsigned char *u = (const unsigned char *)s;

    ck_assert_ptr_nonnull(r);
    for (i = 0; i < n; i += 3) {
        unsigned v = (unsigned)u[i] << 16 |
                     (i + 1 < n ? (unsigned)u[i + 1] << 8 : 0) |
                     (i + 2 < n ? (unsigned)u[i + 2] : 0);

        r[o++] = tbl[v >> 18 & 63];
        r[o++] = tbl[v >> 12 & 63];
        r[o++] = i + 1 < n ? tbl[v >> 6 & 63] : '=';
        r[o++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    r[o] = '\0';
    return r;
}

static size_t sec_curl_cb(char *d, size_t sz, size_t nm, void *ud)
{
    size_t n = sz * nm, have = strlen(ud);

    if (have + n < 8191) {
        memcpy((char *)ud + have, d, n);
        ((char *)ud)[have + n] = '\0';
    }
    return n;
}

/* A token of this sandbox, from auth.login with the fixture keys.
 * Caller frees. */
static char *sec_login(const struct sbx *s)
{
    CURL *c = curl_easy_init();
    char url[512], *body = calloc(1, 8192), *tok;
    cJSON *j, *t;

    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(body);
    snprintf(url, sizeof url, "%s/auth.login", s->clearml_api);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERPWD, SEC_ACCESS ":" SEC_SECRET);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sec_curl_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    j = cJSON_Parse(body);
    t = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "data"), "token");
    ck_assert_msg(cJSON_IsString(t), "auth.login gave no token: %s", body);
    tok = strdup(t->valuestring);
    cJSON_Delete(j);
    free(body);
    return tok;
}

/* The needles: every fixture secret, the Basic credential, and the JWT
 * head (verified on a real token of s when given). */
static void sec_needles(const struct sbx *s)
{
    size_t i = 0;

    while (sec_needle[i] != NULL)
        free(sec_needle[i++]);
    i = 0;
    sec_needle[i++] = strdup(SEC_ACCESS);
    sec_needle[i++] = strdup(SEC_SECRET);
    sec_needle[i++] = sec_b64(SEC_ACCESS ":" SEC_SECRET);
    sec_needle[i++] = sec_b64(SEC_ACCESS ":" SEC_BAD_SECRET);
    sec_needle[i++] = strdup(SEC_GH_WRITE);
    sec_needle[i++] = strdup(SEC_GH_RO);
    sec_needle[i++] = strdup(SEC_GITLAB);
    sec_needle[i++] = strdup(SEC_BAD_SECRET);
    sec_needle[i++] = strdup(SEC_BAD_GH);
    sec_needle[i++] = strdup(SEC_JWT_HEAD);
    if (s != NULL) {
        char *tok = sec_login(s);

        ck_assert_msg(strncmp(tok, SEC_JWT_HEAD ".",
                              strlen(SEC_JWT_HEAD) + 1) == 0,
                      "sandbox tokens no longer start with the JWT head");
        sec_needle[i++] = tok;
    }
    sec_needle[i] = NULL;
}

static void sec_setup(void)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(sec_dir, sizeof sec_dir, "%s/mlg-secrets.XXXXXX",
             tmp != NULL && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(sec_dir));
    memset(sec_needle, 0, sizeof sec_needle);
    /* What the environment of a run holds before a sandbox is up. */
    setenv("CLEARML_API_ACCESS_KEY", SEC_ACCESS, 1);
    setenv("CLEARML_API_SECRET_KEY", SEC_SECRET, 1);
    setenv("GITHUB_TOKEN", SEC_GH_WRITE, 1);
    setenv("GITLAB_TOKEN", SEC_GITLAB, 1);
    setenv("MLGATE_HTTP_BACKOFF", "0.01", 1);
    setenv("NO_COLOR", "1", 1);
    setenv("HOME", sec_dir, 1);
    unsetenv("GITHUB_ACTIONS");
    unsetenv("GITHUB_EVENT_PATH");
    unsetenv("GITHUB_STEP_SUMMARY");
    unsetenv("GITHUB_OUTPUT");
    unsetenv("GITLAB_CI");
    unsetenv("CLEARML_CONFIG_FILE");
    unsetenv("MLGATE_CONFIG");
    /* The conf of the three checks, with a fast remote poll. */
    sec_write("mlgate.conf",
              "[clearml]\nproject = Github CICD Video\n"
              "task-name = cicd_test\n\n"
              "[check stats]\nplugin = stats-comment\n\n"
              "[check compare]\nplugin = compare\n"
              "metric = Performance Metric / Series 1\n\n"
              "[check remote]\nplugin = remote-run\nqueue = default\n"
              "script = task.py\npoll = 0.1s\nqueue-timeout = 5s\n"
              "timeout = 5s\niterations = 3\n");
}

static void sec_teardown(void)
{
    DIR *d = opendir(sec_dir);
    struct dirent *e;
    size_t i;

    while (d != NULL && (e = readdir(d)) != NULL) {
        char path[PATH_MAX + 300];

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", sec_dir, e->d_name);
        unlink(path);
    }
    if (d != NULL)
        closedir(d);
    rmdir(sec_dir);
    for (i = 0; sec_needle[i] != NULL; i++)
        free(sec_needle[i]);
    sec_needle[0] = NULL;
}

/* Runs mlgate with args (NULL-terminated) in sec_dir, stdout to
 * out_<tag>, stderr to err_<tag> (or both to out_<tag> when merge).
 * Returns the exit code. */
static int sec_run(const char *tag, int merge, const char *const *args)
{
    const char *b = getenv("MLG_BUILDDIR");
    char bin[PATH_MAX], plugins[PATH_MAX + 32], out[PATH_MAX + 64],
        err[PATH_MAX + 64];
    const char *argv[40];
    int n = 0, st;
    pid_t pid;

    ck_assert_ptr_nonnull(b);
    snprintf(bin, sizeof bin, "%s/mlgate", b);
    snprintf(plugins, sizeof plugins, "%s/plugins/.libs", b);
    snprintf(out, sizeof out, "%s/out_%s", sec_dir, tag);
    snprintf(err, sizeof err, "%s/err_%s", sec_dir, tag);
    argv[n++] = bin;
    while (*args != NULL && n < 36)
        argv[n++] = *args++;
    argv[n] = NULL;
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fe = merge ? fo : open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        if (fo < 0 || fe < 0 || chdir(sec_dir) != 0 || dup2(fo, 1) < 0 ||
            dup2(fe, 2) < 0)
            _exit(127);
        setenv("MLGATE_PLUGIN_PATH", plugins, 1);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st), "mlgate %s died of signal %d", tag,
                  WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return WEXITSTATUS(st);
}

/* No needle in any file of sec_dir (the conf aside); lines that are
 * ::add-mask:: commands are the one place a secret may be written. */
static void sec_scan_files(void)
{
    DIR *d = opendir(sec_dir);
    struct dirent *e;
    int files = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        char path[PATH_MAX + 300], *text, *line, *save = NULL;
        size_t i;

        if (e->d_name[0] == '.' || strcmp(e->d_name, "mlgate.conf") == 0 ||
            strncmp(e->d_name, "conf_", 5) == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", sec_dir, e->d_name);
        text = sec_slurp(path);
        if (text == NULL)
            continue;
        files++;
        for (line = strtok_r(text, "\n", &save); line != NULL;
             line = strtok_r(NULL, "\n", &save)) {
            if (strncmp(line, "::add-mask::", 12) == 0)
                continue;
            for (i = 0; sec_needle[i] != NULL; i++)
                ck_assert_msg(strstr(line, sec_needle[i]) == NULL,
                              "a secret (%.8s...) in %s: %s", sec_needle[i],
                              e->d_name, line);
        }
        free(text);
    }
    closedir(d);
    ck_assert_int_gt(files, 0);
}

/* No needle in what the sandbox holds: comments and statuses. */
static void sec_scan_state(const struct sbx *s)
{
    cJSON *st = sbx_state(s);
    char *text;
    size_t i;

    ck_assert_ptr_nonnull(st);
    text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(st,
                                                                  "github"));
    for (i = 0; sec_needle[i] != NULL; i++)
        ck_assert_msg(strstr(text, sec_needle[i]) == NULL,
                      "a secret (%.8s...) in a comment or status",
                      sec_needle[i]);
    free(text);
    text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(st,
                                                                  "gitlab"));
    for (i = 0; sec_needle[i] != NULL; i++)
        ck_assert_msg(strstr(text, sec_needle[i]) == NULL,
                      "a secret (%.8s...) in a note or status",
                      sec_needle[i]);
    free(text);
    cJSON_Delete(st);
}

static void sec_start(struct sbx *s, const char *scenario)
{
    ck_assert_int_eq(sbx_start(s, scenario, NULL), 0);
    sbx_export_env(s);
    sec_needles(s);
}

#define CTX "--repo", "acme/ml-repo", "--pr", "12", "--branch", \
    "feature-x", "--sha", SEC_SHA

/* A full run at -vv on a scenario, with extra args; returns its code
 * after scanning every output and the sandbox's comments. */
static int sec_scenario_run(const char *scenario, const char *fault,
                            const char *const *extra)
{
    struct sbx s;
    const char *args[32] = {"-vv", CTX, "--json", "report.json",
                            "--junit", "report.xml"};
    int n = 13, code;

    while (extra != NULL && *extra != NULL)
        args[n++] = *extra++;
    args[n] = NULL;
    sec_start(&s, scenario);
    if (fault != NULL)
        ck_assert_int_eq(sbx_post(&s, "/__fault", fault), 200);
    code = sec_run("run", 0, args);
    sec_scan_files();
    sec_scan_state(&s);
    sbx_stop(&s);
    return code;
}

START_TEST(test_commands)
{
    static const char *const plugins[] = {"-vv", "plugins", NULL};
    static const char *const checkc[] = {"-vv", "check-config", NULL};
    static const char *const help[] = {"-vv", "help", "remote-run", NULL};
    static const char *const usage[] = {"--help", NULL};
    static const char *const version[] = {"--version", NULL};
    static const char *const bad[] = {"-vv", "--frobnicate", NULL};

    sec_needles(NULL);
    ck_assert_int_eq(sec_run("plugins", 0, plugins), 0);
    ck_assert_int_eq(sec_run("check", 0, checkc), 0);
    ck_assert_int_eq(sec_run("help", 0, help), 0);
    ck_assert_int_eq(sec_run("usage", 0, usage), 0);
    ck_assert_int_eq(sec_run("version", 0, version), 0);
    ck_assert_int_eq(sec_run("bad", 0, bad), 64);
    sec_scan_files();
}
END_TEST

START_TEST(test_happy)
{
    ck_assert_int_eq(sec_scenario_run("happy", NULL, NULL), 0);
}
END_TEST

START_TEST(test_dry_run)
{
    static const char *const extra[] = {"--dry-run", NULL};

    ck_assert_int_eq(sec_scenario_run("happy", NULL, extra), 0);
}
END_TEST

START_TEST(test_format_json)
{
    static const char *const extra[] = {"--format", "json", NULL};

    ck_assert_int_eq(sec_scenario_run("happy", NULL, extra), 0);
}
END_TEST

START_TEST(test_format_markdown)
{
    static const char *const extra[] = {"--format", "markdown", NULL};

    ck_assert_int_eq(sec_scenario_run("happy", NULL, extra), 0);
}
END_TEST

START_TEST(test_fork_readonly)
{
    /* The harness exports the read-only token here; every write 403s. */
    ck_assert_int_eq(sec_scenario_run("fork-readonly", NULL, NULL), 0);
    ck_assert_str_eq(getenv("GITHUB_TOKEN"), SEC_GH_RO);
}
END_TEST

START_TEST(test_token_expired)
{
    ck_assert_int_eq(sec_scenario_run("token-expired", NULL, NULL), 0);
}
END_TEST

START_TEST(test_remote_fails)
{
    /* The task's log lines and status message reach the report. */
    ck_assert_int_eq(sec_scenario_run("remote-fails", NULL, NULL), 1);
}
END_TEST

START_TEST(test_wrong_clearml_secret)
{
    struct sbx s;
    static const char *const args[] = {"-vv", CTX, "--json", "report.json",
                                       NULL};
    int code;

    sec_start(&s, "happy");
    setenv("CLEARML_API_SECRET_KEY", SEC_BAD_SECRET, 1);
    code = sec_run("run", 0, args);
    ck_assert_msg(code == 1 || code == 2, "exit %d", code);
    sec_scan_files();
    sec_scan_state(&s);
    /* The answer was about the credentials (and said so). */
    ck_assert_int_gt(sbx_count(&s, "POST", "auth.login"), 0);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_github_401)
{
    struct sbx s;
    static const char *const args[] = {"-vv", CTX, "--json", "report.json",
                                       NULL};

    sec_start(&s, "happy");
    setenv("GITHUB_TOKEN", SEC_BAD_GH, 1);
    /* A forge that refuses the token degrades (remote-run cannot read
     * the PR's clone URL: ERROR). */
    ck_assert_int_eq(sec_run("run", 0, args), 2);
    sec_scan_files();
    sec_scan_state(&s);
    sbx_stop(&s);
}
END_TEST

START_TEST(test_clearml_5xx)
{
    int code = sec_scenario_run(
        "happy", "{\"match\":{\"service\":\"clearml\",\"endpoint\":"
        "\"tasks.get_all\"},\"count\":0,\"status\":503}", NULL);

    ck_assert_int_eq(code, 2);
}
END_TEST

START_TEST(test_not_clearml)
{
    int code = sec_scenario_run(
        "happy", "{\"match\":{\"service\":\"clearml\"},\"count\":0,"
        "\"html\":true}", NULL);

    ck_assert_int_eq(code, 2);
}
END_TEST

START_TEST(test_malformed)
{
    int code = sec_scenario_run(
        "happy", "{\"match\":{\"service\":\"github\"},\"count\":0,"
        "\"malformed\":true}", NULL);

    /* The PR cannot be read: remote-run has no clone URL (ERROR). */
    ck_assert_int_eq(code, 2);
}
END_TEST

START_TEST(test_github_actions)
{
    struct sbx s;
    static const char *const args[] = {"-vv", CTX, "--json", "report.json",
                                       NULL};
    char path[PATH_MAX + 32], *out, *line, *save = NULL;
    int masks_done = 0, masked_env = 0, masked_jwt = 0;

    sec_start(&s, "happy");
    setenv("GITHUB_ACTIONS", "true", 1);
    snprintf(path, sizeof path, "%s/step_summary", sec_dir);
    setenv("GITHUB_STEP_SUMMARY", path, 1);
    snprintf(path, sizeof path, "%s/github_output", sec_dir);
    setenv("GITHUB_OUTPUT", path, 1);
    /* The job log is stdout and stderr together: merged, in order. */
    ck_assert_int_eq(sec_run("gha", 1, args), 0);
    sec_scan_files();
    sec_scan_state(&s);
    sbx_stop(&s);

    snprintf(path, sizeof path, "%s/out_gha", sec_dir);
    out = sec_slurp(path);
    ck_assert_ptr_nonnull(out);
    for (line = strtok_r(out, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "::add-mask::", 12) != 0) {
            masks_done = 1;
            continue;
        }
        line += 12;
        if (strcmp(line, SEC_ACCESS) == 0 || strcmp(line, SEC_SECRET) == 0 ||
            strcmp(line, SEC_GH_WRITE) == 0) {
            /* The environment's secrets come before anything else. */
            ck_assert_msg(!masks_done, "::add-mask:: of %.8s... after "
                          "other output", line);
            masked_env++;
        }
        if (strncmp(line, SEC_JWT_HEAD, strlen(SEC_JWT_HEAD)) == 0)
            masked_jwt++;
    }
    free(out);
    ck_assert_int_eq(masked_env, 3);
    ck_assert_int_ge(masked_jwt, 1);
    snprintf(path, sizeof path, "%s/step_summary", sec_dir);
    out = sec_slurp(path);
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_nonnull(strstr(out, "mlgate"));
    free(out);
}
END_TEST

START_TEST(test_gitlab)
{
    struct sbx s;
    static const char *const args[] = {"-vv", "--json", "report.json",
                                       NULL};

    sec_start(&s, "happy");
    setenv("GITLAB_CI", "true", 1);
    setenv("CI_MERGE_REQUEST_IID", "7", 1);
    setenv("CI_PROJECT_ID", "42", 1);
    setenv("CI_PROJECT_PATH", "acme/ml-repo", 1);
    setenv("CI_COMMIT_SHA", SEC_SHA, 1);
    setenv("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", SEC_SHA, 1);
    setenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature-x", 1);
    setenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main", 1);
    setenv("CI_PROJECT_URL", "https://gitlab.com/acme/ml-repo", 1);
    ck_assert_int_eq(sec_run("gitlab", 0, args), 0);
    sec_scan_files();
    sec_scan_state(&s);
    /* The note was written with the token (so it was in play). */
    ck_assert_int_gt(sbx_count(&s, "POST", "/merge_requests/7/notes"), 0);
    sbx_stop(&s);
    unsetenv("GITLAB_CI");
}
END_TEST

START_TEST(test_conf_error)
{
    /* A conf value expanding a secret into an error message (a typo away
     * from a real mistake) is masked too. */
    static const char *const a1[] = {"-vv", "-c", "conf_1", "check-config",
                                     NULL};
    static const char *const a2[] = {"-vv", "-c", "conf_2", CTX, NULL};
    static const char *const a3[] = {"-vv", "-c", "conf_3", CTX, NULL};
    char path[PATH_MAX + 32], *err;

    sec_needles(NULL);
    sec_write("conf_1", "[report]\ncomment = ${CLEARML_API_SECRET_KEY}\n");
    sec_write("conf_2", "[check x]\nplugin = ${GITHUB_TOKEN}\n");
    sec_write("conf_3", "[clearml]\nproject = x\n"
              "${CLEARML_API_ACCESS_KEY} = 1\n");
    ck_assert_int_eq(sec_run("conf1", 0, a1), 78);
    ck_assert_int_eq(sec_run("conf2", 0, a2), 78);
    ck_assert_int_eq(sec_run("conf3", 0, a3), 78);
    sec_scan_files();
    /* It still says what is wrong, masked. */
    snprintf(path, sizeof path, "%s/err_conf1", sec_dir);
    err = sec_slurp(path);
    ck_assert_ptr_nonnull(strstr(err, "conf_1:2: bad value '***'"));
    free(err);
}
END_TEST

static Suite *sec_suite(void)
{
    Suite *s = suite_create("secrets");
    TCase *core = tcase_create("core"), *errors = tcase_create("errors");

    tcase_add_checked_fixture(core, sec_setup, sec_teardown);
    tcase_add_checked_fixture(errors, sec_setup, sec_teardown);
    tcase_set_timeout(core, 30);
    tcase_set_timeout(errors, 30);
    tcase_add_test(core, test_commands);
    tcase_add_test(core, test_happy);
    tcase_add_test(core, test_dry_run);
    tcase_add_test(core, test_format_json);
    tcase_add_test(core, test_format_markdown);
    tcase_add_test(core, test_github_actions);
    tcase_add_test(core, test_gitlab);
    tcase_add_test(errors, test_fork_readonly);
    tcase_add_test(errors, test_token_expired);
    tcase_add_test(errors, test_remote_fails);
    tcase_add_test(errors, test_wrong_clearml_secret);
    tcase_add_test(errors, test_github_401);
    tcase_add_test(errors, test_clearml_5xx);
    tcase_add_test(errors, test_not_clearml);
    tcase_add_test(errors, test_malformed);
    tcase_add_test(errors, test_conf_error);
    suite_add_tcase(s, core);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sec_suite());
    int failed;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
