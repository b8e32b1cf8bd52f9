/*
 * validate.c - identifier and number rules (see validate.h).  Each rule
 * is a whitelist: what passes cannot carry a path separator, a query, a
 * fragment, a quote, a control character or a line break into a request
 * or a log line.
 */
#include <config.h>

#include "validate.h"

#include <math.h>
#include <string.h>

static int validate_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

static int validate_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

int validate_clearml_id(const char *s)
{
    size_t n;

    if (s == NULL)
        return 0;
    for (n = 0; s[n] != '\0'; n++)
        if (n == 64 || !(validate_alnum(s[n]) || s[n] == '_' ||
                         s[n] == '-'))
            return 0;
    return n > 0;
}

/* One path segment of n characters: letters, digits, '-', '_', '.'; not
 * "." or "..".  GitLab also forbids a leading '-' or '.' and a trailing
 * ".git"/".atom". */
static int validate_segment(const char *s, size_t n, int gitlab)
{
    size_t i;

    if (n == 0 || n > 100)
        return 0;
    for (i = 0; i < n; i++)
        if (!validate_alnum(s[i]) && s[i] != '-' && s[i] != '_' &&
            s[i] != '.')
            return 0;
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return 0;
    if (gitlab) {
        if (s[0] == '-' || s[0] == '.')
            return 0;
        if ((n >= 4 && strncmp(s + n - 4, ".git", 4) == 0) ||
            (n >= 5 && strncmp(s + n - 5, ".atom", 5) == 0))
            return 0;
    }
    return 1;
}

int validate_repo(const char *s, int gitlab)
{
    size_t segs = 0;
    const char *p;

    if (s == NULL || strlen(s) > 255)
        return 0;
    for (p = s;; ) {
        size_t n = strcspn(p, "/");

        if (!validate_segment(p, n, gitlab))
            return 0;
        segs++;
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    return gitlab ? segs >= 2 : segs == 2;
}

int validate_login(const char *s)
{
    size_t n, i;

    if (s == NULL)
        return 0;
    n = strlen(s);
    if (n > 5 && strcmp(s + n - 5, "[bot]") == 0)
        n -= 5;
    if (n == 0 || n > 100)
        return 0;
    for (i = 0; i < n; i++)
        if (!validate_alnum(s[i]) && s[i] != '-' && s[i] != '_' &&
            s[i] != '.')
            return 0;
    return 1;
}

int validate_sha(const char *s)
{
    size_t n;

    if (s == NULL)
        return 0;
    for (n = 0; s[n] != '\0'; n++)
        if (n == 40 || !validate_hex(s[n]))
            return 0;
    return n == 40;
}

int validate_pr_number(const char *s, long *out)
{
    long v = 0;
    size_t n;

    if (s == NULL || s[0] < '1' || s[0] > '9')
        return 0;
    for (n = 0; s[n] != '\0'; n++) {
        if (s[n] < '0' || s[n] > '9')
            return 0;
        if (v > (2147483647L - (s[n] - '0')) / 10)
            return 0;
        v = v * 10 + (s[n] - '0');
    }
    *out = v;
    return 1;
}

int validate_pr_double(double v)
{
    return validate_finite(v, 1, 2147483647.0) && v == floor(v);
}

int validate_finite(double v, double lo, double hi)
{
    return isfinite(v) && v >= lo && v <= hi;
}

/* Digits with an optional fraction at *p; advances *p.  Returns 0 when
 * there is no digit at all.  Too many digits only saturate: the caller's
 * bound rejects the value. */
static int validate_decimal(const char **p, double *out)
{
    const char *s = *p;
    double v = 0, scale = 1;
    int digits = 0;

    for (; *s >= '0' && *s <= '9'; s++, digits++)
        v = v < 1e300 ? v * 10 + (*s - '0') : v;
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
            scale /= 10;
            v += (*s - '0') * scale;
        }
    }
    if (digits == 0)
        return 0;
    *p = s;
    *out = v;
    return 1;
}

int validate_duration(const char *s, double max_s, double *out)
{
    double total = 0;
    const char *p = s;
    int parts = 0;

    if (s == NULL || *s == '\0')
        return 0;
    while (*p != '\0') {
        double v, mult;

        if (!validate_decimal(&p, &v))
            return 0;
        switch (*p) {
        case '\0':
            /* A bare number is seconds, but only on its own. */
            if (parts > 0)
                return 0;
            mult = 1;
            break;
        case 's':
            mult = 1;
            break;
        case 'm':
            mult = 60;
            break;
        case 'h':
            mult = 3600;
            break;
        case 'd':
            mult = 86400;
            break;
        default:
            return 0;
        }
        if (*p != '\0')
            p++;
        /* Each part is bounded before it is added: no overflow. */
        if (v > max_s || v * mult > max_s - total)
            return 0;
        total += v * mult;
        parts++;
    }
    *out = total;
    return 1;
}
