/*
 * hocon.c - reads the subset of HOCON that clearml.conf files use
 * (clearml-api.md §7.2) and picks out the api.* values the ClearML client
 * needs.
 *
 * Supported: nested objects with `{}`, dotted and quoted keys, `:` or `=`
 * (optional before `{`), quoted ("..." and """...""") and unquoted values,
 * value concatenation, `#` and `//` comments, `${VAR}` and `${?VAR}` from
 * the environment, arrays (skipped), `include` lines (ignored).  Like
 * pyhocon, `//` only starts a comment at the start of a token, so an
 * unquoted `https://api.clear.ml` is a value.  Later keys win.
 */
#include <config.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clearml.h"
#include "log.h"
#include "util.h"

#define HOCON_MAX_DEPTH 32

struct hocon {
    const char *p;
    const char *end;
    int line;
    char *err;
    size_t errlen;
    int failed;
    /* The values we keep (later wins); owned. */
    char *api_server, *host, *web_server, *access_key, *secret_key;
    char *verify;
};

static void hocon_fail(struct hocon *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void hocon_fail(struct hocon *h, const char *fmt, ...)
{
    va_list ap;
    char *m;

    if (h->failed)
        return;
    h->failed = 1;
    va_start(ap, fmt);
    m = xvasprintf(fmt, ap);
    va_end(ap);
    snprintf(h->err, h->errlen, "line %d: %s", h->line, m);
    free(m);
    /* Quoted keys may hold newlines: keep the error one plain line. */
    for (m = h->err; h->errlen && *m; m++)
        if ((unsigned char)*m < 0x20 || *m == 0x7f)
            *m = '?';
}

static int hocon_peek(const struct hocon *h, size_t off)
{
    return h->p + off < h->end ? (unsigned char)h->p[off] : -1;
}

static void hocon_adv(struct hocon *h)
{
    if (h->p < h->end) {
        if (*h->p == '\n')
            h->line++;
        h->p++;
    }
}

static void hocon_skip_to_eol(struct hocon *h)
{
    while (h->p < h->end && *h->p != '\n')
        h->p++;
}

/* Skips blanks, comments and (when nl) newlines and commas. */
static void hocon_skip(struct hocon *h, int nl)
{
    for (;;) {
        int c = hocon_peek(h, 0);

        if (c == ' ' || c == '\t' || c == '\r' ||
            (nl && (c == '\n' || c == ',')))
            hocon_adv(h);
        else if (c == '#' || (c == '/' && hocon_peek(h, 1) == '/'))
            hocon_skip_to_eol(h);
        else
            return;
    }
}

static int hocon_is_unquoted_key_char(int c)
{
    return c > ' ' && !strchr(".:={}[],\"#$+", c) && c != '/';
}

/* A quoted string at h->p (opening quote included).  Caller frees. */
static char *hocon_quoted(struct hocon *h)
{
    struct buf b = { 0 };
    int triple = hocon_peek(h, 1) == '"' && hocon_peek(h, 2) == '"';

    if (triple) {
        h->p += 3;
        while (h->p < h->end) {
            if (hocon_peek(h, 0) == '"' && hocon_peek(h, 1) == '"' &&
                hocon_peek(h, 2) == '"') {
                h->p += 3;
                return buf_take(&b);
            }
            buf_addc(&b, *h->p);
            hocon_adv(h);
        }
        hocon_fail(h, "unterminated \"\"\" string");
        buf_free(&b);
        return NULL;
    }
    hocon_adv(h);
    while (h->p < h->end && *h->p != '"' && *h->p != '\n') {
        int c = *h->p;

        if (c == '\\') {
            hocon_adv(h);
            c = hocon_peek(h, 0);
            switch (c) {
            case 'n': buf_addc(&b, '\n'); break;
            case 't': buf_addc(&b, '\t'); break;
            case 'r': buf_addc(&b, '\r'); break;
            case 'b': buf_addc(&b, '\b'); break;
            case 'f': buf_addc(&b, '\f'); break;
            case '"': case '\\': case '/': buf_addc(&b, (char)c); break;
            default:
                hocon_fail(h, "bad escape in quoted string");
                buf_free(&b);
                return NULL;
            }
            hocon_adv(h);
            continue;
        }
        buf_addc(&b, (char)c);
        hocon_adv(h);
    }
    if (hocon_peek(h, 0) != '"') {
        hocon_fail(h, "unterminated quoted string");
        buf_free(&b);
        return NULL;
    }
    hocon_adv(h);
    return buf_take(&b);
}

/* key: segments separated by '.', each quoted or unquoted.  Appends the
 * segments to path (dot-joined).  Returns 0 or -1. */
static int hocon_key(struct hocon *h, struct buf *path)
{
    int first = 1;

    for (;;) {
        int c = hocon_peek(h, 0);

        if (!first)
            buf_addc(path, '.');
        if (c == '"') {
            char *s = hocon_quoted(h);

            if (!s)
                return -1;
            buf_adds(path, s);
            free(s);
        } else if (c >= 0 && hocon_is_unquoted_key_char(c)) {
            const char *s = h->p;

            while (h->p < h->end && hocon_is_unquoted_key_char(*h->p))
                hocon_adv(h);
            buf_add(path, s, (size_t)(h->p - s));
        } else {
            hocon_fail(h, "expected a key");
            return -1;
        }
        first = 0;
        if (hocon_peek(h, 0) != '.')
            return 0;
        hocon_adv(h);
    }
}

/* Skips a [...] array, nested brackets and quoted strings included. */
static int hocon_skip_array(struct hocon *h)
{
    int depth = 0;

    while (h->p < h->end) {
        int c = *h->p;

        if (c == '"') {
            char *s = hocon_quoted(h);

            if (!s)
                return -1;
            free(s);
            continue;
        }
        if (c == '#' || (c == '/' && hocon_peek(h, 1) == '/')) {
            hocon_skip_to_eol(h);
            continue;
        }
        if (c == '[' || c == '{')
            depth++;
        else if (c == ']' || c == '}')
            depth--;
        hocon_adv(h);
        if (depth == 0)
            return 0;
    }
    hocon_fail(h, "unterminated array");
    return -1;
}

/* ${VAR} or ${?VAR}, resolved from the environment. */
static int hocon_subst(struct hocon *h, struct buf *val)
{
    const char *s;
    int optional = 0;
    char *name;
    const char *v;

    h->p += 2;
    if (hocon_peek(h, 0) == '?') {
        optional = 1;
        h->p++;
    }
    s = h->p;
    while (h->p < h->end && *h->p != '}' && *h->p != '\n')
        h->p++;
    if (hocon_peek(h, 0) != '}') {
        hocon_fail(h, "unterminated ${...}");
        return -1;
    }
    name = xstrndup(s, (size_t)(h->p - s));
    h->p++;
    v = getenv(name);
    if (!v && !optional) {
        hocon_fail(h, "${%s} is not set in the environment", name);
        free(name);
        return -1;
    }
    if (v)
        buf_adds(val, v);
    free(name);
    return 0;
}

/* A scalar value up to the end of line, ',', '}' or ']' or a comment.
 * Caller frees; NULL on error. */
static char *hocon_scalar(struct hocon *h)
{
    struct buf b = { 0 };
    size_t trail = 0; /* length of b without trailing unquoted blanks */

    for (;;) {
        int c = hocon_peek(h, 0);

        if (c < 0 || c == '\n' || c == ',' || c == '}' || c == ']' ||
            c == '#')
            break;
        if (c == '/' && hocon_peek(h, 1) == '/' &&
            (b.len == 0 || b.p[b.len - 1] == ' ' || b.p[b.len - 1] == '\t'))
            break;
        if (c == '"') {
            char *s = hocon_quoted(h);

            if (!s) {
                buf_free(&b);
                return NULL;
            }
            buf_adds(&b, s);
            free(s);
            trail = b.len;
            continue;
        }
        if (c == '$' && hocon_peek(h, 1) == '{') {
            if (hocon_subst(h, &b) < 0) {
                buf_free(&b);
                return NULL;
            }
            trail = b.len;
            continue;
        }
        buf_addc(&b, (char)c);
        if (c != ' ' && c != '\t' && c != '\r')
            trail = b.len;
        hocon_adv(h);
    }
    b.len = trail;
    if (b.p)
        b.p[b.len] = '\0';
    return buf_take(&b);
}

static void hocon_keep(struct hocon *h, const char *path, char *value)
{
    char **slot = NULL;

    if (strcmp(path, "api.api_server") == 0)
        slot = &h->api_server;
    else if (strcmp(path, "api.host") == 0)
        slot = &h->host;
    else if (strcmp(path, "api.web_server") == 0)
        slot = &h->web_server;
    else if (strcmp(path, "api.credentials.access_key") == 0)
        slot = &h->access_key;
    else if (strcmp(path, "api.credentials.secret_key") == 0)
        slot = &h->secret_key;
    else if (strcmp(path, "api.verify_certificate") == 0)
        slot = &h->verify;
    if (slot) {
        free(*slot);
        *slot = value;
        /* Registered the moment it is read. */
        if (slot == &h->access_key || slot == &h->secret_key)
            log_secret_add(value);
    } else {
        free(value);
    }
}

static int hocon_object(struct hocon *h, struct buf *path, int depth,
                        int braced);

/* After a key: separator and value. */
static int hocon_member(struct hocon *h, struct buf *path, int depth)
{
    int c;

    hocon_skip(h, 0);
    c = hocon_peek(h, 0);
    if (c == '\n') {
        /* "api\n{": an object may open on the next line. */
        const char *save = h->p;
        int line = h->line;

        while (hocon_peek(h, 0) == '\n' || hocon_peek(h, 0) == ' ' ||
               hocon_peek(h, 0) == '\t' || hocon_peek(h, 0) == '\r')
            hocon_adv(h);
        if (hocon_peek(h, 0) != '{') {
            h->p = save;
            h->line = line;
        }
        c = hocon_peek(h, 0);
    }
    if (c == '+' && hocon_peek(h, 1) == '=') {
        h->p += 2;
    } else if (c == ':' || c == '=') {
        hocon_adv(h);
    } else if (c != '{') {
        hocon_fail(h, "expected ':', '=' or '{' after key \"%s\"", path->p);
        return -1;
    }
    hocon_skip(h, 0);
    c = hocon_peek(h, 0);
    if (c == '{') {
        hocon_adv(h);
        return hocon_object(h, path, depth + 1, 1);
    }
    if (c == '[')
        return hocon_skip_array(h);
    {
        char *v = hocon_scalar(h);

        if (!v)
            return -1;
        hocon_keep(h, path->p, v);
    }
    return 0;
}

static int hocon_object(struct hocon *h, struct buf *path, int depth,
                        int braced)
{
    size_t base = path->len;

    if (depth > HOCON_MAX_DEPTH) {
        hocon_fail(h, "objects nested too deeply");
        return -1;
    }
    for (;;) {
        int c;

        hocon_skip(h, 1);
        c = hocon_peek(h, 0);
        if (c < 0) {
            if (braced) {
                hocon_fail(h, "missing '}'");
                return -1;
            }
            return 0;
        }
        if (c == '}') {
            if (!braced) {
                hocon_fail(h, "unexpected '}'");
                return -1;
            }
            hocon_adv(h);
            return 0;
        }
        if (c == 'i' && h->end - h->p > 8 &&
            strncmp(h->p, "include", 7) == 0 &&
            (h->p[7] == ' ' || h->p[7] == '\t')) {
            hocon_skip_to_eol(h);
            continue;
        }
        path->len = base;
        if (base > 0)
            buf_addc(path, '.');
        else if (path->p)
            path->p[0] = '\0';
        if (hocon_key(h, path) < 0 || hocon_member(h, path, depth) < 0)
            return -1;
        path->len = base;
        if (path->p)
            path->p[base] = '\0';
    }
}

static void hocon_set(char **dst, char **src)
{
    if (!*dst && *src) {
        *dst = *src;
        *src = NULL;
    }
}

int clearml_conf_parse_hocon(const char *text, size_t len,
                             struct clearml_conf *cc, char *err,
                             size_t errlen)
{
    struct hocon h;
    struct buf path = { 0 };
    int rc;

    memset(&h, 0, sizeof h);
    h.p = text;
    h.end = text + len;
    h.line = 1;
    h.err = err;
    h.errlen = errlen;
    if (errlen)
        err[0] = '\0';
    /* A root may itself be wrapped in braces. */
    hocon_skip(&h, 1);
    if (hocon_peek(&h, 0) == '{') {
        hocon_adv(&h);
        rc = hocon_object(&h, &path, 0, 1);
        if (rc == 0) {
            hocon_skip(&h, 1);
            if (h.p < h.end) {
                hocon_fail(&h, "text after the root object");
                rc = -1;
            }
        }
    } else {
        rc = hocon_object(&h, &path, 0, 0);
    }
    buf_free(&path);
    if (rc == 0) {
        hocon_set(&cc->api_host, &h.api_server);
        hocon_set(&cc->api_host, &h.host);
        hocon_set(&cc->web_host, &h.web_server);
        hocon_set(&cc->access_key, &h.access_key);
        hocon_set(&cc->secret_key, &h.secret_key);
        if (h.verify && cc->verify < 0 && !cc->ca_bundle) {
            int b;

            if (conf_parse_bool(h.verify, &b) == 0) {
                cc->verify = b;
            } else {
                cc->verify = 1;
                cc->ca_bundle = h.verify;
                h.verify = NULL;
            }
        }
    }
    free(h.api_server);
    free(h.host);
    free(h.web_server);
    free(h.access_key);
    free(h.secret_key);
    free(h.verify);
    return rc;
}
