/*
 * reaper.c - the runner as subreaper: descendants of checks that escaped
 * their process group are re-parented here and ended with the run; and
 * the other side, a forked child that dies with the runner.
 */
#include <config.h>

#include "reaper.h"

#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#if HAVE_DECL_PR_SET_CHILD_SUBREAPER || defined(__linux__)
#include <sys/prctl.h>
#endif
#if HAVE_DECL_PROC_REAP_ACQUIRE || defined(HAVE_SYS_PROCCTL_H)
#include <sys/procctl.h>
#endif

/* Rounds of kill-and-rescan: each round ends one generation. */
#define REAPER_MAX_ROUNDS 64
#define REAPER_MAX_PIDS 4096

#if !HAVE_DECL_PROC_REAP_ACQUIRE
/* Linux >= 3.5 with CONFIG_PROC_CHILDREN lists each thread's children in
 * /proc/self/task/TID/children (proc(5)): a few reads instead of one
 * per process of the machine.  The runner's children are those of all
 * its threads (libcurl's resolver may run threads; an orphan is
 * re-parented to any thread of the reaper).  Returns 0 with *n pids in
 * v, or -1 when the kernel does not offer the file. */
static int reaper_children_listed(pid_t *v, size_t max, size_t *n)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int found = 0;

    *n = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        char path[300];
        long pid;
        FILE *f;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/children",
                 e->d_name);
        f = fopen(path, "r");
        if (f == NULL)
            continue;
        found = 1;
        while (*n < max && fscanf(f, "%ld", &pid) == 1)
            v[(*n)++] = (pid_t)pid;
        fclose(f);
    }
    closedir(d);
    return found ? 0 : -1;
}
#endif

/* Our children's pids into v (at most max).  Returns the count. */
static size_t reaper_children(pid_t *v, size_t max)
{
    size_t n = 0;
#if HAVE_DECL_PROC_REAP_ACQUIRE
    struct procctl_reaper_status st;
    struct procctl_reaper_pids rp;
    struct procctl_reaper_pidinfo *pi;
    unsigned i;

    if (procctl(P_PID, getpid(), PROC_REAP_STATUS, &st) != 0 ||
        st.rs_descendants == 0)
        return 0;
    pi = xcalloc(st.rs_descendants, sizeof(*pi));
    memset(&rp, 0, sizeof(rp));
    rp.rp_count = st.rs_descendants;
    rp.rp_pids = pi;
    if (procctl(P_PID, getpid(), PROC_REAP_GETPIDS, &rp) == 0)
        for (i = 0; i < st.rs_descendants && n < max; i++)
            if ((pi[i].pi_flags & REAPER_PIDINFO_VALID) &&
                (pi[i].pi_flags & REAPER_PIDINFO_CHILD))
                v[n++] = pi[i].pi_pid;
    free(pi);
#else
    /* Linux: the 4th field of /proc/PID/stat, after the ")" that ends
     * the command name, is the parent pid; reading it for every process
     * of the machine is the fallback for kernels without
     * task/TID/children. */
    DIR *d;
    struct dirent *e;
    pid_t self = getpid();

    if (reaper_children_listed(v, max, &n) == 0)
        return n;
    d = opendir("/proc");
    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL && n < max) {
        char path[300], line[512], *paren;
        long ppid = 0;
        FILE *f;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        f = fopen(path, "r");
        if (f == NULL)
            continue;
        if (fgets(line, sizeof(line), f) != NULL &&
            (paren = strrchr(line, ')')) != NULL &&
            sscanf(paren + 1, " %*c %ld", &ppid) == 1 && ppid == self)
            v[n++] = (pid_t)strtol(e->d_name, NULL, 10);
        fclose(f);
    }
    closedir(d);
#endif
    return n;
}

void reaper_begin(struct reaper *r)
{
    pid_t v[REAPER_MAX_PIDS];

    memset(r, 0, sizeof(*r));
#if HAVE_DECL_PR_SET_CHILD_SUBREAPER
    r->active = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
#elif HAVE_DECL_PROC_REAP_ACQUIRE
    r->active = procctl(P_PID, getpid(), PROC_REAP_ACQUIRE, NULL) == 0 ||
                errno == EBUSY; /* already the reaper */
#endif
    if (!r->active) {
        log_msg(LOG_DEBUG, NULL, "cannot become a child subreaper: a "
                "check's setsid() descendants may outlive the run");
        return;
    }
    r->nbefore = reaper_children(v, REAPER_MAX_PIDS);
    r->before = xcalloc(r->nbefore + 1, sizeof(*r->before));
    memcpy(r->before, v, r->nbefore * sizeof(*v));
}

static int reaper_known(const struct reaper *r, pid_t pid)
{
    size_t i;

    for (i = 0; i < r->nbefore; i++)
        if (r->before[i] == pid)
            return 1;
    return 0;
}

size_t reaper_end(struct reaper *r)
{
    pid_t v[REAPER_MAX_PIDS];
    size_t n, i, ended = 0;
    int round, found;

    for (round = 0; r->active && round < REAPER_MAX_ROUNDS; round++) {
        n = reaper_children(v, REAPER_MAX_PIDS);
        found = 0;
        for (i = 0; i < n; i++) {
            if (reaper_known(r, v[i]))
                continue;
            found = 1;
            kill(v[i], SIGKILL);
            /* Blocking: SIGKILL cannot be caught, so this returns. */
            while (waitpid(v[i], NULL, 0) < 0 && errno == EINTR)
                ;
            log_msg(LOG_DEBUG, NULL, "ended pid %ld, left behind by a "
                    "check", (long)v[i]);
            ended++;
        }
        if (!found)
            break;
    }
    free(r->before);
    r->before = NULL;
    r->nbefore = 0;
    return ended;
}

void reaper_bind_child(pid_t parent)
{
#if defined(__linux__)
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#elif defined(HAVE_PROCCTL) && defined(PROC_PDEATHSIG_CTL)
    int sig = SIGTERM;

    procctl(P_PID, 0, PROC_PDEATHSIG_CTL, &sig);
#endif
    if (getppid() != parent)
        _exit(1);
}
