/*
 * shim.c - LD_PRELOAD probe for the benchmark: counts the bytes mlgate
 * and its check children send and receive on sockets, the connections
 * they open, and each process's own CPU time and peak RSS, into a file
 * every process of the run shares (MLG_BENCH_SHM).  Never installed.
 *
 * Why a preload: the sandbox log has no response sizes, and wait4()
 * gives the runner and its children summed together; the children leave
 * through _exit(), so their figures are taken by wrapping it.
 */
#include <config.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "bench.h"

static struct bench_shm *shim_shm;
static pid_t shim_recorded; /* pid whose figures are already written */

static ssize_t (*shim_real_recv)(int, void *, size_t, int);
static ssize_t (*shim_real_send)(int, const void *, size_t, int);
static int (*shim_real_connect)(int, const struct sockaddr *, socklen_t);
static void (*shim_real_exit)(int);

/* Memory this process does not share (smaps_rollup), in kB; 0 when
 * unknown.  Plain read(): no stdio in an _exit path. */
static long long shim_private_kb(void)
{
    char text[4096];
    const char *p;
    long long kb = 0;
    ssize_t n;
    int fd = open("/proc/self/smaps_rollup", O_RDONLY);

    if (fd < 0)
        return 0;
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    for (p = strstr(text, "Private_"); p != NULL;
         p = strstr(p + 1, "Private_")) {
        const char *c = strchr(p, ':');

        if (c != NULL && (strncmp(p, "Private_Clean", 13) == 0 ||
                          strncmp(p, "Private_Dirty", 13) == 0))
            kb += strtoll(c + 1, NULL, 10);
    }
    return kb;
}

static void shim_record(void)
{
    struct rusage ru;
    unsigned i;

    if (shim_shm == NULL || shim_recorded == getpid())
        return;
    shim_recorded = getpid();
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return;
    i = __atomic_fetch_add(&shim_shm->nproc, 1, __ATOMIC_SEQ_CST);
    if (i >= BENCH_MAX_PROC)
        return;
    shim_shm->proc[i].pid = (long long)getpid();
    shim_shm->proc[i].is_main = getpid() == (pid_t)shim_shm->main_pid;
    shim_shm->proc[i].utime_us = (long long)ru.ru_utime.tv_sec * 1000000 +
                                 ru.ru_utime.tv_usec;
    shim_shm->proc[i].stime_us = (long long)ru.ru_stime.tv_sec * 1000000 +
                                 ru.ru_stime.tv_usec;
    shim_shm->proc[i].maxrss_kb = ru.ru_maxrss;
    shim_shm->proc[i].priv_kb = shim_private_kb();
}

static void shim_init(void) __attribute__((constructor));
static void shim_init(void)
{
    const char *path = getenv("MLG_BENCH_SHM");
    void *p;
    int fd;

    shim_real_recv = (ssize_t (*)(int, void *, size_t, int))
        dlsym(RTLD_NEXT, "recv");
    shim_real_send = (ssize_t (*)(int, const void *, size_t, int))
        dlsym(RTLD_NEXT, "send");
    shim_real_connect = (int (*)(int, const struct sockaddr *, socklen_t))
        dlsym(RTLD_NEXT, "connect");
    shim_real_exit = (void (*)(int))dlsym(RTLD_NEXT, "_exit");
    if (path == NULL || *path == '\0')
        return;
    fd = open(path, O_RDWR);
    if (fd < 0)
        return;
    p = mmap(NULL, sizeof(struct bench_shm), PROT_READ | PROT_WRITE,
             MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return;
    shim_shm = p;
    /* Only the exec'd runner runs constructors; its forks inherit. */
    shim_shm->main_pid = (long long)getpid();
    /* The variable must not reach programs the runner might exec. */
    unsetenv("LD_PRELOAD");
}

static void shim_fini(void) __attribute__((destructor));
static void shim_fini(void)
{
    shim_record();
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    ssize_t n = shim_real_recv(fd, buf, len, flags);

    if (n > 0 && shim_shm != NULL)
        __atomic_fetch_add(&shim_shm->recv_bytes, (long long)n,
                           __ATOMIC_RELAXED);
    return n;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    ssize_t n = shim_real_send(fd, buf, len, flags);

    if (n > 0 && shim_shm != NULL)
        __atomic_fetch_add(&shim_shm->sent_bytes, (long long)n,
                           __ATOMIC_RELAXED);
    return n;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    if (shim_shm != NULL && addr != NULL && addr->sa_family != AF_UNIX)
        __atomic_fetch_add(&shim_shm->connects, 1, __ATOMIC_RELAXED);
    return shim_real_connect(fd, addr, len);
}

void _exit(int status)
{
    shim_record();
    shim_real_exit(status);
    /* Not reached: the real _exit does not return. */
    abort();
}
