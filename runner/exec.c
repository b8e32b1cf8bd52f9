/*
 * exec.c - runs each check in a forked child with a deadline, reads the
 * results from pipes concurrently, and turns crashes, hangs, silent exits
 * and runner cancellation into ERROR results for the check concerned.
 */
#include <config.h>

#include "exec.h"

#include "http.h"
#include "log.h"
#include "reaper.h"
#include "relay.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#ifdef HAVE_GCOV_DUMP
void __gcov_dump(void);
#endif
#include <unistd.h>

#define EXEC_DEFAULT_TIMEOUT 600.0
#define EXEC_DEFAULT_GRACE 10.0

enum exec_state { SLOT_WAITING = 0, SLOT_RUNNING = 1, SLOT_DONE = 2 };

struct exec_slot {
    int state;
    pid_t pid;
    int fd;             /* read end, -1 once closed */
    struct buf data;
    int reaped;
    int wstatus;
    int timed_out;
    int cancelled;
    int oversize;
    int killed;         /* SIGKILL sent */
    int late;           /* stopped or never started: the run deadline */
    double start;
    double deadline;
    double kill_at;     /* SIGKILL time after SIGTERM, 0 = none */
    double end;
    struct relay out;   /* the check's stdout, logged to stderr */
};

/* The child's exit status when the plugin closed the result pipe. */
#define EXEC_EXIT_PIPE_CLOSED 125

/* The parent's self-pipe: SIGCHLD wakes poll, SIGINT/SIGTERM/SIGHUP
 * cancel (and interrupt HTTP transfers under way). */
static int exec_pipe[2] = {-1, -1};
static volatile sig_atomic_t exec_cancel_flag;
/* Handlers installed for good by exec_catch_signals(). */
static int exec_caught;

static void exec_on_signal(int sig)
{
    int saved = errno;
    ssize_t w = 0;

    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
        exec_cancel_flag = 1;
        http_interrupt();
    }
    if (exec_pipe[1] >= 0)
        w = write(exec_pipe[1], "x", 1);
    (void)w;
    errno = saved;
}

const char *exec_signal_name(int sig)
{
    static const struct { int sig; const char *name; } names[] = {
        {SIGHUP, "SIGHUP"}, {SIGINT, "SIGINT"}, {SIGQUIT, "SIGQUIT"},
        {SIGILL, "SIGILL"}, {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"},
        {SIGBUS, "SIGBUS"}, {SIGFPE, "SIGFPE"}, {SIGKILL, "SIGKILL"},
        {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
        {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"},
        {SIGCHLD, "SIGCHLD"}, {SIGCONT, "SIGCONT"}, {SIGSTOP, "SIGSTOP"},
        {SIGTSTP, "SIGTSTP"}, {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"},
        {SIGSYS, "SIGSYS"}
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].sig == sig)
            return names[i].name;
    return "signal";
}

char *exec_fmt_duration(double s)
{
    long long t, h, m, sec;
    struct buf b = {0};

    if (s < 0)
        s = 0;
    if (fabs(s - floor(s + 0.5)) > 1e-6 || s < 1)
        return xasprintf("%gs", s);
    t = (long long)floor(s + 0.5);
    h = t / 3600;
    m = (t % 3600) / 60;
    sec = t % 60;
    if (h > 0)
        buf_printf(&b, "%lldh", h);
    if (m > 0)
        buf_printf(&b, "%lldm", m);
    if (sec > 0 || b.len == 0)
        buf_printf(&b, "%llds", sec);
    return buf_take(&b);
}

static double exec_conf_duration(const char *v, double def)
{
    double d;

    return v != NULL && conf_parse_duration(v, &d) == 0 ? d : def;
}

double exec_grace(const struct conf *c)
{
    return exec_conf_duration(conf_get(conf_find(c, "run"), "grace"),
                              EXEC_DEFAULT_GRACE);
}

double exec_hard_timeout(const struct conf *c,
                         const struct conf_section *sec,
                         const struct mlg_plugin *d)
{
    double run_timeout = exec_conf_duration(
        conf_get(conf_find(c, "run"), "timeout"), EXEC_DEFAULT_TIMEOUT);
    const struct mlg_option *o;
    double sum = 0;
    int own = 0;

    for (o = d->options; o != NULL && o->name != NULL; o++) {
        size_t n = strlen(o->name);
        const char *v;

        if (o->type != MLG_OPT_DURATION)
            continue;
        if (strcmp(o->name, "timeout") != 0 &&
            (n < 8 || strcmp(o->name + n - 8, "-timeout") != 0))
            continue;
        own = 1;
        v = conf_get(sec, o->name);
        if (v == NULL)
            v = o->def;
        sum += exec_conf_duration(v, run_timeout);
    }
    if (own)
        return sum + exec_grace(c);
    return exec_conf_duration(conf_get(sec, "timeout"), run_timeout);
}

char *exec_result_to_json(const struct check_result *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *annots = cJSON_AddArrayToObject(root, "annotations");
    cJSON *outputs;
    char *text, *copy;
    size_t i;

    cJSON_AddNumberToObject(root, "status", r->status);
    cJSON_AddStringToObject(root, "summary",
                            r->summary != NULL ? r->summary : "");
    cJSON_AddStringToObject(root, "details",
                            r->details != NULL ? r->details : "");
    for (i = 0; i < r->nannots; i++) {
        cJSON *a = cJSON_CreateObject();

        cJSON_AddNumberToObject(a, "level", r->annots[i].level);
        if (r->annots[i].file != NULL)
            cJSON_AddStringToObject(a, "file", r->annots[i].file);
        cJSON_AddNumberToObject(a, "line", (double)r->annots[i].line);
        cJSON_AddStringToObject(a, "message", r->annots[i].message);
        cJSON_AddItemToArray(annots, a);
    }
    /* Pairs keep the plugin's order. */
    outputs = cJSON_AddArrayToObject(root, "outputs");
    for (i = 0; i < r->noutputs; i++) {
        cJSON *pair = cJSON_CreateArray();

        cJSON_AddItemToArray(pair, cJSON_CreateString(r->outputs[i].key));
        cJSON_AddItemToArray(pair,
                             cJSON_CreateString(r->outputs[i].value));
        cJSON_AddItemToArray(outputs, pair);
    }
    text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (text == NULL)
        return NULL;
    copy = xstrdup(text);
    cJSON_free(text);
    return copy;
}

int exec_result_from_json(const char *text, size_t len,
                          struct check_result *r)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    const cJSON *st, *sum, *det, *ann, *out, *it;
    int rc = -1;

    if (root == NULL || !cJSON_IsObject(root))
        goto out;
    st = cJSON_GetObjectItemCaseSensitive(root, "status");
    sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
    det = cJSON_GetObjectItemCaseSensitive(root, "details");
    ann = cJSON_GetObjectItemCaseSensitive(root, "annotations");
    out = cJSON_GetObjectItemCaseSensitive(root, "outputs");
    if (!cJSON_IsNumber(st) || st->valuedouble < MLG_PASS ||
        st->valuedouble > MLG_SKIP || !cJSON_IsString(sum) ||
        !cJSON_IsString(det) || !cJSON_IsArray(ann) || !cJSON_IsArray(out))
        goto out;
    cJSON_ArrayForEach(it, ann) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "message");
        const cJSON *lv = cJSON_GetObjectItemCaseSensitive(it, "level");

        if (!cJSON_IsString(m) || !cJSON_IsNumber(lv))
            goto out;
    }
    cJSON_ArrayForEach(it, out) {
        if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != 2 ||
            !cJSON_IsString(cJSON_GetArrayItem(it, 0)) ||
            !cJSON_IsString(cJSON_GetArrayItem(it, 1)))
            goto out;
    }
    r->status = (int)st->valuedouble;
    r->summary = xstrdup(sum->valuestring);
    r->details = xstrdup(det->valuestring);
    r->nannots = (size_t)cJSON_GetArraySize(ann);
    r->annots = xcalloc(r->nannots, sizeof(*r->annots));
    r->nannots = 0;
    cJSON_ArrayForEach(it, ann) {
        struct result_annot *a = &r->annots[r->nannots++];
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, "file");
        const cJSON *ln = cJSON_GetObjectItemCaseSensitive(it, "line");

        a->level = cJSON_GetObjectItemCaseSensitive(it, "level")->valueint;
        a->file = cJSON_IsString(f) ? xstrdup(f->valuestring) : NULL;
        /* Range-checked: casting an out-of-range double is undefined. */
        a->line = cJSON_IsNumber(ln) && ln->valuedouble >= 0 &&
                  ln->valuedouble < 2147483648.0 ? (long)ln->valuedouble : 0;
        a->message = xstrdup(
            cJSON_GetObjectItemCaseSensitive(it, "message")->valuestring);
    }
    r->noutputs = (size_t)cJSON_GetArraySize(out);
    r->outputs = xcalloc(r->noutputs, sizeof(*r->outputs));
    r->noutputs = 0;
    cJSON_ArrayForEach(it, out) {
        struct result_kv *kv = &r->outputs[r->noutputs++];

        kv->key = xstrdup(cJSON_GetArrayItem(it, 0)->valuestring);
        kv->value = xstrdup(cJSON_GetArrayItem(it, 1)->valuestring);
    }
    rc = 0;
out:
    cJSON_Delete(root);
    return rc;
}

/* The child: never returns, never runs the parent's atexit handlers. */
static void exec_child(const struct host_env *env,
                       const struct exec_check *c, double deadline,
                       int fd) __attribute__((noreturn));

static void exec_child(const struct host_env *env,
                       const struct exec_check *c, double deadline, int fd)
{
    struct host_spec sp;
    struct check_result r;
    char *json;

    sp.name = c->name;
    sp.plugin = c->plugin;
    sp.sec = c->sec;
    sp.deadline = deadline;
    host_run_check(env, &sp, &r);
    json = exec_result_to_json(&r);
    /* Plugins may have printed through stdio. */
    fflush(stdout);
    fflush(stderr);
    /* The plugin closed (or replaced) the pipe: say so, not "no result". */
    if (fcntl(fd, F_GETFD) < 0) {
        free(json);
        check_result_free(&r);
        _exit(EXEC_EXIT_PIPE_CLOSED);
    }
    if (json != NULL)
        (void)util_write_all(fd, json, strlen(json));
    free(json);
    check_result_free(&r);
    close(fd);
    /* Plugins may have printed through stdio. */
    fflush(stdout);
    fflush(stderr);
#ifdef HAVE_GCOV_DUMP
    /* _exit() skips gcov's atexit writer: coverage builds dump here. */
    __gcov_dump();
#endif
    _exit(0);
}

static void exec_set_flags(int fd, int flags)
{
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (flags)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | flags);
}

/* Open the self-pipe.  Returns 0 or -1. */
static int exec_open_pipe(void)
{
    if (exec_pipe[0] >= 0)
        return 0;
    if (pipe(exec_pipe) != 0) {
        log_msg(LOG_ERR, NULL, "pipe: %s", strerror(errno));
        exec_pipe[0] = exec_pipe[1] = -1;
        return -1;
    }
    exec_set_flags(exec_pipe[0], O_NONBLOCK);
    exec_set_flags(exec_pipe[1], O_NONBLOCK);
    return 0;
}

void exec_catch_signals(void)
{
    struct sigaction sa;

    if (exec_caught)
        return;
    exec_cancel_flag = 0;
    exec_open_pipe();
    http_set_wake_fd(exec_pipe[0]);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = exec_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* `mlgate | head`: a closed stdout is an error (exit 2), and every
     * other sink is still written. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    exec_caught = 1;
}

int exec_cancel_requested(void)
{
    return exec_cancel_flag != 0;
}

static int exec_start(const struct host_env *env, const struct exec_check *c,
                      struct exec_slot *s, struct exec_slot *all, size_t n)
{
    sigset_t block, old;
    pid_t parent = getpid();
    int fds[2], ofds[2];
    size_t i;

    if (pipe(fds) != 0)
        return -1;
    if (pipe(ofds) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    /* Not inherited by anything a plugin may exec. */
    exec_set_flags(fds[0], 0);
    exec_set_flags(fds[1], 0);
    exec_set_flags(ofds[0], 0);
    s->start = now_mono();
    s->deadline = s->start + c->timeout;
    if (env->run_deadline > 0 && env->run_deadline < s->deadline)
        s->deadline = env->run_deadline;
    /* The child must not flush what the parent had buffered. */
    fflush(NULL);
    /* No signal may run the parent's handler in the child before the
     * child has its own: block them all across fork(). */
    sigfillset(&block);
    sigprocmask(SIG_BLOCK, &block, &old);
    s->pid = fork();
    if (s->pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        close(fds[0]);
        close(fds[1]);
        close(ofds[0]);
        close(ofds[1]);
        return -1;
    }
    if (s->pid == 0) {
        /* Its own process group: the runner can then end whatever the
         * check forked too (see exec_kill_group). */
        setpgid(0, 0);
        reaper_bind_child(parent);
        close(fds[0]);
        /* fd 1 is the relay pipe: a plugin's printf goes to stderr. */
        dup2(ofds[1], 1);
        close(ofds[0]);
        close(ofds[1]);
        close(exec_pipe[0]);
        close(exec_pipe[1]);
        exec_pipe[0] = exec_pipe[1] = -1;
        for (i = 0; i < n; i++)
            if (all[i].state == SLOT_RUNNING) {
                if (all[i].fd >= 0)
                    close(all[i].fd);
                if (all[i].out.fd >= 0)
                    close(all[i].out.fd);
            }
        host_child_signals();
        sigprocmask(SIG_SETMASK, &old, NULL);
        exec_child(env, c, s->deadline, fds[1]);
    }
    /* Also here, so that no signal sent to the group can miss it. */
    setpgid(s->pid, s->pid);
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(fds[1]);
    close(ofds[1]);
    exec_set_flags(fds[0], O_NONBLOCK);
    exec_set_flags(ofds[0], O_NONBLOCK);
    s->fd = fds[0];
    s->out.fd = ofds[0];
    s->state = SLOT_RUNNING;
    log_msg(LOG_DEBUG, c->name, "started (pid %ld, deadline %.0fs)",
            (long)s->pid, c->timeout);
    return 0;
}

/* Read what is available.  Closes the fd at EOF or on overflow. */
static void exec_read(struct exec_slot *s)
{
    char chunk[65536];

    while (s->fd >= 0) {
        ssize_t r = read(s->fd, chunk, sizeof(chunk));

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (r <= 0) {
            close(s->fd);
            s->fd = -1;
            return;
        }
        if (s->data.len + (size_t)r > EXEC_MAX_RESULT) {
            s->oversize = 1;
            close(s->fd);
            s->fd = -1;
            if (!s->reaped && !s->killed) {
                kill(s->pid, SIGKILL);
                s->killed = 1;
            }
            return;
        }
        buf_add(&s->data, chunk, (size_t)r);
    }
}

static void exec_finish(const struct exec_check *c, struct exec_slot *s,
                        struct check_result *r)
{
    int parsed = 0;
    char *why = NULL;

    memset(r, 0, sizeof(*r));
    if (!s->oversize && s->data.len > 0 &&
        exec_result_from_json(s->data.p, s->data.len, r) == 0)
        parsed = 1;
    if (s->late) {
        why = xstrdup(s->pid > 0 ? "stopped: the run deadline was reached"
                      : "not started: the run deadline was reached");
    } else if (s->cancelled) {
        why = xstrdup("cancelled");
    } else if (s->oversize) {
        why = xasprintf("sent a result larger than %u MiB",
                        EXEC_MAX_RESULT / (1024 * 1024));
    } else if (s->timed_out) {
        char *d = exec_fmt_duration(c->timeout);

        why = xasprintf("timed out after %s", d);
        free(d);
    } else if (WIFSIGNALED(s->wstatus) && !parsed) {
        int sig = WTERMSIG(s->wstatus);

        why = xasprintf("crashed: %s (%s)", exec_signal_name(sig),
                        strsignal(sig));
    } else if (s->data.len == 0 && WIFEXITED(s->wstatus) &&
               WEXITSTATUS(s->wstatus) == EXEC_EXIT_PIPE_CLOSED) {
        why = xstrdup("closed the runner's result pipe, so its result was "
                      "lost");
    } else if (s->data.len == 0) {
        why = xasprintf("exited with status %d without a result",
                        WIFEXITED(s->wstatus) ? WEXITSTATUS(s->wstatus)
                        : -1);
    } else if (!parsed) {
        why = xstrdup("sent a malformed result");
    }
    if (why != NULL) {
        if (!parsed) {
            r->details = xstrdup("");
        } else {
            free(r->summary);
        }
        r->status = MLG_ERROR;
        r->summary = why;
        log_msg(LOG_WARN, c->name, "%s", why);
    }
    r->name = xstrdup(c->name);
    r->plugin = xstrdup(c->plugin->d.name);
    r->duration = s->end - s->start;
    buf_free(&s->data);
    s->state = SLOT_DONE;
}

/* Signal a check's whole process group (the check and anything it
 * forked); the pgid outlives the check while a member remains. */
static void exec_kill_group(pid_t pid, int sig)
{
    if (kill(-pid, sig) != 0 && errno != ESRCH)
        kill(pid, sig);
}

/* Send sig (SIGTERM: its own deadline; SIGINT: the run is cancelled)
 * now and SIGKILL after the grace period. */
static void exec_terminate(struct exec_slot *s, int sig, double grace)
{
    if (s->reaped)
        return;
    /* Already going (its own deadline): the cancellation's shorter
     * budget still applies. */
    if (s->kill_at > 0) {
        if (s->kill_at > now_mono() + grace) {
            exec_kill_group(s->pid, sig);
            s->kill_at = now_mono() + grace;
        }
        return;
    }
    exec_kill_group(s->pid, sig);
    s->kill_at = now_mono() + grace;
}

/* Has the check ended?  Its group is killed while the zombie still holds
 * the pid (and so the pgid): waitid(WNOWAIT) sees the exit, kill(-pgid)
 * ends anything the check forked, and only then waitpid() frees the id.
 * Returns 1 when reaped. */
static int exec_reap(struct exec_slot *s)
{
    siginfo_t si;

    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)s->pid, &si, WEXITED | WNOHANG | WNOWAIT)
        != 0) {
        if (errno != ECHILD)
            return 0;
        s->wstatus = 0;
        return 1;
    }
    if (si.si_pid != s->pid)
        return 0;
    exec_kill_group(s->pid, SIGKILL);
    while (waitpid(s->pid, &s->wstatus, 0) < 0 && errno == EINTR)
        ;
    return 1;
}

int exec_run(const struct host_env *env, const struct exec_check *checks,
             size_t n, int jobs, struct run_result *rr)
{
    struct exec_slot *slots = xcalloc(n, sizeof(*slots));
    struct pollfd *pfds = xcalloc(2 * n + 1, sizeof(*pfds));
    struct reaper reap;
    struct sigaction sa, old_int, old_term, old_hup, old_chld;
    size_t i, next = 0, done = 0, running = 0;
    double run_start = now_mono();
    int cancelled_all = 0;

    memset(rr, 0, sizeof(*rr));
    memset(&old_int, 0, sizeof(old_int));
    memset(&old_term, 0, sizeof(old_term));
    memset(&old_hup, 0, sizeof(old_hup));
    rr->checks = xcalloc(n, sizeof(*rr->checks));
    rr->n = n;
    if (jobs <= 0 || (size_t)jobs > n)
        jobs = (int)(n > 0 ? n : 1);
    for (i = 0; i < n; i++) {
        slots[i].fd = -1;
        relay_init(&slots[i].out);
    }
    reaper_begin(&reap);
    /* A signal caught since exec_catch_signals() still cancels. */
    if (!exec_caught)
        exec_cancel_flag = 0;
    exec_open_pipe();
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = exec_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (!exec_caught) {
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        sigaction(SIGHUP, &sa, &old_hup);
    }
    sigaction(SIGCHLD, &sa, &old_chld);

    while (done < n) {
        double now, wake;
        size_t np = 0;
        int timeout_ms;

        if ((exec_cancel_flag || (env->run_deadline > 0 &&
                                  now_mono() >= env->run_deadline)) &&
            !cancelled_all) {
            int late = !exec_cancel_flag;
            double g = env->grace < HOST_CANCEL_BUDGET ? env->grace
                                                       : HOST_CANCEL_BUDGET;

            cancelled_all = 1 + late;
            log_msg(LOG_WARN, NULL, "%s: stopping every check",
                    late ? "run deadline reached" : "cancelled");
            for (i = 0; i < n; i++) {
                if (slots[i].state == SLOT_RUNNING) {
                    /* A check past its own deadline is already going. */
                    if (!slots[i].timed_out) {
                        slots[i].cancelled = !late;
                        slots[i].late = late;
                    }
                    exec_terminate(&slots[i], SIGINT, g);
                } else if (slots[i].state == SLOT_WAITING) {
                    slots[i].cancelled = 1;
                    slots[i].late = late;
                    slots[i].start = slots[i].end = now_mono();
                    exec_finish(&checks[i], &slots[i], &rr->checks[i]);
                    done++;
                }
            }
            next = n;
        }
        while (!cancelled_all && next < n && running < (size_t)jobs) {
            if (exec_start(env, &checks[next], &slots[next], slots, n)
                != 0) {
                struct check_result *r = &rr->checks[next];

                log_msg(LOG_ERR, checks[next].name, "cannot start: %s",
                        strerror(errno));
                r->name = xstrdup(checks[next].name);
                r->plugin = xstrdup(checks[next].plugin->d.name);
                r->status = MLG_ERROR;
                r->summary = xasprintf("could not start: %s",
                                       strerror(errno));
                r->details = xstrdup("");
                slots[next].state = SLOT_DONE;
                done++;
            } else {
                running++;
            }
            next++;
        }
        if (done >= n)
            break;

        /* Collect exits, enforce deadlines, finish complete slots. */
        now = now_mono();
        wake = now + 60;
        for (i = 0; i < n; i++) {
            struct exec_slot *s = &slots[i];

            if (s->state != SLOT_RUNNING)
                continue;
            if (!s->reaped && exec_reap(s)) {
                s->reaped = 1;
                s->end = now_mono();
            }
            if (s->reaped && s->out.fd >= 0)
                relay_close(&s->out, checks[i].name);
            if (s->reaped && s->fd >= 0) {
                /* Drain; a grandchild holding the pipe must not stall
                 * us, so whatever is not there now is not coming. */
                exec_read(s);
                if (s->fd >= 0) {
                    close(s->fd);
                    s->fd = -1;
                }
            }
            if (s->reaped && s->fd < 0) {
                exec_finish(&checks[i], s, &rr->checks[i]);
                done++;
                running--;
                continue;
            }
            if (s->reaped)
                continue;
            /* At the run deadline the cancellation above stops it. */
            if (!s->timed_out && !s->cancelled && !s->late &&
                now >= s->deadline && !(env->run_deadline > 0 &&
                                        s->deadline >= env->run_deadline)) {
                s->timed_out = 1;
                log_msg(LOG_WARN, checks[i].name,
                        "deadline reached: stopping it");
                exec_terminate(s, SIGTERM, env->grace);
            }
            if (s->kill_at > 0 && now >= s->kill_at && !s->killed) {
                exec_kill_group(s->pid, SIGKILL);
                s->killed = 1;
            }
            if (s->kill_at > 0 && !s->killed && s->kill_at < wake)
                wake = s->kill_at;
            if (!s->timed_out && !s->cancelled && s->deadline < wake)
                wake = s->deadline;
        }
        if (!cancelled_all && env->run_deadline > 0 &&
            env->run_deadline < wake)
            wake = env->run_deadline;
        if (done >= n)
            break;
        if (running < (size_t)jobs && next < n && !cancelled_all)
            continue;

        if (exec_pipe[0] >= 0) {
            pfds[np].fd = exec_pipe[0];
            pfds[np].events = POLLIN;
            pfds[np].revents = 0;
            np++;
        }
        for (i = 0; i < n; i++)
            if (slots[i].state == SLOT_RUNNING && slots[i].fd >= 0) {
                pfds[np].fd = slots[i].fd;
                pfds[np].events = POLLIN;
                pfds[np].revents = 0;
                np++;
            }
        for (i = 0; i < n; i++)
            if (slots[i].state == SLOT_RUNNING && slots[i].out.fd >= 0) {
                pfds[np].fd = slots[i].out.fd;
                pfds[np].events = POLLIN;
                pfds[np].revents = 0;
                np++;
            }
        timeout_ms = (int)((wake - now_mono()) * 1000) + 1;
        if (timeout_ms < 0)
            timeout_ms = 0;
        /* Without a self-pipe, poll often enough to notice exits. */
        if (exec_pipe[0] < 0 && timeout_ms > 50)
            timeout_ms = 50;
        if (poll(pfds, (nfds_t)np, timeout_ms) < 0 && errno != EINTR)
            log_msg(LOG_ERR, NULL, "poll: %s", strerror(errno));
        if (exec_pipe[0] >= 0) {
            char drain[64];

            while (read(exec_pipe[0], drain, sizeof(drain)) > 0)
                ;
        }
        for (i = 0; i < n; i++)
            if (slots[i].state == SLOT_RUNNING && slots[i].fd >= 0)
                exec_read(&slots[i]);
        for (i = 0; i < n; i++)
            if (slots[i].state == SLOT_RUNNING && slots[i].out.fd >= 0)
                relay_read(&slots[i].out, checks[i].name);
    }

    /* Whatever a check left behind that escaped its group (setsid). */
    reaper_end(&reap);

    sigaction(SIGCHLD, &old_chld, NULL);
    if (!exec_caught) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        sigaction(SIGHUP, &old_hup, NULL);
        if (exec_pipe[0] >= 0) {
            close(exec_pipe[0]);
            close(exec_pipe[1]);
        }
        exec_pipe[0] = exec_pipe[1] = -1;
    }
    free(slots);
    free(pfds);
    rr->duration = now_mono() - run_start;
    result_finish(rr);
    return cancelled_all == 1;
}
