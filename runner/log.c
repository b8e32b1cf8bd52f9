/*
 * log.c - masked, folded diagnostics (see log.h).  Secrets live in a
 * growable array; masking is a plain substring replace, which is enough
 * for the few tokens a run knows and cheap next to any network call.
 */
#include <config.h>

#include "log.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

static int verbosity = 2;
/* Every secret registered so far; grows without limit (a dropped secret
 * would be printed). */
static char **secrets;
static size_t nsecrets, capsecrets;

void log_init(int v)
{
    verbosity = v;
}

/* Remember one value (copied) unless known or too short; in GitHub
 * Actions also ask the runner to mask it.  value has no line break. */
static void log_secret_one(const char *value, size_t n)
{
    const char *gha;
    size_t i;

    if (n < 4)
        return;
    for (i = 0; i < nsecrets; i++)
        if (strlen(secrets[i]) == n && strncmp(secrets[i], value, n) == 0)
            return;
    if (nsecrets == capsecrets) {
        capsecrets = capsecrets ? capsecrets * 2 : 16;
        secrets = xrealloc(secrets, capsecrets * sizeof *secrets);
    }
    secrets[nsecrets++] = xstrndup(value, n);
    gha = getenv("GITHUB_ACTIONS");
    if (gha != NULL && strcmp(gha, "true") == 0 &&
        memchr(value, '\n', n) == NULL && memchr(value, '\r', n) == NULL) {
        printf("::add-mask::%.*s\n", (int)n, value);
        fflush(stdout);
    }
}

void log_secret_add(const char *secret)
{
    const char *p;

    if (secret == NULL)
        return;
    /* The whole value first, so the longest match masks it at once. */
    log_secret_one(secret, strlen(secret));
    if (strpbrk(secret, "\r\n") == NULL)
        return;
    /* One ::add-mask:: line cannot carry a line break: register (and
     * announce) each line, so a secret split across lines of some output
     * is still masked line by line. */
    for (p = secret; *p != '\0'; ) {
        size_t n = strcspn(p, "\r\n");

        log_secret_one(p, n);
        p += n;
        p += strspn(p, "\r\n");
    }
}

size_t log_secret_count(void)
{
    return nsecrets;
}

void log_fold_inplace(char *s)
{
    unsigned char *r = (unsigned char *)s, *w = (unsigned char *)s;

    if (s == NULL)
        return;
    while (*r != '\0') {
        if (*r < 0x20 || *r == 0x7f) {
            *w++ = ' ';
            r++;
        } else if (r[0] == 0xc2 && r[1] >= 0x80 && r[1] <= 0x9f) {
            /* C1 controls (U+0080..U+009F) as UTF-8: NEL is a line
             * break to some readers, CSI an escape to terminals. */
            *w++ = ' ';
            r += 2;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

char *log_fold(const char *s)
{
    char *c = xstrdup(s != NULL ? s : "");

    log_fold_inplace(c);
    return c;
}

int log_has_secret(const char *s)
{
    size_t i;

    if (s == NULL)
        return 0;
    for (i = 0; i < nsecrets; i++)
        if (strstr(s, secrets[i]) != NULL)
            return 1;
    return 0;
}

char *log_mask(const char *s)
{
    struct buf b = {0};
    const char *p = s;

    if (s == NULL)
        return xstrdup("");
    if (!log_has_secret(s))
        return xstrdup(s);
    while (*p != '\0') {
        size_t i, hit = 0;

        for (i = 0; i < nsecrets; i++) {
            size_t n = strlen(secrets[i]);

            if (strncmp(p, secrets[i], n) == 0 && n > hit)
                hit = n;
        }
        if (hit > 0) {
            buf_adds(&b, "***");
            p += hit;
        } else {
            buf_addc(&b, *p++);
        }
    }
    return buf_take(&b);
}

void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap)
{
    char *raw, *masked;
    size_t n;

    if (level > verbosity)
        return;
    raw = xvasprintf(fmt, ap);
    masked = log_mask(raw);
    n = strlen(masked);
    while (n > 0 && masked[n - 1] == '\n')
        masked[--n] = '\0';
    /* Whatever a server, plugin or payload put in the text, it stays one
     * line that starts with "mlgate: ", never a workflow command. */
    log_fold_inplace(masked);
    if (prefix != NULL)
        fprintf(stderr, "mlgate: %s: %s\n", prefix, masked);
    else
        fprintf(stderr, "mlgate: %s\n", masked);
    free(raw);
    free(masked);
}

void log_msg(int level, const char *prefix, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vmsg(level, prefix, fmt, ap);
    va_end(ap);
}

void log_seterr(struct mlg_error *err, int kind, int status, int subcode,
                const char *fmt, ...)
{
    va_list ap;
    char *m, *masked;

    if (err == NULL)
        return;
    memset(err, 0, sizeof(*err));
    err->kind = kind;
    err->status = status;
    err->subcode = subcode;
    va_start(ap, fmt);
    m = xvasprintf(fmt, ap);
    va_end(ap);
    masked = log_mask(m);
    log_fold_inplace(masked);
    snprintf(err->message, sizeof(err->message), "%s", masked);
    free(masked);
    free(m);
}

int log_fputs_masked(const char *s, FILE *f)
{
    char *m = log_mask(s);
    int rc = fputs(m, f) < 0 ? -1 : 0;

    free(m);
    return rc;
}
