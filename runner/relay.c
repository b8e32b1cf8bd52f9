/*
 * relay.c - forwards a check's stdout to the runner's stderr, one
 * prefixed line at a time.
 */
#include <config.h>

#include "relay.h"

#include "log.h"
#include "utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A line longer than this is logged in pieces. */
#define RELAY_MAX_LINE 4096

void relay_init(struct relay *r)
{
    memset(r, 0, sizeof(*r));
    r->fd = -1;
}

/* Log the first n bytes of the partial line and drop them (and the
 * newline after them when nl). */
static void relay_emit(struct relay *r, const char *name, size_t n, int nl)
{
    char *line = xstrndup(r->partial.p, n);
    char *clean = utf8_clean(line);
    size_t drop = n + (nl ? 1 : 0);

    log_msg(LOG_INFO, name, "%s", clean);
    free(clean);
    free(line);
    memmove(r->partial.p, r->partial.p + drop, r->partial.len - drop + 1);
    r->partial.len -= drop;
}

static void relay_lines(struct relay *r, const char *name)
{
    char *nl;

    while (r->partial.len > 0) {
        nl = memchr(r->partial.p, '\n', r->partial.len);
        if (nl != NULL)
            relay_emit(r, name, (size_t)(nl - r->partial.p), 1);
        else if (r->partial.len >= RELAY_MAX_LINE)
            relay_emit(r, name, RELAY_MAX_LINE, 0);
        else
            return;
    }
}

void relay_read(struct relay *r, const char *name)
{
    char chunk[4096];
    ssize_t n, i;

    while (r->fd >= 0) {
        n = read(r->fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            close(r->fd);
            r->fd = -1;
            return;
        }
        /* NUL bytes would end the line early: make them visible. */
        for (i = 0; i < n; i++)
            if (chunk[i] == '\0')
                chunk[i] = ' ';
        buf_add(&r->partial, chunk, (size_t)n);
        relay_lines(r, name);
    }
}

void relay_close(struct relay *r, const char *name)
{
    relay_read(r, name);
    if (r->fd >= 0) {
        close(r->fd);
        r->fd = -1;
    }
    if (r->partial.len > 0)
        relay_emit(r, name, r->partial.len, 0);
    buf_free(&r->partial);
}
