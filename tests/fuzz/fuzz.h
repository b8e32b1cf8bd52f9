/*
 * fuzz.h - what the libFuzzer targets share: cutting one input into
 * fields, and the invariant check that aborts (libFuzzer then keeps the
 * input as a crash).
 */
#ifndef MLG_FUZZ_H
#define MLG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken invariant is a crash like any other. */
#define FZ_CHECK(cond)                                                    \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,    \
                    __LINE__, #cond);                                     \
            abort();                                                      \
        }                                                                 \
    } while (0)

/* The rest of an input, consumed from the front. */
struct fz {
    const unsigned char *p;
    size_t n;
};

/* One byte (0 when the input is used up). */
static inline unsigned fz_byte(struct fz *f)
{
    if (!f->n)
        return 0;
    f->n--;
    return *f->p++;
}

/* The bytes up to the next NUL (or the end), as a new string; the NUL is
 * consumed.  Caller frees. */
static inline char *fz_str(struct fz *f)
{
    const unsigned char *z;
    size_t len;
    char *s;

    if (!f->n)
        return xstrdup("");
    z = memchr(f->p, '\0', f->n);
    len = z ? (size_t)(z - f->p) : f->n;
    s = xstrndup((const char *)f->p, len);

    f->p += len + (z != NULL);
    f->n -= len + (z != NULL);
    return s;
}

/* An error message must be one non-empty line; a broken one is shown
 * before the abort. */
static inline int fz_one_line(const char *s)
{
    if (s[0] != '\0' && !strchr(s, '\n'))
        return 1;
    fprintf(stderr, "bad error message: \"%s\"\n", s);
    return 0;
}

#endif
