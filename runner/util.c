/*
 * util.c - allocation wrappers, string buffer and clocks (see util.h).
 * Out of memory in a short-lived CLI is not recoverable: abort loudly.
 */
#include <config.h>

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
    fputs("mlgate: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        oom();
    return q;
}

char *xstrdup(const char *s)
{
    return s == NULL ? NULL : xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    const char *nul = memchr(s, '\0', n);
    char *p;

    /* At most n bytes, never past the end of a shorter s. */
    if (nul != NULL)
        n = (size_t)(nul - s);
    p = xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    struct buf b = {0};

    buf_vprintf(&b, fmt, ap);
    return buf_take(&b);
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

static void buf_grow(struct buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;

    if (need <= b->cap)
        return;
    if (b->cap == 0)
        b->cap = 64;
    while (b->cap < need)
        b->cap *= 2;
    b->p = xrealloc(b->p, b->cap);
}

void buf_add(struct buf *b, const char *s, size_t n)
{
    buf_grow(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
    buf_add(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    buf_grow(b, (size_t)n);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *buf_take(struct buf *b)
{
    char *p = b->p;

    if (p == NULL)
        p = xstrdup("");
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

void buf_free(struct buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

int util_write_all(int fd, const char *s, size_t len)
{
    size_t off = 0;

    while (off < len) {
        ssize_t w = write(fd, s + off, len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

int util_read_file(const char *path, size_t max, char **out, size_t *len)
{
    struct buf b = {0};
    struct stat st;
    char chunk[8192];
    int fd, saved;

    *out = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0)
        goto fail;
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        errno = EINVAL;
        goto fail;
    }
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto fail;
        if (n == 0)
            break;
        /* A file that keeps growing (or an endless fifo) stops here. */
        if ((size_t)n > max - b.len) {
            errno = EFBIG;
            goto fail;
        }
        buf_add(&b, chunk, (size_t)n);
    }
    close(fd);
    *len = b.len;
    *out = buf_take(&b);
    return 0;
fail:
    saved = errno;
    close(fd);
    buf_free(&b);
    errno = saved;
    return -1;
}

void util_read_error(const char *path, size_t max, char *err, size_t errlen)
{
    if (errno == EINVAL)
        snprintf(err, errlen, "%s: not a regular file or fifo", path);
    else if (errno == EFBIG)
        snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
    else
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
}

double now_mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double now_wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
