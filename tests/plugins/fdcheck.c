/*
 * fdcheck.c - test plugin: reports what a check's process inherited from
 * the runner's fork: pipes a program it execs would inherit (no
 * FD_CLOEXEC), the SIGPIPE disposition, and signals left blocked.
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int fdcheck_init(const struct mlg_host *host, struct mlg_check *check,
                        void **state, char *err)
{
    (void)check;
    (void)err;
    *state = (void *)host;
    return 0;
}

static int fdcheck_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;
    struct sigaction sa;
    struct stat st;
    sigset_t mask;
    char buf[32];
    int fd, pipes = 0;

    for (fd = 3; fd < 1024; fd++) {
        int flags = fcntl(fd, F_GETFD);

        if (flags >= 0 && !(flags & FD_CLOEXEC) && fstat(fd, &st) == 0 &&
            S_ISFIFO(st.st_mode))
            pipes++;
    }
    snprintf(buf, sizeof(buf), "%d", pipes);
    h->output(check, "inheritable-pipes", buf);
    sigaction(SIGPIPE, NULL, &sa);
    h->output(check, "sigpipe", sa.sa_handler == SIG_IGN ? "ignored" :
              "not ignored");
    sigprocmask(SIG_BLOCK, NULL, &mask);
    h->output(check, "blocked", sigismember(&mask, SIGTERM) ||
              sigismember(&mask, SIGINT) || sigismember(&mask, SIGHUP) ?
              "yes" : "no");
    h->result(check, MLG_PASS, "looked");
    return MLG_PASS;
}

static const struct mlg_plugin fdcheck_plugin = {
    MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin), 0,
    "fdcheck", "1.0", "reports what the check process inherited", NULL,
    fdcheck_init, fdcheck_run, NULL, {NULL}
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &fdcheck_plugin;
}
