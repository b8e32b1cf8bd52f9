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
/* Caller frees. xstrdup(NULL) returns NULL. */
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

/* Seconds from CLOCK_MONOTONIC. */
double now_mono(void);
/* Seconds since the epoch, sub-second precision. */
double now_wall(void);

#endif
