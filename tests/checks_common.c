/*
 * checks_common.c - runs the real mlgate binary for the built-in checks'
 * end-to-end tests and reads its report and the sandbox's state and log.
 */
/* putenv() is POSIX's XSI option: kept under --enable-strict-posix
 * (runner/strict-posix.h). */
#define MLG_WANT_XSI 1
#include <config.h>

#include "checks_common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#define CK_MAX_ARGS 64

/* Variables of a real CI that would change the run context. */
static const char *const ck_unset[] = {
    "GITHUB_ACTIONS", "GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME",
    "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_REPOSITORY",
    "GITHUB_SHA", "GITHUB_REF", "GITHUB_HEAD_REF", "GITHUB_RUN_ID",
    "GITLAB_CI", "CI_MERGE_REQUEST_IID", "CI_PROJECT_ID", "CI_PROJECT_PATH",
    "CI_COMMIT_SHA", "CI_PULL_REQUEST", "CI_COMMIT", "CI_REPO_OWNER",
    "CI_REPO_NAME", "MLGATE_CONFIG", "MLGATE_PLUGIN_PATH", "MLGATE_REPO",
    "MLGATE_PR", "MLGATE_SHA", "MLGATE_BRANCH", "CLEARML_CONFIG_FILE",
    NULL
};

static double ck_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *ck_env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && *v != '\0' ? v : ".";
}

/* Whole file; caller frees; NULL when unreadable. */
static char *ck_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t n = 0, cap = 0, got;

    if (f == NULL)
        return NULL;
    do {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 8192;
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

static void ck_write(const char *dir, const char *name, const char *text)
{
    char path[4200];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

int crun_prepare(struct crun *r, const char *conf)
{
    const char *tmp = getenv("TMPDIR");

    memset(r, 0, sizeof *r);
    r->pid = -1;
    r->exit_code = -1;
    snprintf(r->dir, sizeof r->dir, "%s/mlg-checks-XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    ck_assert_msg(mkdtemp(r->dir) != NULL, "mkdtemp failed");
    ck_write(r->dir, "mlgate.conf", conf);
    return 0;
}

int crun_spawn(struct crun *r, const struct sbx *s, const char *const *extra)
{
    char bin[4200], plugdir[4200], conf[4200], json[4200], junit[4200];
    const char *argv[CK_MAX_ARGS];
    int argc = 0, i;
    pid_t pid;

    snprintf(bin, sizeof bin, "%s/mlgate", ck_env("MLG_BUILDDIR"));
    snprintf(plugdir, sizeof plugdir, "%s/plugins/.libs",
             ck_env("MLG_BUILDDIR"));
    snprintf(conf, sizeof conf, "%s/mlgate.conf", r->dir);
    snprintf(json, sizeof json, "%s/out.json", r->dir);
    if (bin[0] != '/' || plugdir[0] != '/') {
        char cwd[2048];

        ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
        snprintf(bin, sizeof bin, "%s/%s/mlgate", cwd,
                 ck_env("MLG_BUILDDIR"));
        snprintf(plugdir, sizeof plugdir, "%s/%s/plugins/.libs", cwd,
                 ck_env("MLG_BUILDDIR"));
    }
    argv[argc++] = bin;
    argv[argc++] = "--plugin-dir";
    argv[argc++] = plugdir;
    argv[argc++] = "--repo";
    argv[argc++] = "acme/ml-repo";
    argv[argc++] = "--pr";
    argv[argc++] = "12";
    argv[argc++] = "--sha";
    argv[argc++] = CK_SHA;
    argv[argc++] = "--branch";
    argv[argc++] = "feature-x";
    argv[argc++] = "--json";
    argv[argc++] = json;
    argv[argc++] = "-c";
    argv[argc++] = conf;
    snprintf(junit, sizeof junit, "%s/out.xml", r->dir);
    if (r->actions) {
        argv[argc++] = "--junit";
        argv[argc++] = junit;
    }
    for (i = 0; extra != NULL && extra[i] != NULL && argc < CK_MAX_ARGS - 1;
         i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;

    sbx_export_env(s);
    r->start = ck_now();
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char out[4200], err[4200];
        int fd;

        for (i = 0; ck_unset[i] != NULL; i++)
            unsetenv(ck_unset[i]);
        /* No ~/clearml.conf of the machine may leak in. */
        setenv("HOME", r->dir, 1);
        for (i = 0; r->env != NULL && r->env[i] != NULL; i++)
            putenv((char *)r->env[i]);
        if (r->actions) {
            setenv("GITHUB_ACTIONS", "true", 1);
            snprintf(out, sizeof out, "%s/github_output", r->dir);
            setenv("GITHUB_OUTPUT", out, 1);
            snprintf(out, sizeof out, "%s/step_summary", r->dir);
            setenv("GITHUB_STEP_SUMMARY", out, 1);
        }
        snprintf(out, sizeof out, "%s/out", r->dir);
        snprintf(err, sizeof err, "%s/err", r->dir);
        fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0)
            dup2(fd, 1);
        fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0)
            dup2(fd, 2);
        if (chdir(r->dir) != 0)
            _exit(126);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    r->pid = pid;
    return 0;
}

void crun_wait(struct crun *r)
{
    char path[4200];
    char *text;
    int st = 0;

    ck_assert_int_eq(waitpid(r->pid, &st, 0), r->pid);
    r->secs = ck_now() - r->start;
    r->pid = -1;
    if (WIFEXITED(st))
        r->exit_code = WEXITSTATUS(st);
    else if (WIFSIGNALED(st))
        r->exit_code = 128 + WTERMSIG(st);
    snprintf(path, sizeof path, "%s/out.json", r->dir);
    text = ck_slurp(path);
    if (text != NULL)
        r->report = cJSON_Parse(text);
    free(text);
}

int crun_mlgate(struct crun *r, const struct sbx *s, const char *conf,
                const char *const *extra)
{
    crun_prepare(r, conf);
    crun_spawn(r, s, extra);
    crun_wait(r);
    return r->exit_code;
}

void crun_expect(struct crun *r, const struct sbx *s, const char *conf,
                 const char *const *extra, int want)
{
    char what[4096] = "", *err;
    const cJSON *c;
    size_t used = 0, n;

    crun_mlgate(r, s, conf, extra);
    if (r->exit_code == want)
        return;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(r->report,
                                                           "checks")) {
        used += (size_t)snprintf(what + used, sizeof what - used,
                                 "[%s %s: %s] ",
                                 cJSON_GetStringValue(
                                     cJSON_GetObjectItemCaseSensitive(
                                         c, "name")),
                                 cJSON_GetStringValue(
                                     cJSON_GetObjectItemCaseSensitive(
                                         c, "status")),
                                 cJSON_GetStringValue(
                                     cJSON_GetObjectItemCaseSensitive(
                                         c, "summary")));
        if (used >= sizeof what)
            break;
    }
    err = crun_stderr(r);
    n = strlen(err);
    ck_abort_msg("mlgate exited %d, want %d; %s; stderr: %s", r->exit_code,
                 want, what, err + (n > 600 ? n - 600 : 0));
    free(err);
}

void crun_free(struct crun *r)
{
    static const char *const files[] = {
        "mlgate.conf", "out.json", "out", "err", "requirements.txt",
        "out.xml", "github_output", "step_summary", "event.json", NULL
    };
    char path[4200];
    int i;

    for (i = 0; files[i] != NULL; i++) {
        snprintf(path, sizeof path, "%s/%s", r->dir, files[i]);
        unlink(path);
    }
    rmdir(r->dir);
    cJSON_Delete(r->report);
    r->report = NULL;
}

char *crun_stderr(const struct crun *r)
{
    char path[4200];
    char *t;

    snprintf(path, sizeof path, "%s/err", r->dir);
    t = ck_slurp(path);
    return t != NULL ? t : strdup("");
}

const cJSON *crun_check(const struct crun *r, const char *name)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(r->report,
                                                           "checks")) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");

        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            return c;
    }
    return NULL;
}

const char *crun_get(const struct crun *r, const char *name,
                     const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(crun_check(r, name),
                                                      key);

    return cJSON_IsString(v) ? v->valuestring : "";
}

const char *crun_output(const struct crun *r, const char *name,
                        const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(crun_check(r, name), "outputs"),
        key);

    return cJSON_IsString(v) ? v->valuestring : "";
}

const cJSON *ck_task(const cJSON *state, const char *id)
{
    const cJSON *t;

    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(state, "tasks")) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "id");

        if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
            return t;
    }
    return NULL;
}

const cJSON *ck_task_named(const cJSON *state, const char *name)
{
    const cJSON *t;

    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(state, "tasks")) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "name");

        if (cJSON_IsString(v) && strcmp(v->valuestring, name) == 0)
            return t;
    }
    return NULL;
}

int ck_has(const cJSON *obj, const char *key, const char *value)
{
    const cJSON *v;

    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(obj, key)) {
        if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
            return 1;
    }
    return 0;
}

int ck_count(const cJSON *obj, const char *key)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(obj, key));
}

int ck_endpoint_count(const struct sbx *s, const char *endpoint)
{
    cJSON *log = sbx_log(s);
    const cJSON *e;
    int n = 0;

    cJSON_ArrayForEach(e, log) {
        const cJSON *ep = cJSON_GetObjectItemCaseSensitive(e, "endpoint");

        if (cJSON_IsString(ep) && strcmp(ep->valuestring, endpoint) == 0)
            n++;
    }
    cJSON_Delete(log);
    return n;
}

/* Whether a ClearML endpoint only reads. */
static int ck_is_read(const char *ep)
{
    static const char *const reads[] = {
        "auth.login", "server.info", "events.scalar_metrics_iter_histogram",
        "events.multi_task_scalar_metrics_iter_histogram",
        "events.get_task_log", "events.get_task_events", NULL
    };
    int i;

    if (strstr(ep, ".get_") != NULL)
        return 1;
    for (i = 0; reads[i] != NULL; i++) {
        if (strcmp(ep, reads[i]) == 0)
            return 1;
    }
    return 0;
}

int ck_write_count(const struct sbx *s)
{
    cJSON *log = sbx_log(s);
    const cJSON *e;
    int n = 0;

    cJSON_ArrayForEach(e, log) {
        const char *svc = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "service"));
        const char *ep = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "endpoint"));
        const char *method = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(e, "method"));

        if (svc == NULL || strcmp(svc, "sandbox") == 0)
            continue;
        if (strcmp(svc, "clearml") == 0) {
            if (ep == NULL || !ck_is_read(ep))
                n++;
        } else if (method == NULL || strcmp(method, "GET") != 0) {
            n++;
        }
    }
    cJSON_Delete(log);
    return n;
}

void ck_sbx_start(struct sbx *s, const char *scenario)
{
    char path[4200];
    size_t n = strlen(scenario);

    if (n > 5 && strcmp(scenario + n - 5, ".json") == 0) {
        snprintf(path, sizeof path, "%s/tests/data/scenarios/%s",
                 ck_env("MLG_SRCDIR"), scenario);
        scenario = path;
    }
    ck_assert_msg(sbx_start(s, scenario, NULL) == 0,
                  "sandbox did not start on %s", scenario);
    sbx_export_env(s);
}
