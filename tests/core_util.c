/*
 * core_util.c - helpers for the runner core's tests (see core_util.h).
 */
#include <config.h>

#include "core_util.h"

#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *cu_builddir(void)
{
    const char *b = getenv("MLG_BUILDDIR");

    return b != NULL ? b : ".";
}

char *cu_plugin_dir(void)
{
    return xasprintf("%s/tests/plugins/.libs", cu_builddir());
}

char *cu_plugin(const char *name)
{
    return xasprintf("%s/tests/plugins/.libs/%s.so", cu_builddir(), name);
}

char *cu_tmpdir(void)
{
    const char *t = getenv("TMPDIR");
    char *d = xasprintf("%s/mlgate-test-XXXXXX",
                        t != NULL && *t != '\0' ? t : "/tmp");

    if (mkdtemp(d) == NULL) {
        free(d);
        return NULL;
    }
    return d;
}

void cu_rmrf(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (d == NULL)
        return;
    for (e = readdir(d); e != NULL; e = readdir(d)) {
        char *p;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        p = xasprintf("%s/%s", dir, e->d_name);
        unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
}

char *cu_write(const char *dir, const char *name, const char *text)
{
    char *p = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "w");

    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
    return p;
}

char *cu_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct buf b = {0};
    char chunk[4096];
    size_t n;

    if (f == NULL)
        return NULL;
    for (n = fread(chunk, 1, sizeof(chunk), f); n > 0;
         n = fread(chunk, 1, sizeof(chunk), f))
        buf_add(&b, chunk, n);
    fclose(f);
    return buf_take(&b);
}

int cu_spawn(struct cu_proc *p, const char *home, const char *const *args,
             const char *const *env)
{
    int out[2], err[2];
    pid_t pid;

    if (pipe(out) != 0)
        return -1;
    if (pipe(err) != 0) {
        close(out[0]);
        close(out[1]);
        return -1;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char *argv[64], *envp[64];
        size_t i, n = 0, m = 0;

        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]);
        close(out[1]);
        close(err[0]);
        close(err[1]);
        argv[n++] = xasprintf("%s/mlgate", cu_builddir());
        for (i = 0; args != NULL && args[i] != NULL && n < 63; i++)
            argv[n++] = xstrdup(args[i]);
        argv[n] = NULL;
        envp[m++] = xstrdup("PATH=/usr/bin:/bin");
        envp[m++] = xasprintf("HOME=%s", home);
        envp[m++] = xstrdup("NO_COLOR=1");
        /* The sanitizer build's settings (tools/ci-reliability) reach
         * mlgate too: test plugins crash on purpose. */
        for (i = 0; i < 3; i++) {
            static const char *const san[] = { "ASAN_OPTIONS",
                                               "UBSAN_OPTIONS",
                                               "LSAN_OPTIONS" };
            const char *v = getenv(san[i]);

            if (v != NULL)
                envp[m++] = xasprintf("%s=%s", san[i], v);
        }
        for (i = 0; env != NULL && env[i] != NULL && m < 63; i++)
            envp[m++] = xstrdup(env[i]);
        envp[m] = NULL;
        execve(argv[0], argv, envp);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    p->pid = (int)pid;
    p->out_fd = out[0];
    p->err_fd = err[0];
    return 0;
}

int cu_wait(struct cu_proc *p, char **out, char **err)
{
    struct buf bo = {0}, be = {0};
    int status = 0;

    while (p->out_fd >= 0 || p->err_fd >= 0) {
        struct pollfd pf[2];
        int i;
        char chunk[4096];

        pf[0].fd = p->out_fd;
        pf[0].events = POLLIN;
        pf[1].fd = p->err_fd;
        pf[1].events = POLLIN;
        if (poll(pf, 2, -1) < 0 && errno != EINTR)
            break;
        for (i = 0; i < 2; i++) {
            ssize_t r;

            if (pf[i].fd < 0 || pf[i].revents == 0)
                continue;
            r = read(pf[i].fd, chunk, sizeof(chunk));
            if (r > 0) {
                buf_add(i == 0 ? &bo : &be, chunk, (size_t)r);
            } else if (r == 0 || errno != EINTR) {
                close(pf[i].fd);
                if (i == 0)
                    p->out_fd = -1;
                else
                    p->err_fd = -1;
            }
        }
    }
    while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (out != NULL)
        *out = buf_take(&bo);
    else
        buf_free(&bo);
    if (err != NULL)
        *err = buf_take(&be);
    else
        buf_free(&be);
    if (WIFSIGNALED(status))
        return -WTERMSIG(status);
    return WEXITSTATUS(status);
}

int cu_mlgate(const char *home, const char *const *args,
              const char *const *env, char **out, char **err)
{
    struct cu_proc p;

    if (cu_spawn(&p, home, args, env) != 0)
        return -1000;
    return cu_wait(&p, out, err);
}
