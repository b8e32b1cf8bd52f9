/*
 * query.c - tasks.get_all as the ClearML server evaluates it: list
 * filters with exclusion and operators, name and _all_/_any_ regexes,
 * hidden tasks, order_by, paging and only_fields; and the indexes (by
 * commit, tag and id) that pick its candidate tasks without a scan.
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
/* strcasestr() is a GNU and BSD extension, not POSIX: the same with
 * strncasecmp().  Returns a pointer into hay, or NULL. */
static const char *query_strcasestr(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    if (n == 0)
        return hay;
    for (; *hay != '\0'; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

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
        return query_strcasestr(s, m->pattern) != NULL;
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

/* ---- indexes
 *
 * Three hash maps from a key to the tasks filed under it, each list in
 * sbx_w.tasks order (by seq), so that walking one visits its tasks in
 * the order a scan does:
 *   QUERY_IX_VER  script.version_num as the _all_/_any_ match sees it
 *                 (strings, numbers printed with %g, array elements),
 *                 ASCII-lower-cased: those patterns ignore case;
 *   QUERY_IX_TAG  the strings of tags, as query_has() compares them;
 *   QUERY_IX_ID   the strings of the document's id, and t->id.
 * A query uses an index only to pick its candidate tasks; every filter
 * still runs on each candidate.  So an index that lists a task too many
 * costs time, never a different answer; only a missing entry could.
 *
 * Incremental updates rather than a generation counter and a lazy
 * rebuild: the runs of the benchmark interleave writes (tasks.create,
 * tasks.edit, tasks.update_tags) with queries, and rebuilding the
 * entries of 100,000 tasks after each write would cost about what the
 * scan costs.  query_reindex(t) unfiles t from the keys it remembers
 * (t->ix) and files it under the keys of its current document: it is
 * idempotent, costs the keys of one task, and covers every indexed field
 * at once, so a write cannot update one index and forget another.  It is
 * called by world_add_task() (scenario tasks, big-project, tasks.create)
 * and in tasks.c after tasks_apply_fields() (tasks.edit, tasks.update)
 * and tasks_retag() (tasks.update_tags, archive, enqueue); nothing else
 * writes an indexed field.  With MLG_SANDBOX_CHECK_INDEX=1 in its
 * environment the sandbox also scans for every indexed query and answers
 * 500 when the two differ (tests/check_sandbox.c uses it).
 */

enum { QUERY_IX_VER, QUERY_IX_TAG, QUERY_IX_ID, QUERY_NIX };

struct query_post {
    const char *key;            /* in query_keys */
    /* The tasks, by seq: in one while cap == 0 (most keys have one
     * task: saves an allocation per commit and per id), else in v. */
    struct sbx_task *one;
    struct sbx_task **v;
    size_t n, cap;
};

/* A slot of a hash table: its list's index + 1 (0: free), key hash. */
struct query_slot {
    unsigned post, hash;
};

struct query_map {
    struct query_post *post;    /* the lists, in order of creation */
    size_t npost, cap_post;
    struct query_slot *slot;    /* open addressing, linear probing */
    size_t cap;                 /* 0 or a power of two */
};

/* One key a task is filed under; key is borrowed from its map. */
struct query_ixref {
    int map;
    const char *key;
};

static struct query_map query_maps[QUERY_NIX];

long query_n_indexed, query_n_scanned;

/* The keys' text: never freed (a key stays when its list empties), so
 * packed in 64 KB blocks rather than one allocation each. */
static struct {
    char *p;
    size_t left;
} query_keys;

static const char *query_key_copy(const char *key)
{
    size_t n = strlen(key) + 1;
    char *k;

    if (n > query_keys.left) {
        query_keys.left = n > 65536 ? n : 65536;
        query_keys.p = xmalloc(query_keys.left);
    }
    k = query_keys.p;
    memcpy(k, key, n);
    query_keys.p += n;
    query_keys.left -= n;
    return k;
}

static unsigned query_hash(const char *s)
{
    unsigned long long h = 14695981039346656037ULL;   /* FNV-1a */

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    /* Mix the high bits down: the slot comes from the low ones. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (unsigned)h;
}

/* The slot of key (whose hash is h), or the free slot where it
 * belongs. */
static struct query_slot *query_slot_of(const struct query_map *m,
                                        const char *key, unsigned h)
{
    size_t i = h & (m->cap - 1);

    while (m->slot[i].post != 0 &&
           (m->slot[i].hash != h ||
            strcmp(m->post[m->slot[i].post - 1].key, key) != 0))
        i = (i + 1) & (m->cap - 1);
    return &m->slot[i];
}

/* The list of key in m, or NULL.  Borrowed until m changes. */
static struct query_post *query_find(const struct query_map *m,
                                     const char *key)
{
    const struct query_slot *s;

    if (m->cap == 0)
        return NULL;
    s = query_slot_of(m, key, query_hash(key));
    return s->post != 0 ? &m->post[s->post - 1] : NULL;
}

/* The tasks of p, by seq.  Borrowed until p's map changes. */
static struct sbx_task *const *query_post_tasks(const struct query_post *p)
{
    return p->cap == 0 ? &p->one : p->v;
}

/* The tasks filed under key, or NULL. */
static const struct query_post *query_lookup(int map, const char *key)
{
    return query_find(&query_maps[map], key);
}

/* The list of key, created empty if new.  Borrowed until m changes. */
static struct query_post *query_post_get(struct query_map *m,
                                         const char *key)
{
    unsigned h = query_hash(key);
    struct query_slot *s;

    if (2 * (m->npost + 1) > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024, i, j;
        struct query_slot *slot = xcalloc(cap, sizeof(*slot));

        for (i = 0; i < m->cap; i++) {
            if (m->slot[i].post == 0)
                continue;
            for (j = m->slot[i].hash & (cap - 1); slot[j].post != 0;
                 j = (j + 1) & (cap - 1))
                ;
            slot[j] = m->slot[i];
        }
        free(m->slot);
        m->slot = slot;
        m->cap = cap;
    }
    s = query_slot_of(m, key, h);
    if (s->post == 0) {
        if (m->npost == m->cap_post) {
            m->cap_post = m->cap_post ? m->cap_post * 2 : 1024;
            m->post = xrealloc(m->post, m->cap_post * sizeof(*m->post));
        }
        memset(&m->post[m->npost], 0, sizeof(*m->post));
        m->post[m->npost].key = query_key_copy(key);
        s->hash = h;
        s->post = (unsigned)++m->npost;
    }
    return &m->post[s->post - 1];
}

/* The first position in p whose task's seq is >= seq. */
static size_t query_post_pos(const struct query_post *p, size_t seq)
{
    struct sbx_task *const *v = query_post_tasks(p);
    size_t lo = 0, hi = p->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (v[mid]->seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void query_post_add(struct query_post *p, struct sbx_task *t)
{
    size_t i = query_post_pos(p, t->seq);

    if (i < p->n && query_post_tasks(p)[i] == t)
        return;
    if (p->cap == 0 && p->n == 0) {
        p->one = t;
        p->n = 1;
        return;
    }
    if (p->cap == 0) {
        p->cap = 4;
        p->v = xmalloc(p->cap * sizeof(*p->v));
        p->v[0] = p->one;
    } else if (p->n == p->cap) {
        p->cap *= 2;
        p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
    }
    memmove(p->v + i + 1, p->v + i, (p->n - i) * sizeof(*p->v));
    p->v[i] = t;
    p->n++;
}

static void query_post_del(struct query_post *p, struct sbx_task *t)
{
    size_t i = query_post_pos(p, t->seq);

    if (i >= p->n || query_post_tasks(p)[i] != t)
        return;
    if (p->cap == 0) {
        p->n = 0;
        return;
    }
    memmove(p->v + i, p->v + i + 1, (p->n - i - 1) * sizeof(*p->v));
    p->n--;
}

/* Files t under key in map, and remembers it in t->ix. */
static void query_file(struct sbx_task *t, int map, const char *key)
{
    struct query_post *p = query_post_get(&query_maps[map], key);
    size_t i;

    for (i = 0; i < t->nix; i++)
        if (t->ix[i].map == map && t->ix[i].key == p->key)
            return;
    query_post_add(p, t);
    if (t->nix == t->cap_ix) {
        t->cap_ix = t->cap_ix ? t->cap_ix * 2 : 2;
        t->ix = xrealloc(t->ix, t->cap_ix * sizeof(*t->ix));
    }
    t->ix[t->nix].map = map;
    t->ix[t->nix].key = p->key;
    t->nix++;
}

/* ASCII lower case: what REG_ICASE folds in the C locale. */
static char query_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The keys query_multi_value() can match in v. */
static void query_file_ver(struct sbx_task *t, const cJSON *v)
{
    char num[64], small[128];
    const cJSON *e;
    const char *s;
    char *k, *p;
    size_t n;

    if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(e, v)
            query_file_ver(t, e);
        return;
    }
    if (cJSON_IsString(v)) {
        s = v->valuestring;
    } else if (cJSON_IsNumber(v)) {
        snprintf(num, sizeof(num), "%g", v->valuedouble);
        s = num;
    } else {
        return;
    }
    n = strlen(s);
    k = n < sizeof(small) ? small : xmalloc(n + 1);
    for (p = k; *s != '\0'; s++)
        *p++ = query_lower(*s);
    *p = '\0';
    query_file(t, QUERY_IX_VER, k);
    if (k != small)
        free(k);
}

/* The strings query_has() can find in v. */
static void query_file_strs(struct sbx_task *t, int map, const cJSON *v)
{
    const cJSON *e;

    if (cJSON_IsString(v)) {
        query_file(t, map, v->valuestring);
        return;
    }
    cJSON_ArrayForEach(e, v)
        if (cJSON_IsString(e))
            query_file(t, map, e->valuestring);
}

void query_reindex(struct sbx_task *t)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(t->doc, "id");
    size_t i;

    for (i = 0; i < t->nix; i++)
        query_post_del(query_find(&query_maps[t->ix[i].map],
                                  t->ix[i].key), t);
    t->nix = 0;
    query_file_ver(t, query_path(t->doc, "script.version_num"));
    query_file_strs(t, QUERY_IX_TAG,
                    cJSON_GetObjectItemCaseSensitive(t->doc, "tags"));
    query_file_strs(t, QUERY_IX_ID, id);
    /* Also t->id (the doc's id, cut to 39 characters when longer), so
     * that query_task_by_id() finds what a scan of t->id finds. */
    if (!cJSON_IsString(id) || strcmp(id->valuestring, t->id) != 0)
        query_file(t, QUERY_IX_ID, t->id);
}

struct sbx_task *query_task_by_id(const char *id)
{
    const struct query_post *p = query_lookup(QUERY_IX_ID, id);
    size_t i;

    for (i = 0; p != NULL && i < p->n; i++)
        if (strcmp(query_post_tasks(p)[i]->id, id) == 0)
            return query_post_tasks(p)[i];
    return NULL;
}

/* ---- tasks.get_all */

/* The list filters, in this order (QUERY_L_ID and QUERY_L_TAGS name
 * two of them). */
static const struct { const char *f; int multi; } query_lists[] = {
    { "id", 0 }, { "user", 0 }, { "project", 0 }, { "type", 0 },
    { "status", 0 }, { "parent", 0 }, { "tags", 1 },
    { "system_tags", 1 },
};
enum { QUERY_NLISTS = sizeof(query_lists) / sizeof(query_lists[0]),
       QUERY_L_ID = 0, QUERY_L_TAGS = 6 };

/* Every filter of one tasks.get_all. */
struct query_filter {
    struct query_list ls[QUERY_NLISTS];
    struct query_multi m_all, m_any;
    int has_name;
    regex_t name_re;
    const char *stx;            /* search_text, or NULL */
    int hidden_ok;
    struct query_sort sort;
};

/* Candidate tasks, by seq. */
struct query_src {
    struct sbx_task *const *v;
    size_t n;
    struct sbx_task **owned;    /* a merged list, freed by the caller */
};

/* Does t pass every filter of f? */
static int query_match(const struct query_filter *f,
                       const struct sbx_task *t)
{
    const cJSON *doc = t->doc;
    int i;

    /* The commit pattern is the most selective: test it first. */
    if (!query_multi_match(&f->m_all, doc) ||
        !query_multi_match(&f->m_any, doc))
        return 0;
    if (!f->hidden_ok && query_has(cJSON_GetObjectItemCaseSensitive(
            doc, "system_tags"), "hidden"))
        return 0;
    for (i = 0; i < QUERY_NLISTS; i++)
        if (!query_list_match(&f->ls[i], doc))
            return 0;
    if (f->has_name) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(doc, "name");

        if (!cJSON_IsString(n) ||
            regexec(&f->name_re, n->valuestring, 0, NULL, 0) != 0)
            return 0;
    }
    if (f->stx != NULL && f->stx[0] != '\0') {
        const char *s = f->stx;
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, "name");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "comment");

        if (query_strcasestr(t->id, s) == NULL &&
            !(cJSON_IsString(a) && query_strcasestr(a->valuestring, s)) &&
            !(cJSON_IsString(c) && query_strcasestr(c->valuestring, s)))
            return 0;
    }
    return 1;
}

/* The rows of the tasks of src[0..n) that pass f, sorted.  Caller
 * frees. */
static struct query_row *query_collect(const struct query_filter *f,
                                       struct sbx_task *const *src,
                                       size_t n, size_t *nrows)
{
    struct query_row *rows = NULL;
    size_t j;
    int k;

    *nrows = 0;
    for (j = 0; j < n; j++) {
        struct sbx_task *t = src[j];

        if (!query_match(f, t))
            continue;
        if ((*nrows & (*nrows - 1)) == 0)
            rows = xrealloc(rows, (*nrows ? *nrows * 2 : 1) *
                            sizeof(*rows));
        rows[*nrows].t = t;
        for (k = 0; k < f->sort.n; k++)
            rows[*nrows].keys[k] = query_path(t->doc, f->sort.path[k]);
        (*nrows)++;
    }
    if (f->sort.n > 0 && *nrows > 1) {
        query_cur_sort = &f->sort;
        qsort(rows, *nrows, sizeof(*rows), query_cmp_rows);
    }
    return rows;
}

/* The literal of an exact anchored pattern "^lit$", lower-cased into
 * out, when lit has only ASCII letters, digits, '-' and '_': characters
 * that match themselves, REG_ICASE folding ASCII only in the C locale,
 * so the regex matches exactly the strings equal to lit ignoring case.
 * Returns 0 for any other pattern. */
static int query_literal(const char *p, char *out, size_t n)
{
    size_t len = strlen(p), i;

    if (len < 3 || p[0] != '^' || p[len - 1] != '$' || len - 2 >= n)
        return 0;
    for (i = 1; i < len - 1; i++) {
        char c = p[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
            return 0;
        out[i - 1] = query_lower(c);
    }
    out[len - 2] = '\0';
    return 1;
}

/* Candidates from a commit pattern on script.version_num: with _all_
 * when it is one of the fields (each must match), with _any_ when it is
 * the only one.  Returns 0 when m gives none. */
static int query_src_ver(const struct query_multi *m, struct query_src *s)
{
    char lit[256];
    const struct query_post *p;
    int i, on = 0;

    if (!m->active || m->plain ||
        !query_literal(m->pattern, lit, sizeof(lit)))
        return 0;
    for (i = 0; i < m->nfields; i++)
        on |= strcmp(m->fields[i], "script.version_num") == 0;
    if (!on || (!m->all && m->nfields != 1))
        return 0;
    p = query_lookup(QUERY_IX_VER, lit);
    s->v = p ? query_post_tasks(p) : NULL;
    s->n = p ? p->n : 0;
    return 1;
}

static int query_cmp_seq(const void *pa, const void *pb)
{
    const struct sbx_task *a = *(struct sbx_task *const *)pa;
    const struct sbx_task *b = *(struct sbx_task *const *)pb;

    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Candidates from the positive terms of a list filter: the shortest
 * list of a __$all term, else the union of the __$any terms' lists.
 * Returns 0 when l has no positive term. */
static int query_src_list(const struct query_list *l, int map,
                          struct query_src *s)
{
    const struct query_post *p, *best = NULL;
    size_t total = 0, n = 0, j;
    int i;

    if (l->field == NULL || (l->nall == 0 && l->nany == 0))
        return 0;
    if (l->nall > 0) {
        for (i = 0; i < l->nall; i++) {
            p = query_lookup(map, l->all[i]);
            if (p == NULL || best == NULL || p->n < best->n)
                best = p;
            if (best == NULL)
                break;
        }
    } else if (l->nany == 1) {
        best = query_lookup(map, l->any[0]);
    } else {
        for (i = 0; i < l->nany; i++) {
            p = query_lookup(map, l->any[i]);
            total += p ? p->n : 0;
        }
        s->owned = xmalloc((total + 1) * sizeof(*s->owned));
        for (i = 0; i < l->nany; i++) {
            p = query_lookup(map, l->any[i]);
            for (j = 0; p != NULL && j < p->n; j++)
                s->owned[n++] = query_post_tasks(p)[j];
        }
        qsort(s->owned, n, sizeof(*s->owned), query_cmp_seq);
        total = n;
        n = 0;
        for (j = 0; j < total; j++)
            if (n == 0 || s->owned[n - 1] != s->owned[j])
                s->owned[n++] = s->owned[j];
        s->v = s->owned;
        s->n = n;
        return 1;
    }
    s->v = best ? query_post_tasks(best) : NULL;
    s->n = best ? best->n : 0;
    return 1;
}

/* The shortest candidate list the indexes give for f.  Returns 0 when
 * no index applies (scan every task). */
static int query_sources(const struct query_filter *f, struct query_src *s)
{
    struct query_src c[4];
    int i, nc = 0, pick = -1;

    memset(c, 0, sizeof(c));
    nc += query_src_ver(&f->m_all, &c[nc]);
    nc += query_src_ver(&f->m_any, &c[nc]);
    nc += query_src_list(&f->ls[QUERY_L_ID], QUERY_IX_ID, &c[nc]);
    nc += query_src_list(&f->ls[QUERY_L_TAGS], QUERY_IX_TAG, &c[nc]);
    for (i = 0; i < nc; i++)
        if (pick < 0 || c[i].n < c[pick].n)
            pick = i;
    for (i = 0; i < nc; i++)
        if (i != pick)
            free(c[i].owned);
    if (pick < 0)
        return 0;
    *s = c[pick];
    return 1;
}

/* Under MLG_SANDBOX_CHECK_INDEX=1: the scan's rows equal the index's? */
static int query_index_agrees(const struct query_filter *f,
                              const struct query_row *rows, size_t nrows)
{
    const char *env = getenv("MLG_SANDBOX_CHECK_INDEX");
    struct query_row *scan;
    size_t n, j;
    int same;

    if (env == NULL || strcmp(env, "1") != 0)
        return 1;
    scan = query_collect(f, sbx_w.tasks, sbx_w.ntasks, &n);
    same = n == nrows;
    for (j = 0; same && j < n; j++)
        same = scan[j].t == rows[j].t;
    free(scan);
    if (!same)
        fprintf(stderr, "mlgate-sandbox: index answer (%zu tasks) differs "
                "from the scan (%zu tasks)\n", nrows, n);
    return same;
}

/* Parses order_by into f->sort.  0, or -1 after answering. */
static int query_parse_sort(struct sbx_req *q, struct sbx_resp *r,
                            const cJSON *ob, struct query_sort *sort)
{
    const cJSON *e;

    memset(sort, 0, sizeof(*sort));
    if (cJSON_IsString(ob)) {
        sort->desc[0] = ob->valuestring[0] == '-';
        sort->path[sort->n++] = ob->valuestring + sort->desc[0];
    } else if (cJSON_IsArray(ob)) {
        cJSON_ArrayForEach(e, ob) {
            if (!cJSON_IsString(e)) {
                query_bad(q, r, "order_by", "array of strings");
                return -1;
            }
            if (sort->n < 8 && e->valuestring[0] != '\0') {
                sort->desc[sort->n] = e->valuestring[0] == '-';
                sort->path[sort->n] = e->valuestring + sort->desc[sort->n];
                sort->n++;
            }
        }
    } else if (ob != NULL && !cJSON_IsNull(ob)) {
        query_bad(q, r, "order_by", "array of strings");
        return -1;
    }
    return 0;
}

void query_tasks(struct sbx_req *q, struct sbx_resp *r, const cJSON *b)
{
    struct query_filter f;
    struct query_src src;
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(b, "name");
    const cJSON *only = cJSON_GetObjectItemCaseSensitive(b, "only_fields");
    const cJSON *ob = cJSON_GetObjectItemCaseSensitive(b, "order_by");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(b, "search_hidden");
    const cJSON *stx = cJSON_GetObjectItemCaseSensitive(b, "search_text");
    int i, indexed;
    long page, page_size;
    struct query_row *rows;
    size_t nrows = 0, j, from, to;
    cJSON *data, *arr;

    memset(&f, 0, sizeof(f));
    memset(&src, 0, sizeof(src));
    for (i = 0; i < QUERY_NLISTS; i++)
        if (query_parse_list(q, r, b, query_lists[i].f,
                             query_lists[i].multi, &f.ls[i]) != 0)
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
    f.stx = cJSON_IsString(stx) ? stx->valuestring : NULL;
    if (query_parse_sort(q, r, ob, &f.sort) != 0)
        return;
    if (nm != NULL && !cJSON_IsNull(nm)) {
        if (!cJSON_IsString(nm)) {
            query_bad(q, r, "name", "string");
            return;
        }
        if (query_compile(&f.name_re, nm->valuestring, 0) != 0) {
            query_bad_regex(q, r, nm->valuestring);
            return;
        }
        f.has_name = 1;
    }
    if (query_parse_multi(q, r, b, "_all_", &f.m_all) != 0)
        goto out;
    if (query_parse_multi(q, r, b, "_any_", &f.m_any) != 0)
        goto out;
    /* Hidden tasks only with search_hidden or an explicit id. */
    f.hidden_ok = cJSON_IsTrue(sh) || f.ls[QUERY_L_ID].field != NULL;

    indexed = query_sources(&f, &src);
    if (indexed) {
        query_n_indexed++;
        rows = query_collect(&f, src.v, src.n, &nrows);
        free(src.owned);
        if (!query_index_agrees(&f, rows, nrows)) {
            free(rows);
            clearml_error(q, r, 500, 0, "mlgate-sandbox: the index answer "
                          "differs from the scan", NULL);
            goto out;
        }
    } else {
        query_n_scanned++;
        rows = query_collect(&f, sbx_w.tasks, sbx_w.ntasks, &nrows);
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
    if (f.has_name)
        regfree(&f.name_re);
    if (f.m_all.active && !f.m_all.plain)
        regfree(&f.m_all.re);
    if (f.m_any.active && !f.m_any.plain)
        regfree(&f.m_any.re);
}
