/*
 * lookahead.c - forks a helper that runs one function and writes its
 * answer (JSON) to a pipe, and collects that answer later: waiting at
 * most until a deadline, never past a caught signal, and always reaping
 * the helper itself (see lookahead.h for why it must be started before
 * exec_run).
 */
#include <config.h>

#include "lookahead.h"

#include "http.h"
#include "log.h"
#include "reaper.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* An answer larger than this is not an answer. */
#define LOOKAHEAD_MAX (16u * 1024 * 1024)
/* A signal caught just before poll() is seen within this (ms). */
#define LOOKAHEAD_SLICE_MS 100
/* Descriptors closed in the helper when it cannot list its own. */
#define LOOKAHEAD_FD_GUESS 1024

struct lookahead {
    const char *what;   /* for log lines; static */
    pid_t pid;          /* 0 once reaped */
    int fd;             /* read end, -1 once closed */
    int eof;            /* the helper closed its end */
    int toolong;        /* more than LOOKAHEAD_MAX */
    struct buf data;
};

/* The helper keeps 0, 1, 2 and keep: nothing of the parent's (its
 * self-pipe, keep-alive sockets, a test framework's pipes) stays open
 * in it. */
static void lookahead_close_fds(int keep)
{
    static const char *const dirs[] = { "/proc/self/fd", "/dev/fd" };
    size_t i, k, n = 0, cap = 0;
    int *fds = NULL, fd;

    for (i = 0; i < sizeof dirs / sizeof dirs[0] && n == 0; i++) {
        DIR *d = opendir(dirs[i]);
        struct dirent *e;

        if (!d)
            continue;
        while ((e = readdir(d)) != NULL) {
            char *end;
            long v = strtol(e->d_name, &end, 10);

            if (*end || end == e->d_name || v < 3 || v == keep ||
                v == dirfd(d))
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 32;
                fds = xrealloc(fds, cap * sizeof *fds);
            }
            fds[n++] = (int)v;
        }
        closedir(d);
    }
    if (n == 0) {
        for (fd = 3; fd < LOOKAHEAD_FD_GUESS; fd++)
            if (fd != keep)
                close(fd);
        return;
    }
    for (k = 0; k < n; k++)
        close(fds[k]);
    free(fds);
}

/* The helper: never returns, never runs the parent's atexit handlers. */
static void lookahead_child(lookahead_fn fn, void *arg, int fd)
    __attribute__((noreturn));
static void lookahead_child(lookahead_fn fn, void *arg, int fd)
{
    cJSON *answer = fn(arg);
    char *text = answer ? cJSON_PrintUnformatted(answer) : NULL;

    if (text)
        (void)util_write_all(fd, text, strlen(text));
    cJSON_free(text);
    cJSON_Delete(answer);
    fflush(stderr);
#ifdef HAVE_GCOV_DUMP
    /* _exit() skips gcov's atexit writer: coverage builds dump here. */
    __gcov_dump();
#endif
    _exit(0);
}

struct lookahead *lookahead_start(const char *what, lookahead_fn fn,
                                  void *arg)
{
    struct lookahead *la;
    struct sigaction sa;
    sigset_t block, old;
    pid_t parent = getpid(), pid;
    int fds[2];

    if (pipe(fds) != 0) {
        log_msg(LOG_DEBUG, NULL, "%s: no helper (pipe: %s)", what,
                strerror(errno));
        return NULL;
    }
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    /* The helper must not flush what the parent had buffered. */
    fflush(NULL);
    /* No signal may run the parent's handler in the helper before it has
     * the default ones: all blocked across fork(). */
    sigfillset(&block);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        log_msg(LOG_DEBUG, NULL, "%s: no helper (fork: %s)", what,
                strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return NULL;
    }
    if (pid == 0) {
        reaper_bind_child(parent);
        lookahead_close_fds(fds[1]);
        /* The parent's self-pipe is closed: http.c polls its counter. */
        http_set_wake_fd(-1);
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_DFL;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        sigaction(SIGCHLD, &sa, NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        lookahead_child(fn, arg, fds[1]);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(fds[1]);
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    la = xcalloc(1, sizeof *la);
    la->what = what;
    la->pid = pid;
    la->fd = fds[0];
    log_msg(LOG_DEBUG, NULL, "%s: helper started (pid %ld)", what,
            (long)pid);
    return la;
}

/* Read what is there.  Marks eof (and closes the fd) at the end. */
static void lookahead_read(struct lookahead *la)
{
    char chunk[65536];
    ssize_t n;

    while (la->fd >= 0) {
        n = read(la->fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return; /* EAGAIN: no more for now */
        if (n == 0 || la->data.len + (size_t)n > LOOKAHEAD_MAX) {
            la->eof = n == 0;
            la->toolong = n != 0;
            close(la->fd);
            la->fd = -1;
            return;
        }
        buf_add(&la->data, chunk, (size_t)n);
    }
}

/* SIGKILL when still running, then reap.  Returns the wait status, or
 * -1 when it had to be killed (or was reaped already). */
static int lookahead_reap(struct lookahead *la, int kill_it)
{
    int st = 0;

    if (la->pid <= 0)
        return -1;
    if (kill_it)
        kill(la->pid, SIGKILL);
    while (waitpid(la->pid, &st, 0) < 0 && errno == EINTR)
        ;
    la->pid = 0;
    if (la->fd >= 0) {
        close(la->fd);
        la->fd = -1;
    }
    return kill_it ? -1 : st;
}

cJSON *lookahead_collect(struct lookahead *la, double deadline,
                         const char **why)
{
    cJSON *answer;
    int st;

    *why = "no helper";
    if (!la || la->pid <= 0)
        return NULL;
    for (;;) {
        struct pollfd pfd;
        double left = deadline - now_mono();
        int ms;

        lookahead_read(la);
        if (la->fd < 0 || http_cancelled() || left <= 0)
            break;
        ms = left * 1000.0 > LOOKAHEAD_SLICE_MS ? LOOKAHEAD_SLICE_MS
                                                : (int)(left * 1000.0) + 1;
        pfd.fd = la->fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        /* A caught signal interrupts it (EINTR); the slice bounds the
         * wait for one caught just before. */
        poll(&pfd, 1, ms);
    }
    if (!la->eof) {
        lookahead_reap(la, 1);
        *why = la->toolong ? "its answer is too long" :
               http_cancelled() ? "the run was cancelled" :
               "it did not answer in time";
        return NULL;
    }
    st = lookahead_reap(la, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        *why = WIFSIGNALED(st) ? "it was killed" : "it failed";
        return NULL;
    }
    answer = cJSON_ParseWithLength(la->data.p ? la->data.p : "",
                                   la->data.len);
    if (!cJSON_IsObject(answer)) {
        cJSON_Delete(answer);
        *why = "it gave no answer";
        return NULL;
    }
    *why = NULL;
    return answer;
}

void lookahead_free(struct lookahead *la)
{
    if (!la)
        return;
    lookahead_reap(la, 1);
    buf_free(&la->data);
    free(la);
}
