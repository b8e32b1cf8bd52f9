/*
 * utf8.c - U+FFFD for every byte that is not part of a valid UTF-8
 * sequence, so plugin text can go into JSON, request bodies and reports
 * without each writer checking again.
 */
#include <config.h>

#include "utf8.h"

#include "util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define UTF8_FFFD "\xef\xbf\xbd"

size_t utf8_seq_len(const unsigned char *p)
{
    size_t n, i;
    unsigned long cp;

    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xE0) == 0xC0) {
        n = 2;
        cp = p[0] & 0x1F;
    } else if ((p[0] & 0xF0) == 0xE0) {
        n = 3;
        cp = p[0] & 0x0F;
    } else if ((p[0] & 0xF8) == 0xF0) {
        n = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
        (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

int utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n;

    while (*p != '\0') {
        n = utf8_seq_len(p);
        if (n == 0)
            return 0;
        p += n;
    }
    return 1;
}

char *utf8_clean(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    struct buf b = {0};
    size_t n;

    if (s == NULL)
        return NULL;
    if (utf8_valid(s))
        return xstrdup(s);
    while (*p != '\0') {
        n = utf8_seq_len(p);
        if (n == 0) {
            buf_adds(&b, UTF8_FFFD);
            p++;
        } else {
            buf_add(&b, (const char *)p, n);
            p += n;
        }
    }
    return buf_take(&b);
}

/* Replace s (owned by cJSON) with its clean copy when it needs one. */
static void utf8_fix_str(char **s)
{
    char *c;

    if (*s == NULL || utf8_valid(*s))
        return;
    c = utf8_clean(*s);
    cJSON_free(*s);
    *s = (char *)cJSON_malloc(strlen(c) + 1);
    if (*s == NULL)
        abort(); /* as xmalloc: no half-cleaned tree */
    memcpy(*s, c, strlen(c) + 1);
    free(c);
}

static void utf8_fix_tree(cJSON *t)
{
    for (; t != NULL; t = t->next) {
        if (!(t->type & cJSON_StringIsConst))
            utf8_fix_str(&t->string);
        if (cJSON_IsString(t) || cJSON_IsRaw(t))
            utf8_fix_str(&t->valuestring);
        utf8_fix_tree(t->child);
    }
}

struct cJSON *utf8_clean_json(const struct cJSON *tree)
{
    cJSON *copy;

    if (tree == NULL)
        return NULL;
    copy = cJSON_Duplicate(tree, 1);
    if (copy == NULL)
        abort();
    utf8_fix_tree(copy);
    return copy;
}
