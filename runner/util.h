/*
 * util.h - allocation wrappers that abort on OOM, a growable string
 * buffer, and monotonic time.  Shared by every runner file.
 */
#ifndef MLG_UTIL_H
#define MLG_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Allocators: never return NULL (abort with a message on OOM). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Caller frees. xstrdup(NULL) returns NULL.  xstrndup copies at most n
 * bytes and stops at a NUL before that. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Caller frees. */
char *xasprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/* A growable NUL-terminated buffer.  Zero-initialise, then append; the
 * owner frees p with buf_free() or takes it with buf_take(). */
struct buf {
    char *p;
    size_t len;
    size_t cap;
};
void buf_add(struct buf *b, const char *s, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Returns the string (never NULL, "" when empty); caller frees. */
char *buf_take(struct buf *b);
void buf_free(struct buf *b);

/* Every file mlgate reads goes through here: path must be a regular
 * file or a fifo (a device such as /dev/zero, a directory or a socket is
 * refused, also behind a symlink) and at most max bytes long.  Returns 0
 * with *out (NUL-terminated, caller frees) and *len, or -1 with errno
 * set (ENOENT etc. from open; EINVAL: not a regular file or fifo;
 * EFBIG: more than max bytes) and nothing allocated.  util_read_error
 * words that as "PATH: REASON" into err. */
int util_read_file(const char *path, size_t max, char **out, size_t *len);
void util_read_error(const char *path, size_t max, char *err,
                     size_t errlen);

/* Write all of s to fd, again after EINTR and short writes.  Returns 0,
 * or -1 with errno (EIO when write() wrote nothing). */
int util_write_all(int fd, const char *s, size_t len);

/* Seconds from CLOCK_MONOTONIC. */
double now_mono(void);
/* Seconds since the epoch, sub-second precision. */
double now_wall(void);

#endif
