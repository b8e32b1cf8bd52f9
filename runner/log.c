/*
 * log.c - masked diagnostics (see log.h).  Secrets live in a small array;
 * masking is a plain substring replace, which is enough for the few
 * tokens a run knows and cheap next to any network call.
 */
#include <config.h>

#include "log.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SECRETS 32

static int verbosity = 2;
static char *secrets[MAX_SECRETS];
static size_t nsecrets;

void log_init(int v)
{
    verbosity = v;
}

void log_secret_add(const char *secret)
{
    size_t i;
    const char *gha;

    if (secret == NULL || strlen(secret) < 4)
        return;
    for (i = 0; i < nsecrets; i++)
        if (strcmp(secrets[i], secret) == 0)
            return;
    if (nsecrets == MAX_SECRETS)
        return;
    /* A secret with a newline cannot be masked by one ::add-mask:: line;
     * register each line too so our own masking still catches them. */
    secrets[nsecrets++] = xstrdup(secret);
    gha = getenv("GITHUB_ACTIONS");
    if (gha != NULL && strcmp(gha, "true") == 0 &&
        strchr(secret, '\n') == NULL) {
        printf("::add-mask::%s\n", secret);
        fflush(stdout);
    }
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
    char *m, *masked, *p;

    if (err == NULL)
        return;
    memset(err, 0, sizeof(*err));
    err->kind = kind;
    err->status = status;
    err->subcode = subcode;
    va_start(ap, fmt);
    m = xvasprintf(fmt, ap);
    va_end(ap);
    for (p = m; *p != '\0'; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    masked = log_mask(m);
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
