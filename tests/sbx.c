/*
 * sbx.c - test harness for mlgate-sandbox: runs the server as a child on
 * a private temp dir, waits for READY, and reads its state and log.
 */
#include <config.h>

#include "sbx.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cjson/cJSON.h>
#include <curl/curl.h>

#define SBX_READY_TIMEOUT_S 60
#define SBX_MAX_ARGS 64

static const char sbx_access_key[] = "SBXACCESSKEY00000001";
static const char sbx_secret_key[] =
    "sbx-secret-0123456789abcdefghijklmnopqrstuv";
static const char sbx_write_token[] = "ghs_sbxWriteToken0123456789abcdef";
static const char sbx_gitlab_token[] = "glpat-sbxGitlabToken0123456789";

/* Reads a whole file.  Caller frees; NULL when it cannot be read. */
static char *sbx_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        size_t got;

        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 65536;
            p = realloc(p, cap + 1);
            if (p == NULL)
                abort();
        }
        got = fread(p + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    p[n] = '\0';
    if (len != NULL)
        *len = n;
    return p;
}

/* The GitHub token the scenario marks "export": true (else the write
 * token) goes to dir/github_token for sbx_export_env. */
static void sbx_save_token(const struct sbx *s, const char *scenario_path)
{
    char path[4200];
    char *text = sbx_slurp(scenario_path, NULL);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    const cJSON *toks = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "github"), "tokens");
    const cJSON *t;
    const char *tok = sbx_write_token;
    FILE *f;

    cJSON_ArrayForEach(t, toks) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "token");

        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "export")) &&
            cJSON_IsString(v))
            tok = v->valuestring;
    }
    snprintf(path, sizeof(path), "%s/github_token", s->dir);
    f = fopen(path, "w");
    if (f != NULL) {
        fputs(tok, f);
        fclose(f);
    }
    cJSON_Delete(root);
    free(text);
}

static void sbx_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src);
}

/* Handles one stdout line of the sandbox.  Returns 1 on READY. */
static int sbx_line(struct sbx *s, const char *line)
{
    const char *eq = strchr(line, '=');

    if (strcmp(line, "READY") == 0)
        return 1;
    if (eq == NULL)
        return 0;
    if (strncmp(line, "CLEARML_API_HOST=", 17) == 0)
        sbx_copy(s->clearml_api, sizeof(s->clearml_api), eq + 1);
    else if (strncmp(line, "CLEARML_WEB_HOST=", 17) == 0)
        sbx_copy(s->clearml_web, sizeof(s->clearml_web), eq + 1);
    else if (strncmp(line, "GITHUB_API_URL=", 15) == 0)
        sbx_copy(s->github_api, sizeof(s->github_api), eq + 1);
    else if (strncmp(line, "CI_API_V4_URL=", 14) == 0)
        sbx_copy(s->gitlab_api, sizeof(s->gitlab_api), eq + 1);
    return 0;
}

/* Reads lines from fd until READY, EOF or the deadline.  0 on READY. */
static int sbx_wait_ready(struct sbx *s, int fd)
{
    char buf[8192];
    size_t n = 0;
    time_t deadline = time(NULL) + SBX_READY_TIMEOUT_S;

    for (;;) {
        struct pollfd pfd;
        ssize_t got;
        char *nl;
        int left = (int)(deadline - time(NULL));

        if (left <= 0) {
            fprintf(stderr, "sbx: sandbox not READY in %d s\n",
                    SBX_READY_TIMEOUT_S);
            return -1;
        }
        pfd.fd = fd;
        pfd.events = POLLIN;
        if (poll(&pfd, 1, left * 1000) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got = read(fd, buf + n, sizeof(buf) - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            fprintf(stderr, "sbx: sandbox exited before READY\n");
            return -1;
        }
        n += (size_t)got;
        buf[n] = '\0';
        for (nl = strchr(buf, '\n'); nl != NULL; nl = strchr(buf, '\n')) {
            *nl = '\0';
            if (sbx_line(s, buf))
                return 0;
            n -= (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, n + 1);
        }
        if (n >= sizeof(buf) - 1)
            n = 0;
    }
}

/* Removes dir and the files the harness and sandbox put in it. */
static void sbx_rmdir(const char *dir)
{
    static const char *const names[] = { "requests.jsonl", "github_token",
                                         NULL };
    char path[4200];
    int i;

    if (dir[0] == '\0')
        return;
    for (i = 0; names[i] != NULL; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

int sbx_start(struct sbx *s, const char *scenario, const char *const *extra)
{
    const char *builddir = getenv("MLG_BUILDDIR");
    const char *srcdir = getenv("MLG_SRCDIR");
    const char *tmp = getenv("TMPDIR");
    char exe[4200], scen[4200];
    const char *argv[SBX_MAX_ARGS];
    int argc = 0, pfd[2];
    pid_t pid;

    memset(s, 0, sizeof(*s));
    s->pid = -1;
    if (builddir == NULL)
        builddir = ".";
    if (srcdir == NULL)
        srcdir = builddir;
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    snprintf(exe, sizeof(exe), "%s/tests/sandbox/mlgate-sandbox", builddir);
    if (strchr(scenario, '/') != NULL ||
        (strlen(scenario) > 5 &&
         strcmp(scenario + strlen(scenario) - 5, ".json") == 0))
        snprintf(scen, sizeof(scen), "%s", scenario);
    else
        snprintf(scen, sizeof(scen), "%s/tests/sandbox/scenarios/%s.json",
                 srcdir, scenario);
    snprintf(s->dir, sizeof(s->dir), "%s/sbx.XXXXXX", tmp);
    if (mkdtemp(s->dir) == NULL) {
        fprintf(stderr, "sbx: mkdtemp %s: %s\n", s->dir, strerror(errno));
        s->dir[0] = '\0';
        return -1;
    }
    snprintf(s->log_path, sizeof(s->log_path), "%.4000s/requests.jsonl",
             s->dir);
    sbx_save_token(s, scen);

    argv[argc++] = exe;
    argv[argc++] = "--scenario";
    argv[argc++] = scen;
    argv[argc++] = "--listen";
    argv[argc++] = "127.0.0.1:0";
    argv[argc++] = "--log";
    argv[argc++] = s->log_path;
    while (extra != NULL && *extra != NULL && argc < SBX_MAX_ARGS - 1)
        argv[argc++] = *extra++;
    argv[argc] = NULL;

    if (pipe(pfd) != 0) {
        fprintf(stderr, "sbx: pipe: %s\n", strerror(errno));
        sbx_rmdir(s->dir);
        return -1;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "sbx: fork: %s\n", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        sbx_rmdir(s->dir);
        return -1;
    }
    if (pid == 0) {
#ifdef __linux__
        /* Never outlive the test that started us. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
        dup2(pfd[1], STDOUT_FILENO);
        close(pfd[0]);
        close(pfd[1]);
        execv(exe, (char *const *)argv);
        fprintf(stderr, "sbx: exec %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    close(pfd[1]);
    s->pid = pid;
    if (sbx_wait_ready(s, pfd[0]) != 0) {
        close(pfd[0]);
        sbx_stop(s);
        return -1;
    }
    close(pfd[0]);
    return 0;
}

void sbx_off_spec(struct sbx *s, const char *method, int status,
                  const char *path_part, const char *why)
{
    size_t n = strlen(s->off_spec);

    /* METHOD<TAB>STATUS<TAB>PATH-PART<TAB>WHY, one per line. */
    snprintf(s->off_spec + n, sizeof(s->off_spec) - n, "%s\t%d\t%s\t%s\n",
             method != NULL ? method : "*", status, path_part, why);
}

/* Leaves a copy of the request log in $MLG_SPEC_LOG_DIR (when set), for
 * tests/check_spec to replay against the real APIs' specifications. */
static void sbx_keep_log(const struct sbx *s)
{
    static unsigned serial;
    const char *dir = getenv("MLG_SPEC_LOG_DIR");
    char dst[4200], chunk[65536];
    FILE *in, *out;
    size_t n;

    if (dir == NULL || *dir == '\0' || s->log_path[0] == '\0')
        return;
    snprintf(dst, sizeof(dst), "%s/sbx.%ld.%u.offspec", dir, (long)getpid(),
             serial);
    if (s->off_spec[0] != '\0' && (out = fopen(dst, "w")) != NULL) {
        fputs(s->off_spec, out);
        fclose(out);
    }
    snprintf(dst, sizeof(dst), "%s/sbx.%ld.%u.jsonl", dir, (long)getpid(),
             serial++);
    in = fopen(s->log_path, "rb");
    if (in == NULL)
        return;
    out = fopen(dst, "wb");
    if (out != NULL) {
        while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
            fwrite(chunk, 1, n, out);
        if (fclose(out) != 0)
            fprintf(stderr, "sbx: %s: %s\n", dst, strerror(errno));
    }
    fclose(in);
}

void sbx_stop(struct sbx *s)
{
    if (s->pid > 0) {
        int st;

        kill(s->pid, SIGTERM);
        while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
            ;
        s->pid = -1;
        /* Flushed and closed by the sandbox at SIGTERM. */
        sbx_keep_log(s);
    }
    sbx_rmdir(s->dir);
    s->dir[0] = '\0';
}

void sbx_export_env(const struct sbx *s)
{
    char path[4200];
    char *tok;

    snprintf(path, sizeof(path), "%s/github_token", s->dir);
    tok = sbx_slurp(path, NULL);
    setenv("CLEARML_API_HOST", s->clearml_api, 1);
    setenv("CLEARML_WEB_HOST", s->clearml_web, 1);
    setenv("CLEARML_API_ACCESS_KEY", sbx_access_key, 1);
    setenv("CLEARML_API_SECRET_KEY", sbx_secret_key, 1);
    setenv("GITHUB_API_URL", s->github_api, 1);
    setenv("GITHUB_TOKEN", tok != NULL && tok[0] ? tok : sbx_write_token, 1);
    setenv("CI_API_V4_URL", s->gitlab_api, 1);
    setenv("GITLAB_TOKEN", sbx_gitlab_token, 1);
    free(tok);
}

/* Appends curl's received data to a heap string. */
static size_t sbx_write_cb(char *data, size_t size, size_t nmemb, void *ud)
{
    char **pp = ud;
    size_t old = *pp ? strlen(*pp) : 0, n = size * nmemb;
    char *p = realloc(*pp, old + n + 1);

    if (p == NULL)
        return 0;
    memcpy(p + old, data, n);
    p[old + n] = '\0';
    *pp = p;
    return n;
}

/* One request to the sandbox root (the URL before "/clearml").  Returns
 * the HTTP status or -1; *body (caller frees) gets the answer. */
static long sbx_request(const struct sbx *s, const char *path,
                        const char *post, char **body)
{
    char url[600];
    size_t baselen = strlen(s->clearml_api);
    CURL *c;
    long code = -1;
    struct curl_slist *hdr = NULL;

    *body = NULL;
    if (baselen >= 8 &&
        strcmp(s->clearml_api + baselen - 8, "/clearml") == 0)
        baselen -= 8;
    snprintf(url, sizeof(url), "%.*s%s", (int)baselen, s->clearml_api, path);
    c = curl_easy_init();
    if (c == NULL)
        return -1;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sbx_write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (post != NULL) {
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
    }
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    return code;
}

struct cJSON *sbx_state(const struct sbx *s)
{
    char *body;
    cJSON *j = NULL;

    if (sbx_request(s, "/__state", NULL, &body) == 200 && body != NULL)
        j = cJSON_Parse(body);
    free(body);
    return j;
}

int sbx_post(const struct sbx *s, const char *path, const char *json)
{
    char *body;
    long code = sbx_request(s, path, json, &body);

    free(body);
    return (int)code;
}

struct cJSON *sbx_log(const struct sbx *s)
{
    cJSON *arr = cJSON_CreateArray();
    char *text = sbx_slurp(s->log_path, NULL);
    char *line = text;

    while (line != NULL && *line != '\0') {
        char *nl = strchr(line, '\n');
        cJSON *o;

        if (nl != NULL)
            *nl = '\0';
        o = cJSON_Parse(line);
        if (o != NULL)
            cJSON_AddItemToArray(arr, o);
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    return arr;
}

int sbx_count(const struct sbx *s, const char *method, const char *path_part)
{
    cJSON *arr = sbx_log(s);
    const cJSON *o;
    int n = 0;

    cJSON_ArrayForEach(o, arr) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "method");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "path");

        if (!cJSON_IsString(m) || !cJSON_IsString(p))
            continue;
        if (method != NULL && strcmp(m->valuestring, method) != 0)
            continue;
        if (path_part != NULL && strstr(p->valuestring, path_part) == NULL)
            continue;
        n++;
    }
    cJSON_Delete(arr);
    return n;
}
