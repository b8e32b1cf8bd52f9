/*
 * forge.c - helpers the sandbox's GitHub and GitLab handlers share:
 * path splitting on the raw URI, query arguments, code point counts and
 * timestamps.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "forge.h"
#include "sandbox.h"
#include "util.h"

/* Splits the raw path below `prefix` into decoded segments.  Returns the
 * count; segs[i] are owned by the caller (free each). */
int forge_split(const struct sbx_req *q, size_t prefix, char **segs,
                int max)
{
    const char *p = q->raw_uri + prefix;
    const char *end = strchr(p, '?');
    int n = 0;

    if (end == NULL)
        end = p + strlen(p);
    while (p < end && n < max) {
        const char *sl;

        while (p < end && *p == '/')
            p++;
        if (p >= end)
            break;
        sl = memchr(p, '/', (size_t)(end - p));
        if (sl == NULL)
            sl = end;
        segs[n] = xstrndup(p, (size_t)(sl - p));
        MHD_http_unescape(segs[n]);
        n++;
        p = sl;
    }
    return n;
}

void forge_free(char **segs, int n)
{
    int i;

    for (i = 0; i < n; i++)
        free(segs[i]);
}

/* Number of UTF-8 code points. */
size_t forge_codepoints(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

long forge_arg_long(const struct sbx_req *q, const char *name, long def)
{
    char *v = req_query_arg(q, name);
    char *end;
    long n;

    if (v == NULL)
        return def;
    n = strtol(v, &end, 10);
    if (*end != '\0' || end == v)
        n = def;
    free(v);
    return n;
}

const char *forge_str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "http://HOST" of this request.  Caller frees. */
char *forge_origin(const struct sbx_req *q)
{
    const char *host = req_header(q, "Host");

    return xasprintf("http://%s", host ? host : "127.0.0.1");
}

char *forge_now_z(void)
{
    char *s = world_iso(world_now_ms());

    s[19] = 'Z';
    s[20] = '\0';
    return s;
}
