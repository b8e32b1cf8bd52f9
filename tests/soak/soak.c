/*
 * soak.c - the fault soak (issue 8): runs mlgate over and over against
 * fresh mlgate-sandbox instances with random faults on every endpoint it
 * uses, random check crashes and random SIGTERMs to the runner, and
 * checks after every run that nothing was lost: exit code, PR comment,
 * remote tasks, secrets and child processes.  Bounded by a run count and
 * a wall-clock limit; prints the counts and exits 1 on any violation.
 *
 * Usage: soak [--runs N] [--min-runs N] [--seconds S] [--jobs J]
 *             [--seed X] [--keep-going] [--sabotage keep|orphan]
 * Needs MLG_SRCDIR and MLG_BUILDDIR (as `make soak` sets them).
 */
#include <config.h>

#include "sbx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cjson/cJSON.h>

/* The fixture values of every sandbox scenario. */
#define SOAK_SHA "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345"
#define SOAK_MARKER "<!-- mlgate:mlgate -->"
#define SOAK_COMMENTS "acme/ml-repo#12"
/* b64url of {"alg":"HS256","typ":"JWT"}: the head of every token the
 * sandbox issues, so of every ClearML bearer token mlgate holds. */
#define SOAK_JWT_HEAD "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
/* A run that takes longer than this is a hang: a violation. */
#define SOAK_RUN_LIMIT_S 60.0

static const char *const soak_secrets[] = {
    "SBXACCESSKEY00000001",
    "sbx-secret-0123456789abcdefghijklmnopqrstuv",
    /* base64("SBXACCESSKEY00000001:sbx-secret-...") without padding
     * trouble: the first 40 characters are enough to recognise it. */
    "U0JYQUNDRVNTS0VZMDAwMDAwMDE6c2J4LXNlY3Jl",
    "ghs_sbxWriteToken0123456789abcdef",
    "ghs_sbxReadOnlyToken0123456789abc",
    "glpat-sbxGitlabToken0123456789",
    SOAK_JWT_HEAD,
    NULL
};

/* What can be injected: HTTP faults first (counted when the sandbox
 * served them), then the non-HTTP events. */
enum soak_kind {
    K_500, K_502, K_503, K_504, K_429_RA, K_429, K_DROP, K_DELAY,
    K_MALFORMED, K_HTML, K_EXPIRED, K_GH401, K_RL_PRIMARY, K_RL_SECONDARY,
    K_NHTTP,
    K_TOKEN_EXPIRY = K_NHTTP, K_SEGV, K_ABORT, K_EXIT, K_HANG, K_SIGTERM,
    K_AGENT_FAIL, K_AGENT_HANG,
    K_N
};

static const char *const soak_kind_names[K_N] = {
    "http 500", "http 502", "http 503", "http 504",
    "429 with Retry-After", "429 without Retry-After", "dropped connection",
    "slow response", "malformed body", "html body (not ClearML)",
    "expired ClearML token (401/30)", "GitHub 401 bad credentials",
    "GitHub primary rate limit", "GitHub secondary rate limit",
    "token expiring after N calls", "check SIGSEGV", "check abort()",
    "check exit without result", "check hang past deadline",
    "SIGTERM to the runner", "remote task fails", "remote task hangs"
};

struct soak_target {
    const char *service;
    const char *method;   /* NULL: any */
    const char *endpoint; /* ClearML service.action, or NULL */
    const char *path;     /* regex on the path, or NULL */
};

/* Every endpoint mlgate uses in these runs. */
static const struct soak_target soak_targets[] = {
    {"clearml", NULL, "auth.login", NULL},
    {"clearml", NULL, "projects.get_all", NULL},
    {"clearml", NULL, "tasks.get_all", NULL},
    {"clearml", NULL, "tasks.update_tags", NULL},
    {"clearml", NULL, "events.scalar_metrics_iter_histogram", NULL},
    {"clearml", NULL, "queues.get_all", NULL},
    {"clearml", NULL, "tasks.create", NULL},
    {"clearml", NULL, "tasks.enqueue", NULL},
    {"clearml", NULL, "tasks.stop", NULL},
    {"clearml", NULL, "tasks.stopped", NULL},
    {"clearml", NULL, "tasks.archive", NULL},
    {"clearml", NULL, "events.get_task_log", NULL},
    {"github", "GET", NULL, "/pulls/[0-9]+$"},
    {"github", "GET", NULL, "/issues/[0-9]+/comments"},
    {"github", "POST", NULL, "/issues/[0-9]+/comments"},
    {"github", "PATCH", NULL, "/issues/comments/[0-9]+"},
    {"github", "POST", NULL, "/statuses/"},
};
#define SOAK_NTARGETS (sizeof soak_targets / sizeof soak_targets[0])

/* One run's outcome, sent from a worker to the parent through a pipe
 * (small enough for an atomic write). */
struct soak_record {
    int run;
    int code;        /* mlgate's exit code, or 128 + signal */
    int violations;
    int injected[K_N];
};

struct soak_opts {
    int runs, min_runs, jobs, keep_going;
    /* Self-test of the invariants: break mlgate's promises on purpose
     * (remote tasks kept, a process left behind); violations expected. */
    const char *sabotage;
    double seconds;
    unsigned int seed;
    const char *srcdir, *builddir;
};

static struct soak_opts soak_o;
static int soak_chld_pipe[2] = {-1, -1};

static double soak_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void soak_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void soak_die(const char *fmt, ...)
{
    va_list ap;

    fputs("soak: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* Reads a whole file.  Caller frees; NULL (and *len 0) if unreadable. */
static char *soak_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t cap = 0, n = 0, got;

    if (len != NULL)
        *len = 0;
    if (f == NULL)
        return NULL;
    do {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 65536;
            p = realloc(p, cap + 1);
            if (p == NULL)
                abort();
        }
        got = fread(p + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    p[n] = '\0';
    if (len != NULL)
        *len = n;
    return p;
}

static void soak_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
        soak_die("cannot write %s: %s", path, strerror(errno));
}

/* Uniform in [0, n). */
static int soak_rand(unsigned int *seed, int n)
{
    return (int)((double)rand_r(seed) / ((double)RAND_MAX + 1.0) * n);
}

static int soak_chance(unsigned int *seed, int percent)
{
    return soak_rand(seed, 100) < percent;
}

/* --- one run's context ------------------------------------------------ */

struct soak_run {
    int index;
    unsigned int seed;
    char dir[PATH_MAX];
    struct sbx sbx;
    int injected[K_N];
    int fault_kind[16];     /* kind of each posted fault, in order */
    int nfaults;
    int prev_comment;       /* a previous mlgate comment exists */
    char *prev_body;
    char *initial_ids;      /* ids of the scenario's tasks, space-joined */
    int violations;
    char *out, *err, *json; /* mlgate's stdout, stderr, --json file */
    size_t out_len, err_len;
};

static void soak_violation(struct soak_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void soak_violation(struct soak_run *r, const char *fmt, ...)
{
    va_list ap;

    r->violations++;
    fprintf(stderr, "soak: run %d: VIOLATION: ", r->index);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " [kept in %s]\n", r->dir);
}

/* The scenario: happy.json plus, at random, a previous mlgate comment,
 * an expiring first token, and a failing or hanging agent. */
static void soak_scenario(struct soak_run *r, const cJSON *happy,
                          const char *path)
{
    cJSON *sc = cJSON_Duplicate(happy, 1);
    cJSON *cm = cJSON_GetObjectItemCaseSensitive(sc, "clearml");
    cJSON *q = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(cm, "queues"), 0);
    cJSON *agent = cJSON_GetObjectItemCaseSensitive(q, "agent");
    cJSON *t;
    char *text;
    size_t idlen = 0;

    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(cm, "tasks"))
        idlen += 34;
    r->initial_ids = calloc(1, idlen + 1);
    if (r->initial_ids == NULL)
        abort();
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(cm, "tasks")) {
        strcat(r->initial_ids, cJSON_GetObjectItemCaseSensitive(t, "id")
                                   ->valuestring);
        strcat(r->initial_ids, " ");
    }
    if (soak_chance(&r->seed, 50)) {
        cJSON *comments = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(sc, "github"),
                        "repos"), "acme/ml-repo"), "comments"), "12");
        cJSON *c = cJSON_CreateObject();
        char body[256];

        snprintf(body, sizeof body, "\xe2\x9c\x85 **mlgate: 3 passed**\n\n"
                 "report of an earlier run %d\n\n" SOAK_MARKER "\n",
                 r->index);
        cJSON_AddStringToObject(c, "body", body);
        cJSON_AddStringToObject(c, "user", "github-actions[bot]");
        cJSON_AddItemToArray(comments, c);
        r->prev_comment = 1;
        r->prev_body = strdup(body);
    }
    if (soak_chance(&r->seed, 20)) {
        cJSON_AddNumberToObject(cm, "expire_first_token_after_calls",
                                1 + soak_rand(&r->seed, 6));
        r->injected[K_TOKEN_EXPIRY]++;
    }
    switch (soak_rand(&r->seed, 10)) {
    case 0:
        cJSON_ReplaceItemInObjectCaseSensitive(
            agent, "outcome", cJSON_CreateString("failed"));
        cJSON_AddStringToObject(agent, "status_message",
                                "Traceback: ValueError: boom");
        cJSON_ReplaceItemInObjectCaseSensitive(
            agent, "iterations", cJSON_CreateNumber(0));
        r->injected[K_AGENT_FAIL]++;
        break;
    case 1:
        cJSON_ReplaceItemInObjectCaseSensitive(
            agent, "outcome", cJSON_CreateString("hang"));
        cJSON_ReplaceItemInObjectCaseSensitive(
            agent, "iterations", cJSON_CreateNumber(0));
        r->injected[K_AGENT_HANG]++;
        break;
    default:
        break;
    }
    text = cJSON_Print(sc);
    soak_write_file(path, text);
    free(text);
    cJSON_Delete(sc);
}

/* One random fault as JSON; records its kind.  Caller cJSON_Delete()s. */
static cJSON *soak_fault(struct soak_run *r)
{
    const struct soak_target *t =
        &soak_targets[soak_rand(&r->seed, (int)SOAK_NTARGETS)];
    int github = strcmp(t->service, "github") == 0;
    int login = t->endpoint && strcmp(t->endpoint, "auth.login") == 0;
    cJSON *f = cJSON_CreateObject(), *m = cJSON_AddObjectToObject(f,
                                                                  "match");
    int kind, count = 1 + soak_rand(&r->seed, 2);

    cJSON_AddStringToObject(m, "service", t->service);
    if (t->method)
        cJSON_AddStringToObject(m, "method", t->method);
    if (t->endpoint)
        cJSON_AddStringToObject(m, "endpoint", t->endpoint);
    if (t->path)
        cJSON_AddStringToObject(m, "path", t->path);
    cJSON_AddNumberToObject(f, "nth", 1 + soak_rand(&r->seed, 3));
    do {
        kind = soak_rand(&r->seed, K_NHTTP);
        /* Kinds that only make sense on one side; a 401 on auth.login
         * is a wrong key, not an expired token. */
    } while ((github && (kind == K_EXPIRED || kind == K_HTML)) ||
             (!github && (kind == K_GH401 || kind == K_RL_PRIMARY ||
                          kind == K_RL_SECONDARY)) ||
             (login && kind == K_EXPIRED));
    switch (kind) {
    case K_500: case K_502: case K_503: case K_504: {
        static const int codes[] = {500, 502, 503, 504};

        cJSON_AddNumberToObject(f, "status", codes[kind - K_500]);
        break;
    }
    case K_429_RA:
        cJSON_AddNumberToObject(f, "status", 429);
        cJSON_AddNumberToObject(f, "retry_after", 1);
        break;
    case K_429:
        cJSON_AddNumberToObject(f, "status", 429);
        break;
    case K_DROP:
        /* libcurl retries a dropped reused connection once by itself. */
        count++;
        cJSON_AddTrueToObject(f, "drop");
        break;
    case K_DELAY:
        cJSON_AddNumberToObject(f, "delay_ms", 100 + soak_rand(&r->seed,
                                                               500));
        break;
    case K_MALFORMED:
        cJSON_AddTrueToObject(f, "malformed");
        break;
    case K_HTML:
        cJSON_AddTrueToObject(f, "html");
        break;
    case K_EXPIRED:
        cJSON_AddNumberToObject(f, "status", 401);
        cJSON_AddNumberToObject(f, "subcode", 30);
        cJSON_AddStringToObject(f, "msg", "Invalid token (invalid jwt "
                                "token): reason=Signature has expired");
        break;
    case K_GH401: {
        cJSON *b = cJSON_AddObjectToObject(f, "body");

        cJSON_AddNumberToObject(f, "status", 401);
        cJSON_AddStringToObject(b, "message", "Bad credentials");
        cJSON_AddStringToObject(b, "documentation_url",
                                "https://docs.github.com/rest");
        break;
    }
    case K_RL_PRIMARY:
        cJSON_AddStringToObject(f, "rate_limit", "primary");
        cJSON_AddNumberToObject(f, "reset_in", 1);
        break;
    default:
        cJSON_AddStringToObject(f, "rate_limit", "secondary");
        cJSON_AddNumberToObject(f, "retry_after", 1);
        break;
    }
    cJSON_AddNumberToObject(f, "count", count);
    r->fault_kind[r->nfaults++] = kind;
    return f;
}

/* The conf: the three checks with short bounds, and sometimes a check
 * that crashes, exits silently or hangs. */
static void soak_conf(struct soak_run *r, const char *path)
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        soak_die("cannot write %s: %s", path, strerror(errno));
    fprintf(f,
            "[clearml]\nproject = Github CICD Video\n"
            "task-name = cicd_test\n\n"
            "[report]\ncomment = update\nstatus = on\n\n"
            "[run]\ngrace = 1s\n\n"
            "[check stats]\nplugin = stats-comment\ntag = main_branch\n\n"
            "[check compare]\nplugin = compare\n"
            "metric = Performance Metric / Series 1\ngoal = max\n"
            "best-tag = Best Performance\n\n"
            "[check remote]\nplugin = remote-run\nqueue = default\n"
            "script = task.py\npoll = 0.1s\nqueue-timeout = 3s\n"
            "timeout = 2s\n");
    if (soak_o.sabotage != NULL && strcmp(soak_o.sabotage, "keep") == 0)
        fprintf(f, "keep = yes\n");
    if (soak_o.sabotage != NULL && strcmp(soak_o.sabotage, "orphan") == 0)
        fprintf(f, "\n[check flaky]\nplugin = %s/tests/soak/.libs/flaky.so"
                "\nmode = orphan\n", soak_o.builddir);
    else if (soak_chance(&r->seed, 35)) {
        static const char *const modes[] = {"segv", "abort", "exit",
                                            "hang", "pass", "fail"};
        static const int kinds[] = {K_SEGV, K_ABORT, K_EXIT, K_HANG, -1,
                                    -1};
        /* Hangs cost a deadline each: rarer than the rest. */
        int m = soak_rand(&r->seed, 12);

        m = m < 3 ? 0 : m < 6 ? 1 : m < 8 ? 2 : m < 9 ? 3 : m < 11 ? 4 : 5;
        if (kinds[m] >= 0)
            r->injected[kinds[m]]++;
        fprintf(f, "\n[check flaky]\nplugin = %s/tests/soak/.libs/flaky.so\n"
                "mode = %s\nafter = %.2f\ntimeout = 2s\n",
                soak_o.builddir, modes[m], soak_rand(&r->seed, 50) / 100.0);
    }
    if (fclose(f) != 0)
        soak_die("cannot write %s: %s", path, strerror(errno));
}

/* --- running mlgate --------------------------------------------------- */

static void soak_on_chld(int sig)
{
    int e = errno;

    (void)sig;
    if (soak_chld_pipe[1] >= 0 && write(soak_chld_pipe[1], "c", 1) < 0) {
        /* Full pipe: a wake-up is already pending. */
    }
    errno = e;
}

static void soak_drain(int fd)
{
    char b[256];

    while (read(fd, b, sizeof b) > 0)
        continue;
}

/* Appends what fd has now to *buf; returns 0 on EOF. */
static int soak_read_some(int fd, char **buf, size_t *len, size_t *cap)
{
    for (;;) {
        ssize_t got;

        if (*cap - *len < 4097) {
            *cap = *cap ? *cap * 2 : 65536;
            *buf = realloc(*buf, *cap);
            if (*buf == NULL)
                abort();
        }
        got = read(fd, *buf + *len, *cap - *len - 1);
        if (got > 0) {
            *len += (size_t)got;
            (*buf)[*len] = '\0';
            continue;
        }
        if (got == 0)
            return 0;
        return errno == EAGAIN || errno == EINTR ? 1 : 0;
    }
}

/* Processes whose parent is `ppid` (from /proc), except `skip`.
 * Writes up to cap pids into out; returns how many there are. */
static int soak_children(pid_t ppid, pid_t skip, pid_t *out, int cap)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[300], *text, *rp;
        long pid = strtol(e->d_name, &rp, 10);
        int pp = 0;

        if (*rp != '\0' || pid <= 0 || (pid_t)pid == skip)
            continue;
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        text = soak_slurp(path, NULL);
        /* "pid (comm) state ppid ...": comm may hold spaces. */
        rp = text ? strrchr(text, ')') : NULL;
        if (rp != NULL && sscanf(rp + 1, " %*c %d", &pp) == 1 &&
            (pid_t)pp == ppid) {
            if (n < cap)
                out[n] = (pid_t)pid;
            n++;
        }
        free(text);
    }
    closedir(d);
    return n;
}

/* Runs mlgate once; returns its wait status (or -1 when it had to be
 * killed as hung).  Fills r->out, r->err, r->json. */
static int soak_mlgate(struct soak_run *r, const char *conf, int term)
{
    char outp[PATH_MAX + 16], jsonp[PATH_MAX + 16], bin[PATH_MAX],
        plugins[PATH_MAX];
    int errp[2], status = 0, reaped = 0, eof = 0, hung = 0;
    pid_t pid;
    size_t cap = 0;
    double start = soak_now(), term_at = -1;

    snprintf(outp, sizeof outp, "%s/stdout", r->dir);
    snprintf(jsonp, sizeof jsonp, "%s/report.json", r->dir);
    snprintf(bin, sizeof bin, "%s/mlgate", soak_o.builddir);
    snprintf(plugins, sizeof plugins, "%s/plugins/.libs", soak_o.builddir);
    if (pipe(errp) != 0)
        soak_die("pipe: %s", strerror(errno));
    pid = fork();
    if (pid < 0)
        soak_die("fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        char home[PATH_MAX + 8];

        /* Its own group: "no child left" is "the group is empty". */
        setpgid(0, 0);
        signal(SIGCHLD, SIG_DFL);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(errp[1], 2) < 0)
            _exit(127);
        close(fd);
        close(errp[0]);
        close(errp[1]);
        close(soak_chld_pipe[0]);
        close(soak_chld_pipe[1]);
        snprintf(home, sizeof home, "%s/home", r->dir);
        mkdir(home, 0700);
        setenv("HOME", home, 1);
        setenv("MLGATE_HTTP_BACKOFF", "0.01", 1);
        setenv("NO_COLOR", "1", 1);
        unsetenv("GITHUB_ACTIONS");
        unsetenv("GITHUB_EVENT_PATH");
        unsetenv("GITLAB_CI");
        unsetenv("CLEARML_CONFIG_FILE");
        execl(bin, bin, "-c", conf, "--plugin-dir", plugins, "-vv",
              "--repo", "acme/ml-repo", "--pr", "12", "--branch",
              "feature-x", "--sha", SOAK_SHA, "--format", "markdown",
              "--json", jsonp, (char *)NULL);
        _exit(127);
    }
    /* Both sides: no race between setpgid and our kill(-pid). */
    setpgid(pid, pid);
    close(errp[1]);
    fcntl(errp[0], F_SETFL, O_NONBLOCK);
    r->err = NULL;
    r->err_len = 0;
    while (!reaped || !eof) {
        struct pollfd p[2];
        double now = soak_now();
        int timeout = 1000;

        if (!eof && soak_read_some(errp[0], &r->err, &r->err_len, &cap)
            == 0)
            eof = 1;
        /* SIGTERM once the checks run: before that the runner has not
         * taken over the signal yet (a cancelled CI job kills a process
         * that has not started the same way). */
        if (term && term_at < 0 && r->err != NULL &&
            strstr(r->err, "started (pid") != NULL)
            term_at = now + soak_rand(&r->seed, 1500) / 1000.0;
        if (term_at > 0 && now >= term_at && !reaped) {
            kill(pid, SIGTERM);
            term_at = 0;
            r->injected[K_SIGTERM]++;
        }
        if (!reaped) {
            pid_t w = waitpid(pid, &status, WNOHANG);

            if (w == pid)
                reaped = 1;
        }
        if (reaped) {
            /* Whatever still holds stderr open is a leftover child; the
             * group check below names it.  Take what is there. */
            soak_read_some(errp[0], &r->err, &r->err_len, &cap);
            break;
        }
        if (now - start > SOAK_RUN_LIMIT_S) {
            hung = 1;
            soak_violation(r, "mlgate still running after %.0f s",
                           SOAK_RUN_LIMIT_S);
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            reaped = 1;
            break;
        }
        if (term_at > 0) {
            int ms = (int)((term_at - now) * 1000) + 1;

            if (ms < timeout)
                timeout = ms;
        }
        p[0].fd = errp[0];
        p[0].events = POLLIN;
        p[1].fd = soak_chld_pipe[0];
        p[1].events = POLLIN;
        if (poll(eof ? p + 1 : p, eof ? 1 : 2, timeout) > 0 &&
            (p[1].revents & POLLIN))
            soak_drain(soak_chld_pipe[0]);
    }
    close(errp[0]);
    if (r->err == NULL)
        r->err = calloc(1, 1);
    r->out = soak_slurp(outp, &r->out_len);
    r->json = soak_slurp(jsonp, NULL);
    /* No child process left: the group is empty, and nothing was
     * reparented to us (we are a subreaper) but the sandbox. */
    if (kill(-pid, 0) == 0 || errno != ESRCH) {
        soak_violation(r, "processes of mlgate's group %ld still exist "
                       "after it exited", (long)pid);
        kill(-pid, SIGKILL);
    }
    {
        pid_t left[16];
        int i, n = soak_children(getpid(), r->sbx.pid, left, 16);

        for (i = 0; i < n && i < 16; i++) {
            soak_violation(r, "process %ld outlived mlgate", (long)left[i]);
            kill(left[i], SIGKILL);
            waitpid(left[i], NULL, 0);
        }
    }
    return hung ? -1 : status;
}

/* --- invariants ------------------------------------------------------- */

static const char *soak_find_secret(const char *text, size_t len)
{
    const char *const *s;

    if (text == NULL)
        return NULL;
    for (s = soak_secrets; *s; s++) {
        size_t n = strlen(*s), i;

        for (i = 0; i + n <= len; i++)
            if (text[i] == (*s)[0] && memcmp(text + i, *s, n) == 0)
                return *s;
    }
    return NULL;
}

static void soak_no_secret(struct soak_run *r, const char *what,
                           const char *text, size_t len)
{
    const char *s = soak_find_secret(text, len);

    if (s != NULL)
        soak_violation(r, "a secret (%.6s...) appears in %s", s, what);
}

static int soak_count(const char *hay, const char *needle)
{
    int n = 0;
    size_t l = strlen(needle);

    while (hay != NULL && (hay = strstr(hay, needle)) != NULL) {
        n++;
        hay += l;
    }
    return n;
}

/* Exit status: 0/1/2 and what the report says. */
static int soak_check_exit(struct soak_run *r, int status)
{
    static const char *const words[] = {"pass", "skip", "warn", "error",
                                        "fail"};
    static const int rank[] = {0, 0, 1, 2, 3};
    static const int codes[] = {0, 0, 2, 1};
    cJSON *j, *c;
    int code, worst = 0, n = 0;
    const cJSON *st;

    if (status == -1)
        return 128 + SIGKILL;
    if (!WIFEXITED(status)) {
        soak_violation(r, "mlgate died of signal %d", WTERMSIG(status));
        return 128 + WTERMSIG(status);
    }
    code = WEXITSTATUS(status);
    if (code != 0 && code != 1 && code != 2) {
        soak_violation(r, "exit code %d (want 0, 1 or 2)", code);
        return code;
    }
    j = r->json ? cJSON_Parse(r->json) : NULL;
    if (j == NULL) {
        soak_violation(r, "exit %d but no readable --json report", code);
        return code;
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "checks")) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(c, "status");
        size_t i;

        for (i = 0; i < 5; i++)
            if (cJSON_IsString(s) && strcmp(s->valuestring, words[i]) == 0
                && rank[i] > worst)
                worst = rank[i];
        n++;
    }
    st = cJSON_GetObjectItemCaseSensitive(j, "status");
    if (n < 3)
        soak_violation(r, "the report lists %d checks (want >= 3)", n);
    if (codes[worst] != code)
        soak_violation(r, "exit %d but the checks' worst status says %d",
                       code, codes[worst]);
    if (!cJSON_IsString(st) ||
        strcmp(st->valuestring, words[worst == 0 ? 0 : worst + 1]) != 0)
        soak_violation(r, "report status \"%s\" does not match the checks",
                       cJSON_IsString(st) ? st->valuestring : "?");
    cJSON_Delete(j);
    return code;
}

/* A comment written by this run: the whole report (headline of this run,
 * balanced <details>, the head SHA, the marker once, at the end). */
static int soak_complete(const struct soak_run *r, const char *body,
                         const char **why)
{
    const char *nl = r->out ? strchr(r->out, '\n') : NULL;
    size_t hl = nl ? (size_t)(nl - r->out) : 0, bl = strlen(body);

    if (nl == NULL || strncmp(body, r->out, hl) != 0 || body[hl] != '\n')
        *why = "its headline is not this run's";
    else if (soak_count(body, SOAK_MARKER) != 1)
        *why = "the marker is not there exactly once";
    else if (soak_count(body, "<details") !=
             soak_count(body, "</details>"))
        *why = "unbalanced <details>";
    else if (strstr(body, "head <code>3f9a1c2</code>") == NULL)
        *why = "no head SHA footer";
    else if (bl < strlen(SOAK_MARKER) + 1 ||
             strstr(body + bl - strlen(SOAK_MARKER) - 2, SOAK_MARKER)
             == NULL)
        *why = "it does not end with the marker";
    else if (bl > 65536)
        *why = "longer than 65,536 bytes";
    else
        return 1;
    return 0;
}

static void soak_check_state(struct soak_run *r)
{
    cJSON *st = sbx_state(&r->sbx), *c, *t, *f;
    const cJSON *comments, *statuses;
    int marked = 0, i = 0;

    if (st == NULL) {
        soak_violation(r, "no sandbox state");
        return;
    }
    comments = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(st, "github"), "comments"),
        SOAK_COMMENTS);
    cJSON_ArrayForEach(c, comments) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(c, "body");
        const char *body = cJSON_IsString(b) ? b->valuestring : "";
        const char *why = NULL;

        soak_no_secret(r, "a PR comment", body, strlen(body));
        if (strstr(body, "mlgate:mlgate") == NULL)
            continue;
        marked++;
        if (r->prev_body != NULL && strcmp(body, r->prev_body) == 0)
            continue;
        if (!soak_complete(r, body, &why))
            soak_violation(r, "the mlgate comment is neither the previous "
                           "one nor a complete new one: %s", why);
    }
    if (marked > 1)
        soak_violation(r, "%d mlgate comments on the PR", marked);
    if (r->prev_comment && marked == 0)
        soak_violation(r, "the previous mlgate comment is gone");
    statuses = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(st, "github"), "statuses");
    cJSON_ArrayForEach(c, statuses) {
        char *s = cJSON_PrintUnformatted(c);

        soak_no_secret(r, "a commit status", s, strlen(s));
        free(s);
    }
    /* Remote tasks: every one mlgate created is stopped and archived. */
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(st, "tasks")) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "id");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(t, "status");
        const cJSON *tag;
        int archived = 0;

        if (!cJSON_IsString(id) || strstr(r->initial_ids, id->valuestring))
            continue;
        cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(
                                    t, "system_tags"))
            if (cJSON_IsString(tag) &&
                strcmp(tag->valuestring, "archived") == 0)
                archived = 1;
        if (!cJSON_IsString(s) ||
            (strcmp(s->valuestring, "stopped") != 0 &&
             strcmp(s->valuestring, "completed") != 0 &&
             strcmp(s->valuestring, "failed") != 0) || !archived)
            soak_violation(r, "remote task %s left %s%s", id->valuestring,
                           cJSON_IsString(s) ? s->valuestring : "?",
                           archived ? "" : ", not archived");
    }
    /* Count the faults the sandbox really served. */
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(st, "faults")) {
        int nth = 1, count = 1, seen = 0, hit;
        const cJSON *v;

        if (i >= r->nfaults)
            break;
        if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(f, "nth")))
            nth = v->valueint;
        if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(f,
                                                                "count")))
            count = v->valueint;
        if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(f, "seen")))
            seen = v->valueint;
        hit = seen - nth + 1;
        if (hit > count && count > 0)
            hit = count;
        if (hit > 0)
            r->injected[r->fault_kind[i]] += hit;
        i++;
    }
    cJSON_Delete(st);
}

/* One run from start to end; returns its record. */
static void soak_one(int index, const cJSON *happy, const char *base,
                     struct soak_record *rec)
{
    struct soak_run r;
    char scen[PATH_MAX + 32], conf[PATH_MAX + 32];
    int status, nf, i;
    cJSON *faults;
    char *ftext;

    memset(&r, 0, sizeof r);
    r.index = index;
    r.seed = soak_o.seed * 7919u + (unsigned int)index;
    snprintf(r.dir, sizeof r.dir, "%s/run%04d", base, index);
    if (mkdir(r.dir, 0700) != 0)
        soak_die("mkdir %s: %s", r.dir, strerror(errno));
    snprintf(scen, sizeof scen, "%s/scenario.json", r.dir);
    snprintf(conf, sizeof conf, "%s/mlgate.conf", r.dir);
    soak_scenario(&r, happy, scen);
    soak_conf(&r, conf);
    if (sbx_start(&r.sbx, scen, NULL) != 0)
        soak_die("run %d: cannot start the sandbox", index);
    sbx_export_env(&r.sbx);
    faults = cJSON_CreateArray();
    nf = soak_rand(&r.seed, 5);
    for (i = 0; i < nf; i++)
        cJSON_AddItemToArray(faults, soak_fault(&r));
    ftext = cJSON_PrintUnformatted(faults);
    if (nf > 0 && sbx_post(&r.sbx, "/__fault", ftext) != 200)
        soak_die("run %d: the sandbox refused faults %s", index, ftext);
    snprintf(conf, sizeof conf, "%s/faults.json", r.dir);
    soak_write_file(conf, ftext); /* what was injected, for a replay */
    snprintf(conf, sizeof conf, "%s/mlgate.conf", r.dir);
    free(ftext);
    cJSON_Delete(faults);

    status = soak_mlgate(&r, conf, soak_chance(&r.seed, 15));
    rec->code = soak_check_exit(&r, status);
    soak_no_secret(&r, "stdout", r.out, r.out_len);
    soak_no_secret(&r, "stderr", r.err, r.err_len);
    soak_no_secret(&r, "the --json file", r.json,
                   r.json ? strlen(r.json) : 0);
    soak_check_state(&r);
    sbx_stop(&r.sbx);
    if (r.violations == 0) {
        char path[PATH_MAX + 32];
        static const char *const files[] = {"stdout", "report.json",
                                            "scenario.json", "mlgate.conf",
                                            "faults.json", NULL};
        const char *const *fp;

        for (fp = files; *fp; fp++) {
            snprintf(path, sizeof path, "%s/%s", r.dir, *fp);
            unlink(path);
        }
        snprintf(path, sizeof path, "%s/home", r.dir);
        rmdir(path);
        rmdir(r.dir);
    } else {
        snprintf(scen, sizeof scen, "%s/stderr", r.dir);
        soak_write_file(scen, r.err);
    }
    rec->run = index;
    rec->violations = r.violations;
    memcpy(rec->injected, r.injected, sizeof rec->injected);
    free(r.out);
    free(r.err);
    free(r.json);
    free(r.prev_body);
    free(r.initial_ids);
}

/* A worker: runs index w, w + jobs, ... until the count or the time is
 * up, sending one record per run. */
static void soak_worker(int w, int fd, const cJSON *happy, const char *base,
                        double deadline)
{
    int index;
    struct sigaction sa;

#ifdef __linux__
    /* Orphans of mlgate come to us, so we can see them. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    if (pipe(soak_chld_pipe) != 0)
        soak_die("pipe: %s", strerror(errno));
    fcntl(soak_chld_pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(soak_chld_pipe[1], F_SETFL, O_NONBLOCK);
    fcntl(soak_chld_pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(soak_chld_pipe[1], F_SETFD, FD_CLOEXEC);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = soak_on_chld;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    for (index = w; index < soak_o.runs && soak_now() < deadline;
         index += soak_o.jobs) {
        struct soak_record rec;

        memset(&rec, 0, sizeof rec);
        soak_one(index, happy, base, &rec);
        if (write(fd, &rec, sizeof rec) != (ssize_t)sizeof rec)
            soak_die("cannot report run %d", index);
        if (rec.violations > 0 && !soak_o.keep_going)
            break;
    }
    /* Every sandbox was stopped and reaped, every leftover killed. */
    if (soak_children(getpid(), 0, NULL, 0) > 0) {
        fprintf(stderr, "soak: worker %d: VIOLATION: children left at the "
                "end\n", w);
        _exit(1);
    }
    _exit(0);
}

static void soak_usage(void)
{
    fprintf(stderr, "usage: soak [--runs N] [--min-runs N] [--seconds S] "
            "[--jobs J] [--seed X] [--keep-going]\n"
            "            [--sabotage keep|orphan]\n");
    exit(64);
}

static void soak_args(int argc, char **argv)
{
    int i;

    soak_o.runs = 240;
    soak_o.min_runs = 200;
    soak_o.seconds = 90;
    soak_o.jobs = 4;
    soak_o.seed = (unsigned int)time(NULL);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--keep-going") == 0) {
            soak_o.keep_going = 1;
            continue;
        }
        if (v == NULL)
            soak_usage();
        i++;
        if (strcmp(a, "--runs") == 0)
            soak_o.runs = atoi(v);
        else if (strcmp(a, "--min-runs") == 0)
            soak_o.min_runs = atoi(v);
        else if (strcmp(a, "--seconds") == 0)
            soak_o.seconds = atof(v);
        else if (strcmp(a, "--jobs") == 0)
            soak_o.jobs = atoi(v);
        else if (strcmp(a, "--sabotage") == 0)
            soak_o.sabotage = v;
        else if (strcmp(a, "--seed") == 0)
            soak_o.seed = (unsigned int)strtoul(v, NULL, 10);
        else
            soak_usage();
    }
    if (soak_o.runs < 1 || soak_o.jobs < 1 || soak_o.jobs > 32 ||
        soak_o.seconds <= 0 || soak_o.min_runs < 0)
        soak_usage();
    soak_o.srcdir = getenv("MLG_SRCDIR");
    soak_o.builddir = getenv("MLG_BUILDDIR");
    if (soak_o.srcdir == NULL || soak_o.builddir == NULL)
        soak_die("MLG_SRCDIR and MLG_BUILDDIR must be set");
}

int main(int argc, char **argv)
{
    char base[] = "/tmp/mlgate-soak.XXXXXX", path[PATH_MAX];
    char *text;
    cJSON *happy;
    int fds[2], w, runs = 0, violations = 0, codes[4] = {0, 0, 0, 0};
    long injected[K_N];
    double start = soak_now(), deadline;
    pid_t workers[32];
    struct soak_record rec;
    ssize_t got;

    soak_args(argc, argv);
    deadline = start + soak_o.seconds;
    memset(injected, 0, sizeof injected);
    snprintf(path, sizeof path, "%s/tests/sandbox/scenarios/happy.json",
             soak_o.srcdir);
    text = soak_slurp(path, NULL);
    happy = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (happy == NULL)
        soak_die("cannot read %s", path);
    if (mkdtemp(base) == NULL)
        soak_die("mkdtemp: %s", strerror(errno));
    if (pipe(fds) != 0)
        soak_die("pipe: %s", strerror(errno));
    printf("soak: seed %u, up to %d runs in %.0f s, %d at a time\n",
           soak_o.seed, soak_o.runs, soak_o.seconds, soak_o.jobs);
    fflush(stdout);
    for (w = 0; w < soak_o.jobs; w++) {
        workers[w] = fork();
        if (workers[w] < 0)
            soak_die("fork: %s", strerror(errno));
        if (workers[w] == 0) {
            close(fds[0]);
            soak_worker(w, fds[1], happy, base, deadline);
        }
    }
    close(fds[1]);
    while ((got = read(fds[0], &rec, sizeof rec)) == (ssize_t)sizeof rec) {
        runs++;
        violations += rec.violations;
        if (rec.code >= 0 && rec.code <= 2)
            codes[rec.code]++;
        else
            codes[3]++;
        for (w = 0; w < K_N; w++)
            injected[w] += rec.injected[w];
        if (runs % 50 == 0) {
            printf("soak: %d runs, %d violations, %.0f s\n", runs,
                   violations, soak_now() - start);
            fflush(stdout);
        }
    }
    for (w = 0; w < soak_o.jobs; w++) {
        int st;

        if (waitpid(workers[w], &st, 0) == workers[w] &&
            (!WIFEXITED(st) || WEXITSTATUS(st) != 0)) {
            fprintf(stderr, "soak: worker %d failed\n", w);
            violations++;
        }
    }
    cJSON_Delete(happy);
    printf("runs: %d in %.1f s (exit 0: %d, 1: %d, 2: %d, other: %d)\n",
           runs, soak_now() - start, codes[0], codes[1], codes[2],
           codes[3]);
    printf("faults injected by kind:\n");
    {
        long total = 0;

        for (w = 0; w < K_N; w++) {
            printf("  %-32s %ld\n", soak_kind_names[w], injected[w]);
            total += injected[w];
        }
        printf("  %-32s %ld\n", "total", total);
    }
    printf("violations: %d\n", violations);
    if (violations == 0)
        rmdir(base);
    else
        printf("soak: failed runs are kept in %s\n", base);
    if (runs < soak_o.min_runs) {
        printf("soak: only %d runs (want at least %d)\n", runs,
               soak_o.min_runs);
        return 1;
    }
    return violations == 0 ? 0 : 1;
}
