/*
 * query.c - tasks.get_all as the ClearML server evaluates it: list
 * filters with exclusion and operators, name and _all_/_any_ regexes,
 * hidden tasks, order_by, paging and only_fields.
 */
#include <config.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sandbox.h"
#include "util.h"

#define QUERY_MAX_PAGE 500
#define QUERY_MAX_TERMS 64

/* A list filter: field value(s) against include/exclude terms. */
struct query_list {
    const char *field;
    int multi;                  /* tags-like array field */
    const char *any[QUERY_MAX_TERMS];
    int nany;
    const char *all[QUERY_MAX_TERMS];
    int nall;
    const char *none[QUERY_MAX_TERMS];
    int nnone;
};

/* _all_ / _any_ */
struct query_multi {
    int active;
    int all;                    /* AND over fields, else OR */
    const char *fields[QUERY_MAX_TERMS];
    int nfields;
    int plain;                  /* no regex metacharacters: substring */
    const char *pattern;
    regex_t re;
};

struct query_sort {
    const char *path[8];
    int desc[8];
    int n;
};

struct query_row {
    struct sbx_task *t;
    const cJSON *keys[8];
};

static const struct query_sort *query_cur_sort;

/* Translates Python regex shorthands POSIX ERE lacks.  Caller frees. */
static char *query_translate(const char *p)
{
    struct buf b = { 0 };

    for (; *p != '\0'; p++) {
        if (*p == '\\' && p[1] != '\0') {
            const char *rep = NULL;

            switch (p[1]) {
            case 'd': rep = "[0-9]"; break;
            case 'D': rep = "[^0-9]"; break;
            case 'w': rep = "[A-Za-z0-9_]"; break;
            case 'W': rep = "[^A-Za-z0-9_]"; break;
            case 's': rep = "[[:space:]]"; break;
            case 'S': rep = "[^[:space:]]"; break;
            default: break;
            }
            if (rep != NULL) {
                buf_adds(&b, rep);
            } else {
                buf_addc(&b, '\\');
                buf_addc(&b, p[1]);
            }
            p++;
            continue;
        }
        buf_addc(&b, *p);
    }
    return buf_take(&b);
}

static int query_compile(regex_t *re, const char *pattern, int icase)
{
    char *tr = query_translate(pattern);
    int rc = regcomp(re, tr, REG_EXTENDED | REG_NOSUB |
                     (icase ? REG_ICASE : 0));

    free(tr);
    return rc;
}

int query_regex_ok(const char *pattern, int icase, char *err, size_t n)
{
    regex_t re;

    if (query_compile(&re, pattern, icase) != 0) {
        snprintf(err, n, "malformed regular expression");
        return -1;
    }
    regfree(&re);
    return 0;
}

/* The value at a dotted path, or NULL. */
static const cJSON *query_path(const cJSON *doc, const char *path)
{
    char part[128];
    const char *dot;

    for (dot = strchr(path, '.'); dot != NULL; dot = strchr(path, '.')) {
        size_t n = (size_t)(dot - path);

        if (n >= sizeof(part))
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        doc = cJSON_GetObjectItemCaseSensitive(doc, part);
        if (!cJSON_IsObject(doc))
            return NULL;
        path = dot + 1;
    }
    return cJSON_GetObjectItemCaseSensitive(doc, path);
}

cJSON *query_only_fields(const cJSON *doc, const cJSON *only)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *f, *idv = cJSON_GetObjectItemCaseSensitive(doc, "id");

    if (idv != NULL)
        cJSON_AddItemToObject(out, "id", cJSON_Duplicate(idv, 1));
    cJSON_ArrayForEach(f, only) {
        const cJSON *v;
        char *path, *p, *dot;
        cJSON *dst = out;

        if (!cJSON_IsString(f) || strcmp(f->valuestring, "id") == 0)
            continue;
        v = query_path(doc, f->valuestring);
        if (v == NULL)
            continue;
        path = xstrdup(f->valuestring);
        p = path;
        for (dot = strchr(p, '.'); dot != NULL; dot = strchr(p, '.')) {
            cJSON *sub;

            *dot = '\0';
            sub = cJSON_GetObjectItemCaseSensitive(dst, p);
            if (sub == NULL) {
                sub = cJSON_CreateObject();
                cJSON_AddItemToObject(dst, p, sub);
            }
            dst = sub;
            p = dot + 1;
        }
        if (!cJSON_HasObjectItem(dst, p))
            cJSON_AddItemToObject(dst, p, cJSON_Duplicate(v, 1));
        free(path);
    }
    return out;
}

/* ---- errors (the envelope lives in clearml.c) */

static void query_bad(struct sbx_req *q, struct sbx_resp *r,
                      const char *field, const char *want)
{
    cJSON *ed = cJSON_CreateObject();
    char *msg = xasprintf("Validation error (error for field '%s'. "
                          "expected %s)", field, want);

    cJSON_AddStringToObject(ed, "field", field);
    cJSON_AddStringToObject(ed, "expected", want);
    clearml_error(q, r, 400, 12, msg, ed);
    free(msg);
}

static void query_bad_regex(struct sbx_req *q, struct sbx_resp *r,
                            const char *pattern)
{
    cJSON *ed = cJSON_CreateObject();
    char *msg = xasprintf("Malformed regular expression: pattern=%s",
                          pattern);

    cJSON_AddStringToObject(ed, "pattern", pattern);
    clearml_error(q, r, 400, 21, msg, ed);
    free(msg);
}

/* Parses a list filter.  Returns 0 (l->field NULL when absent) or -1
 * after answering. */
static int query_parse_list(struct sbx_req *q, struct sbx_resp *r,
                            const cJSON *b, const char *field, int multi,
                            struct query_list *l)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, field), *e;
    int mode_all = 0, negate_next = 0;

    memset(l, 0, sizeof(*l));
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (cJSON_IsString(v)) {
        l->field = field;
        l->multi = multi;
        if (v->valuestring[0] == '-' && multi)
            l->none[l->nnone++] = v->valuestring + 1;
        else
            l->any[l->nany++] = v->valuestring;
        return 0;
    }
    if (!cJSON_IsArray(v)) {
        query_bad(q, r, field, "array of strings");
        return -1;
    }
    l->field = field;
    l->multi = multi;
    cJSON_ArrayForEach(e, v) {
        const char *s;

        if (!cJSON_IsString(e)) {
            cJSON *ed = cJSON_CreateObject();
            char *msg = xasprintf("Invalid type for fields: field=%s, "
                                  "expected=string", field);

            cJSON_AddStringToObject(ed, "field", field);
            clearml_error(q, r, 400, 20, msg, ed);
            free(msg);
            return -1;
        }
        s = e->valuestring;
        if (strcmp(s, "__$all") == 0 || strcmp(s, "__$and") == 0) {
            mode_all = 1;
            continue;
        }
        if (strcmp(s, "__$any") == 0 || strcmp(s, "__$or") == 0) {
            mode_all = 0;
            continue;
        }
        if (strcmp(s, "__$not") == 0) {
            negate_next = 1;
            continue;
        }
        if (strcmp(s, "__$nop") == 0)
            continue;
        if (l->nany >= QUERY_MAX_TERMS || l->nall >= QUERY_MAX_TERMS ||
            l->nnone >= QUERY_MAX_TERMS)
            continue;
        if (negate_next || (s[0] == '-' && s[1] != '\0')) {
            l->none[l->nnone++] = negate_next ? s : s + 1;
            negate_next = 0;
        } else if (mode_all) {
            l->all[l->nall++] = s;
        } else {
            l->any[l->nany++] = s;
        }
    }
    return 0;
}

static int query_has(const cJSON *v, const char *s)
{
    const cJSON *e;

    if (cJSON_IsString(v))
        return strcmp(v->valuestring, s) == 0;
    cJSON_ArrayForEach(e, v)
        if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
            return 1;
    return 0;
}

static int query_list_match(const struct query_list *l, const cJSON *doc)
{
    const cJSON *v;
    int i, ok;

    if (l->field == NULL)
        return 1;
    v = cJSON_GetObjectItemCaseSensitive(doc, l->field);
    for (i = 0; i < l->nnone; i++)
        if (query_has(v, l->none[i]))
            return 0;
    for (i = 0; i < l->nall; i++)
        if (!query_has(v, l->all[i]))
            return 0;
    if (l->nany == 0)
        return 1;
    ok = 0;
    for (i = 0; i < l->nany && !ok; i++)
        ok = query_has(v, l->any[i]);
    return ok;
}

static int query_is_plain(const char *p)
{
    return strpbrk(p, ".^$|?*+()[]{}\\") == NULL;
}

static int query_parse_multi(struct sbx_req *q, struct sbx_resp *r,
                             const cJSON *b, const char *key,
                             struct query_multi *m)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, key), *f, *pat;
    const cJSON *e;

    memset(m, 0, sizeof(*m));
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsObject(v)) {
        query_bad(q, r, key, "object");
        return -1;
    }
    f = cJSON_GetObjectItemCaseSensitive(v, "fields");
    pat = cJSON_GetObjectItemCaseSensitive(v, "pattern");
    if (!cJSON_IsArray(f)) {
        query_bad(q, r, key, "object with a 'fields' array");
        return -1;
    }
    if (pat == NULL || cJSON_IsNull(pat))
        return 0;   /* datetime constraints are not simulated */
    if (!cJSON_IsString(pat)) {
        query_bad(q, r, key, "object with a string 'pattern'");
        return -1;
    }
    cJSON_ArrayForEach(e, f)
        if (cJSON_IsString(e) && m->nfields < QUERY_MAX_TERMS)
            m->fields[m->nfields++] = e->valuestring;
    m->pattern = pat->valuestring;
    m->plain = query_is_plain(m->pattern);
    if (!m->plain && query_compile(&m->re, m->pattern, 1) != 0) {
        query_bad_regex(q, r, m->pattern);
        return -1;
    }
    m->all = strcmp(key, "_all_") == 0;
    m->active = 1;
    return 0;
}

/* Case-insensitive substring or regex search in one value. */
static int query_multi_value(const struct query_multi *m, const cJSON *v)
{
    char num[64];
    const cJSON *e;
    const char *s;

    if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(e, v)
            if (query_multi_value(m, e))
                return 1;
        return 0;
    }
    if (cJSON_IsString(v)) {
        s = v->valuestring;
    } else if (cJSON_IsNumber(v)) {
        snprintf(num, sizeof(num), "%g", v->valuedouble);
        s = num;
    } else {
        return 0;
    }
    if (m->plain)
        return strcasestr(s, m->pattern) != NULL;
    return regexec(&m->re, s, 0, NULL, 0) == 0;
}

static int query_multi_match(const struct query_multi *m, const cJSON *doc)
{
    int i;

    if (!m->active)
        return 1;
    for (i = 0; i < m->nfields; i++) {
        int hit = query_multi_value(m, query_path(doc, m->fields[i]));

        if (m->all && !hit)
            return 0;
        if (!m->all && hit)
            return 1;
    }
    return m->all;
}

/* Mongo-like order: missing/null first, then numbers, then strings. */
static int query_cmp_val(const cJSON *a, const cJSON *b)
{
    int ra = a == NULL || cJSON_IsNull(a) ? 0 : cJSON_IsNumber(a) ? 1 : 2;
    int rb = b == NULL || cJSON_IsNull(b) ? 0 : cJSON_IsNumber(b) ? 1 : 2;

    if (ra != rb)
        return ra - rb;
    if (ra == 1)
        return a->valuedouble < b->valuedouble ? -1 :
               a->valuedouble > b->valuedouble;
    if (ra == 2 && cJSON_IsString(a) && cJSON_IsString(b))
        return strcmp(a->valuestring, b->valuestring);
    return 0;
}

static int query_cmp_rows(const void *pa, const void *pb)
{
    const struct query_row *a = pa, *b = pb;
    int i, c;

    for (i = 0; i < query_cur_sort->n; i++) {
        c = query_cmp_val(a->keys[i], b->keys[i]);
        if (c != 0)
            return query_cur_sort->desc[i] ? -c : c;
    }
    return strcmp(a->t->id, b->t->id);
}

static int query_int(struct sbx_req *q, struct sbx_resp *r, const cJSON *b,
                     const char *field, long def, long min, long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, field);

    *out = def;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long)v->valuedouble)
        goto bad;
    *out = (long)v->valuedouble;
    if (*out < min)
        goto bad;
    return 0;
bad:
    {
        cJSON *ed = cJSON_CreateObject();
        char *msg = xasprintf("Validation error (error for field '%s'. "
                              "expected integer >= %ld)", field, min);

        cJSON_AddStringToObject(ed, "field", field);
        clearml_error(q, r, 400, 12, msg, ed);
        free(msg);
    }
    return -1;
}

void query_tasks(struct sbx_req *q, struct sbx_resp *r, const cJSON *b)
{
    static const struct { const char *f; int multi; } lists[] = {
        { "id", 0 }, { "user", 0 }, { "project", 0 }, { "type", 0 },
        { "status", 0 }, { "parent", 0 }, { "tags", 1 },
        { "system_tags", 1 },
    };
    enum { NLISTS = sizeof(lists) / sizeof(lists[0]) };
    struct query_list ls[NLISTS];
    struct query_multi m_all, m_any;
    struct query_sort sort;
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(b, "name");
    const cJSON *only = cJSON_GetObjectItemCaseSensitive(b, "only_fields");
    const cJSON *ob = cJSON_GetObjectItemCaseSensitive(b, "order_by");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(b, "search_hidden");
    const cJSON *stx = cJSON_GetObjectItemCaseSensitive(b, "search_text");
    const cJSON *e;
    regex_t name_re;
    int has_name = 0, hidden_ok, i, k;
    long page, page_size;
    struct query_row *rows = NULL;
    size_t nrows = 0, j, from, to;
    cJSON *data, *arr;

    memset(&m_all, 0, sizeof(m_all));
    memset(&m_any, 0, sizeof(m_any));
    for (i = 0; i < NLISTS; i++)
        if (query_parse_list(q, r, b, lists[i].f, lists[i].multi,
                             &ls[i]) != 0)
            return;
    if (query_int(q, r, b, "page", 0, 0, &page) != 0 ||
        query_int(q, r, b, "page_size", QUERY_MAX_PAGE, 1, &page_size) != 0)
        return;
    if (page_size > QUERY_MAX_PAGE)
        page_size = QUERY_MAX_PAGE;
    if (only != NULL && !cJSON_IsNull(only) && !cJSON_IsArray(only)) {
        query_bad(q, r, "only_fields", "array of strings");
        return;
    }
    if (sh != NULL && !cJSON_IsNull(sh) && !cJSON_IsBool(sh)) {
        query_bad(q, r, "search_hidden", "boolean");
        return;
    }
    if (stx != NULL && !cJSON_IsNull(stx) && !cJSON_IsString(stx)) {
        query_bad(q, r, "search_text", "string");
        return;
    }
    memset(&sort, 0, sizeof(sort));
    if (cJSON_IsString(ob)) {
        sort.desc[0] = ob->valuestring[0] == '-';
        sort.path[sort.n++] = ob->valuestring + sort.desc[0];
    } else if (cJSON_IsArray(ob)) {
        cJSON_ArrayForEach(e, ob) {
            if (!cJSON_IsString(e)) {
                query_bad(q, r, "order_by", "array of strings");
                return;
            }
            if (sort.n < 8 && e->valuestring[0] != '\0') {
                sort.desc[sort.n] = e->valuestring[0] == '-';
                sort.path[sort.n] = e->valuestring + sort.desc[sort.n];
                sort.n++;
            }
        }
    } else if (ob != NULL && !cJSON_IsNull(ob)) {
        query_bad(q, r, "order_by", "array of strings");
        return;
    }
    if (nm != NULL && !cJSON_IsNull(nm)) {
        if (!cJSON_IsString(nm)) {
            query_bad(q, r, "name", "string");
            return;
        }
        if (query_compile(&name_re, nm->valuestring, 0) != 0) {
            query_bad_regex(q, r, nm->valuestring);
            return;
        }
        has_name = 1;
    }
    if (query_parse_multi(q, r, b, "_all_", &m_all) != 0)
        goto out;
    if (query_parse_multi(q, r, b, "_any_", &m_any) != 0)
        goto out;
    /* Hidden tasks only with search_hidden or an explicit id. */
    hidden_ok = cJSON_IsTrue(sh) || ls[0].field != NULL;

    for (j = 0; j < sbx_w.ntasks; j++) {
        struct sbx_task *t = sbx_w.tasks[j];
        const cJSON *doc = t->doc;
        int ok = 1;

        /* The commit pattern is the most selective: test it first. */
        if (!query_multi_match(&m_all, doc) ||
            !query_multi_match(&m_any, doc))
            continue;
        if (!hidden_ok && query_has(cJSON_GetObjectItemCaseSensitive(
                doc, "system_tags"), "hidden"))
            continue;
        for (i = 0; i < NLISTS && ok; i++)
            ok = query_list_match(&ls[i], doc);
        if (!ok)
            continue;
        if (has_name) {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(doc, "name");

            if (!cJSON_IsString(n) ||
                regexec(&name_re, n->valuestring, 0, NULL, 0) != 0)
                continue;
        }
        if (cJSON_IsString(stx) && stx->valuestring[0] != '\0') {
            const char *s = stx->valuestring;
            const cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, "name");
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc,
                                                             "comment");

            if (strcasestr(t->id, s) == NULL &&
                !(cJSON_IsString(a) && strcasestr(a->valuestring, s)) &&
                !(cJSON_IsString(c) && strcasestr(c->valuestring, s)))
                continue;
        }
        if ((nrows & (nrows - 1)) == 0)
            rows = xrealloc(rows, (nrows ? nrows * 2 : 1) * sizeof(*rows));
        rows[nrows].t = t;
        for (k = 0; k < sort.n; k++)
            rows[nrows].keys[k] = query_path(doc, sort.path[k]);
        nrows++;
    }
    if (sort.n > 0 && nrows > 1) {
        query_cur_sort = &sort;
        qsort(rows, nrows, sizeof(*rows), query_cmp_rows);
    }
    from = (size_t)page * (size_t)page_size;
    to = from + (size_t)page_size;
    if (to > nrows)
        to = nrows;
    data = cJSON_CreateObject();
    arr = cJSON_AddArrayToObject(data, "tasks");
    for (j = from; j < to; j++)
        cJSON_AddItemToArray(arr, cJSON_IsArray(only) ?
                             query_only_fields(rows[j].t->doc, only) :
                             cJSON_Duplicate(rows[j].t->doc, 1));
    free(rows);
    clearml_ok(q, r, data);
out:
    if (has_name)
        regfree(&name_re);
    if (m_all.active && !m_all.plain)
        regfree(&m_all.re);
    if (m_any.active && !m_any.plain)
        regfree(&m_any.re);
}
