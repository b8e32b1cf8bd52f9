/*
 * world.c - the sandbox's state: the ClearML tasks and queues, the
 * clock, the simulated agents, faults and the /__state view.
 */
#include <config.h>

#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox.h"
#include "util.h"

struct sbx_world sbx_w;

/* Tasks the agents are currently simulating (a small list, so a request
 * does not walk 100,000 tasks). */
static struct sbx_task **world_active;
static size_t world_nactive, world_cap_active;

const char world_user[] = "5a5b5c5d5e5f40418293a4b5c6d7e8f0";
const char world_company[] = "d1bd92a3b039400cbafc60a7a5b1e52b";

/* ---- MD5 (RFC 1321), for last_metrics keys as the server makes them. */

struct world_md5 {
    uint32_t h[4];
    uint64_t len;
    unsigned char buf[64];
    size_t n;
};

static const uint32_t world_md5_k[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
    0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
    0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
    0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
    0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
    0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
    0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
    0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
    0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391
};
static const unsigned char world_md5_r[64] = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21
};

static void world_md5_block(struct world_md5 *m, const unsigned char *p)
{
    uint32_t w[16], a = m->h[0], b = m->h[1], c = m->h[2], d = m->h[3];
    int i;

    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[i * 4] | (uint32_t)p[i * 4 + 1] << 8 |
               (uint32_t)p[i * 4 + 2] << 16 | (uint32_t)p[i * 4 + 3] << 24;
    for (i = 0; i < 64; i++) {
        uint32_t f, tmp;
        int g;

        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        tmp = d;
        d = c;
        c = b;
        f = a + f + world_md5_k[i] + w[g];
        b = b + ((f << world_md5_r[i]) | (f >> (32 - world_md5_r[i])));
        a = tmp;
    }
    m->h[0] += a;
    m->h[1] += b;
    m->h[2] += c;
    m->h[3] += d;
}

static void world_md5_add(struct world_md5 *m, const unsigned char *p,
                          size_t n)
{
    m->len += n;
    while (n > 0) {
        size_t take = 64 - m->n < n ? 64 - m->n : n;

        memcpy(m->buf + m->n, p, take);
        m->n += take;
        p += take;
        n -= take;
        if (m->n == 64) {
            world_md5_block(m, m->buf);
            m->n = 0;
        }
    }
}

void world_md5_hex(const char *s, char out[33])
{
    struct world_md5 m;
    unsigned char pad[72];
    uint64_t bits;
    size_t padlen;
    int i;

    memset(&m, 0, sizeof(m));
    m.h[0] = 0x67452301;
    m.h[1] = 0xefcdab89;
    m.h[2] = 0x98badcfe;
    m.h[3] = 0x10325476;
    world_md5_add(&m, (const unsigned char *)s, strlen(s));
    bits = m.len * 8;
    padlen = m.n < 56 ? 56 - m.n : 120 - m.n;
    memset(pad, 0, sizeof(pad));
    pad[0] = 0x80;
    for (i = 0; i < 8; i++)
        pad[padlen + (size_t)i] = (unsigned char)(bits >> (8 * i));
    world_md5_add(&m, pad, padlen + 8);
    for (i = 0; i < 16; i++)
        snprintf(out + i * 2, 3, "%02x",
                 (unsigned)(m.h[i / 4] >> (8 * (i % 4))) & 0xffu);
    out[32] = '\0';
}

/* ---- time and ids */

double world_now_ms(void)
{
    return now_wall() * 1000.0 + sbx_w.clock_offset_ms;
}

char *world_iso(double epoch_ms)
{
    time_t secs = (time_t)floor(epoch_ms / 1000.0);
    long usec = (long)((epoch_ms - (double)secs * 1000.0) * 1000.0);
    struct tm tm;
    char d[32];

    gmtime_r(&secs, &tm);
    strftime(d, sizeof(d), "%Y-%m-%dT%H:%M:%S", &tm);
    if (usec < 0)
        usec = 0;
    if (usec > 999999)
        usec = 999999;
    return xasprintf("%s.%06ld+00:00", d, usec);
}

char *world_new_id(void)
{
    unsigned long r = (unsigned long)time(NULL);

    sbx_w.uniq++;
    return xasprintf("%08lx%08lx%016lx", r & 0xffffffffUL,
                     (unsigned long)sbx_w.uniq * 2654435761UL & 0xffffffffUL,
                     (unsigned long)sbx_w.uniq);
}

/* ---- small cJSON helpers */

static const cJSON *world_get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *world_str(const cJSON *o, const char *k, const char *def)
{
    const cJSON *v = world_get(o, k);

    return cJSON_IsString(v) ? v->valuestring : def;
}

static double world_num(const cJSON *o, const char *k, double def)
{
    const cJSON *v = world_get(o, k);

    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

/* Sets o[k] = v, replacing any old value.  Takes ownership of v. */
static void world_set(cJSON *o, const char *k, cJSON *v)
{
    if (cJSON_HasObjectItem(o, k))
        cJSON_ReplaceItemInObjectCaseSensitive(o, k, v);
    else
        cJSON_AddItemToObject(o, k, v);
}

static void world_set_iso(cJSON *o, const char *k, double ms)
{
    char *s = world_iso(ms);

    world_set(o, k, cJSON_CreateString(s));
    free(s);
}

/* ---- tasks */

struct sbx_task *world_task(const char *id)
{
    return id != NULL ? query_task_by_id(id) : NULL;
}

/* Recomputes last_metrics[md5 title][md5 series] for one series. */
void world_update_last_metric(struct sbx_task *t, const char *title,
                                     const char *series)
{
    const cJSON *ser = world_get(world_get(t->scalars, title), series);
    const cJSON *xs = world_get(ser, "x"), *ys = world_get(ser, "y");
    cJSON *lm = cJSON_GetObjectItemCaseSensitive(t->doc, "last_metrics");
    cJSON *mt, *ev;
    char ht[33], hs[33];
    int n = cJSON_GetArraySize(ys), i;
    double sum = 0, mn = 0, mx = 0, last = 0, first = 0;
    double mni = 0, mxi = 0, lasti = -1e300, firsti = 1e300;

    if (n == 0)
        return;
    for (i = 0; i < n; i++) {
        double y = cJSON_GetArrayItem(ys, i)->valuedouble;
        double x = cJSON_GetArrayItem(xs, i) ?
                   cJSON_GetArrayItem(xs, i)->valuedouble : i;

        sum += y;
        if (i == 0 || y < mn) {
            mn = y;
            mni = x;
        }
        if (i == 0 || y > mx) {
            mx = y;
            mxi = x;
        }
        if (x >= lasti) {
            lasti = x;
            last = y;
        }
        if (x < firsti) {
            firsti = x;
            first = y;
        }
    }
    if (!cJSON_IsObject(lm)) {
        lm = cJSON_CreateObject();
        world_set(t->doc, "last_metrics", lm);
    }
    world_md5_hex(title, ht);
    world_md5_hex(series, hs);
    mt = cJSON_GetObjectItemCaseSensitive(lm, ht);
    if (mt == NULL) {
        mt = cJSON_CreateObject();
        cJSON_AddItemToObject(lm, ht, mt);
    }
    ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "metric", title);
    cJSON_AddStringToObject(ev, "variant", series);
    cJSON_AddNumberToObject(ev, "value", last);
    cJSON_AddNumberToObject(ev, "min_value", mn);
    cJSON_AddNumberToObject(ev, "min_value_iteration", mni);
    cJSON_AddNumberToObject(ev, "max_value", mx);
    cJSON_AddNumberToObject(ev, "max_value_iteration", mxi);
    cJSON_AddNumberToObject(ev, "first_value", first);
    cJSON_AddNumberToObject(ev, "first_value_iteration", firsti);
    cJSON_AddNumberToObject(ev, "count", n);
    cJSON_AddNumberToObject(ev, "mean_value", sum / n);
    world_set(mt, hs, ev);
}

void world_add_scalar(struct sbx_task *t, const char *title,
                      const char *series, double x, double y)
{
    cJSON *tt = cJSON_GetObjectItemCaseSensitive(t->scalars, title);
    cJSON *ss;

    if (tt == NULL) {
        tt = cJSON_CreateObject();
        cJSON_AddItemToObject(t->scalars, title, tt);
    }
    ss = cJSON_GetObjectItemCaseSensitive(tt, series);
    if (ss == NULL) {
        ss = cJSON_CreateObject();
        cJSON_AddStringToObject(ss, "name", series);
        cJSON_AddItemToObject(ss, "x", cJSON_CreateArray());
        cJSON_AddItemToObject(ss, "y", cJSON_CreateArray());
        cJSON_AddItemToObject(tt, series, ss);
    }
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(ss, "x"),
                         cJSON_CreateNumber(x));
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(ss, "y"),
                         cJSON_CreateNumber(y));
    world_update_last_metric(t, title, series);
}

void world_add_log(struct sbx_task *t, const char *msg, int iter,
                   const char *level)
{
    cJSON *ev = cJSON_CreateObject();
    double now = world_now_ms();
    char *iso = world_iso(now);

    cJSON_AddNumberToObject(ev, "timestamp", floor(now));
    cJSON_AddStringToObject(ev, "type", "log");
    cJSON_AddStringToObject(ev, "task", t->id);
    cJSON_AddNumberToObject(ev, "iter", iter);
    cJSON_AddStringToObject(ev, "level", level);
    cJSON_AddStringToObject(ev, "worker", "sbx-agent:0");
    cJSON_AddStringToObject(ev, "msg", msg);
    cJSON_AddStringToObject(ev, "@timestamp", iso);
    cJSON_AddStringToObject(ev, "metric", "");
    cJSON_AddStringToObject(ev, "variant", "");
    cJSON_AddItemToArray(t->log, ev);
    free(iso);
}

void world_set_status(struct sbx_task *t, const char *status,
                      const char *message)
{
    double now = world_now_ms();

    world_set(t->doc, "status", cJSON_CreateString(status));
    world_set(t->doc, "status_reason", cJSON_CreateString(""));
    world_set(t->doc, "status_message",
              cJSON_CreateString(message ? message : ""));
    world_set_iso(t->doc, "status_changed", now);
    world_set_iso(t->doc, "last_update", now);
    world_set_iso(t->doc, "last_change", now);
    world_set(t->doc, "last_changed_by", cJSON_CreateString(world_user));
}

struct sbx_task *world_add_task(cJSON *doc)
{
    struct sbx_task *t = xcalloc(1, sizeof(*t));
    const char *id = world_str(doc, "id", NULL);

    if (id == NULL) {
        char *nid = world_new_id();

        cJSON_AddStringToObject(doc, "id", nid);
        free(nid);
        id = world_str(doc, "id", "");
    }
    t->doc = doc;
    snprintf(t->id, sizeof(t->id), "%s", id);
    t->scalars = cJSON_CreateObject();
    t->log = cJSON_CreateArray();
    if (sbx_w.ntasks == sbx_w.cap_tasks) {
        sbx_w.cap_tasks = sbx_w.cap_tasks ? sbx_w.cap_tasks * 2 : 64;
        sbx_w.tasks = xrealloc(sbx_w.tasks,
                               sbx_w.cap_tasks * sizeof(*sbx_w.tasks));
    }
    t->seq = sbx_w.ntasks;
    sbx_w.tasks[sbx_w.ntasks++] = t;
    query_reindex(t);
    return t;
}

/* ---- queues and the agent */

struct sbx_queue *world_queue_by_id(const char *id)
{
    size_t i;

    for (i = 0; id != NULL && i < sbx_w.nqueues; i++)
        if (strcmp(sbx_w.queues[i]->id, id) == 0)
            return sbx_w.queues[i];
    return NULL;
}

struct sbx_queue *world_queue_by_name(const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < sbx_w.nqueues; i++)
        if (strcmp(sbx_w.queues[i]->name, name) == 0)
            return sbx_w.queues[i];
    return NULL;
}

static struct sbx_agent *world_load_agent(const cJSON *a)
{
    struct sbx_agent *ag;
    const char *oc;

    if (!cJSON_IsObject(a))
        return NULL;
    ag = xcalloc(1, sizeof(*ag));
    ag->pickup_ms = world_num(a, "pickup_ms", 200);
    ag->iteration_ms = world_num(a, "iteration_ms", 200);
    ag->iterations = (int)world_num(a, "iterations", 3);
    ag->finish_ms = world_num(a, "finish_ms", ag->iteration_ms);
    oc = world_str(a, "outcome", "completed");
    ag->outcome = strcmp(oc, "failed") == 0 ? 'f' :
                  strcmp(oc, "hang") == 0 ? 'h' : 'c';
    ag->status_message = xstrdup(world_str(a, "status_message",
                                           "Task failed"));
    ag->worker = xstrdup(world_str(a, "worker", "sbx-agent:0"));
    ag->log = cJSON_Duplicate(world_get(a, "log"), 1);
    if (ag->log == NULL)
        ag->log = cJSON_CreateArray();
    ag->scalars = cJSON_Duplicate(world_get(a, "scalars"), 1);
    if (!cJSON_IsArray(ag->scalars)) {
        cJSON *s = cJSON_CreateObject();

        cJSON_Delete(ag->scalars);
        ag->scalars = cJSON_CreateArray();
        cJSON_AddStringToObject(s, "title", "Performance Metric");
        cJSON_AddStringToObject(s, "series", "Series 1");
        cJSON_AddItemToObject(s, "values", cJSON_CreateArray());
        cJSON_AddItemToArray(ag->scalars, s);
    }
    return ag;
}

struct sbx_queue *world_add_queue(const cJSON *spec)
{
    double now = world_now_ms();
    struct sbx_queue *q = xcalloc(1, sizeof(*q));
    cJSON *doc = cJSON_CreateObject();
    char *iso = world_iso(now);
    const char *name = world_str(spec, "name", "default");
    char *id = xstrdup(world_str(spec, "id", NULL));

    if (id == NULL)
        id = world_new_id();
    q->is_default = cJSON_IsTrue(world_get(spec, "default"));
    cJSON_AddStringToObject(doc, "id", id);
    cJSON_AddStringToObject(doc, "name", name);
    cJSON_AddStringToObject(doc, "display_name", name);
    cJSON_AddStringToObject(doc, "user", world_user);
    cJSON_AddStringToObject(doc, "company", world_company);
    cJSON_AddStringToObject(doc, "created", iso);
    cJSON_AddItemToObject(doc, "tags", cJSON_CreateArray());
    cJSON_AddItemToObject(doc, "system_tags", q->is_default ?
                          cJSON_CreateStringArray(
                              (const char *const[]){ "default" }, 1) :
                          cJSON_CreateArray());
    cJSON_AddItemToObject(doc, "entries", cJSON_CreateArray());
    cJSON_AddItemToObject(doc, "metadata", cJSON_CreateObject());
    cJSON_AddStringToObject(doc, "last_update", iso);
    q->doc = doc;
    q->id = world_str(doc, "id", "");
    q->name = world_str(doc, "name", "");
    q->agent = world_load_agent(world_get(spec, "agent"));
    sbx_w.queues = xrealloc(sbx_w.queues,
                            (sbx_w.nqueues + 1) * sizeof(*sbx_w.queues));
    sbx_w.queues[sbx_w.nqueues++] = q;
    free(iso);
    free(id);
    return q;
}

static void world_active_add(struct sbx_task *t)
{
    size_t i;

    for (i = 0; i < world_nactive; i++)
        if (world_active[i] == t)
            return;
    if (world_nactive == world_cap_active) {
        world_cap_active = world_cap_active ? world_cap_active * 2 : 16;
        world_active = xrealloc(world_active,
                                world_cap_active * sizeof(*world_active));
    }
    world_active[world_nactive++] = t;
}

static void world_active_del(struct sbx_task *t)
{
    size_t i;

    for (i = 0; i < world_nactive; i++)
        if (world_active[i] == t) {
            world_active[i] = world_active[--world_nactive];
            return;
        }
}

/* Removes t's entry from q's entries. */
static void world_queue_remove(struct sbx_queue *q, const char *task_id)
{
    cJSON *ents = cJSON_GetObjectItemCaseSensitive(q->doc, "entries");
    int i, n = cJSON_GetArraySize(ents);

    for (i = n - 1; i >= 0; i--) {
        const char *tid = world_str(cJSON_GetArrayItem(ents, i), "task", "");

        if (strcmp(tid, task_id) == 0)
            cJSON_DeleteItemFromArray(ents, i);
    }
}

void world_dequeue(struct sbx_task *t)
{
    const char *qid = world_str(world_get(t->doc, "execution"), "queue",
                                NULL);
    struct sbx_queue *q = world_queue_by_id(qid);

    if (q != NULL)
        world_queue_remove(q, t->id);
    if (t->simq != NULL && t->simq != q)
        world_queue_remove(t->simq, t->id);
    t->simq = NULL;
    t->phase = SBX_PH_DONE;
    world_active_del(t);
}

void world_enqueued(struct sbx_task *t, struct sbx_queue *q)
{
    cJSON *ent = cJSON_CreateObject();
    char *iso = world_iso(world_now_ms());

    cJSON_AddStringToObject(ent, "task", t->id);
    cJSON_AddStringToObject(ent, "added", iso);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(q->doc, "entries"),
                         ent);
    free(iso);
    t->simq = q;
    t->enq_ms = world_now_ms();
    t->phase = SBX_PH_QUEUED;
    t->iters_done = 0;
    if (q->agent != NULL)
        world_active_add(t);
}

/* Reports iteration k of t's run, stamped at its scheduled time. */
static void world_report(struct sbx_task *t, const struct sbx_agent *ag,
                         int k, double at)
{
    const cJSON *s;
    char *msg;

    cJSON_ArrayForEach(s, ag->scalars) {
        const cJSON *vals = world_get(s, "values");
        int n = cJSON_GetArraySize(vals);
        double y = n > 0 ? cJSON_GetArrayItem(vals, (k - 1) % n)->valuedouble
                         : 10.0 * k;

        world_add_scalar(t, world_str(s, "title", "Performance Metric"),
                         world_str(s, "series", "Series 1"), k, y);
    }
    world_set(t->doc, "last_iteration", cJSON_CreateNumber(k));
    world_set_iso(t->doc, "last_update", at);
    world_set_iso(t->doc, "last_worker_report", at);
    msg = xasprintf("iteration %d reported", k);
    world_add_log(t, msg, k, "info");
    free(msg);
}

/* Advances one simulated task to the sandbox clock. */
static void world_advance(struct sbx_task *t, double now)
{
    struct sbx_queue *q = t->simq;
    const struct sbx_agent *ag = q ? q->agent : NULL;
    double start, el;

    if (ag == NULL)
        return;
    el = now - t->enq_ms;
    start = t->enq_ms + ag->pickup_ms;
    if (t->phase == SBX_PH_QUEUED) {
        if (el < ag->pickup_ms)
            return;
        world_queue_remove(q, t->id);
        world_set_status(t, "in_progress", "");
        world_set_iso(t->doc, "started", start);
        world_set(t->doc, "last_worker", cJSON_CreateString(ag->worker));
        world_add_log(t, "sbx-agent: task picked up", 0, "info");
        t->phase = SBX_PH_RUNNING;
    }
    if (t->phase != SBX_PH_RUNNING)
        return;
    while (t->iters_done < ag->iterations &&
           now >= start + (t->iters_done + 1) * ag->iteration_ms) {
        t->iters_done++;
        world_report(t, ag, t->iters_done,
                     start + t->iters_done * ag->iteration_ms);
    }
    if (t->iters_done < ag->iterations || ag->outcome == 'h')
        return;
    if (now < start + ag->iterations * ag->iteration_ms + ag->finish_ms)
        return;
    {
        const cJSON *line;

        cJSON_ArrayForEach(line, ag->log)
            if (cJSON_IsString(line))
                world_add_log(t, line->valuestring, t->iters_done,
                              ag->outcome == 'f' ? "error" : "info");
    }
    if (ag->outcome == 'f') {
        world_set_status(t, "failed", ag->status_message);
    } else {
        world_set_status(t, "completed", "");
        world_set_iso(t->doc, "completed", world_now_ms());
    }
    t->phase = SBX_PH_DONE;
    t->simq = NULL;
    world_active_del(t);
}

void world_tick(void)
{
    double now = world_now_ms();
    size_t i = 0;

    while (i < world_nactive) {
        size_t before = world_nactive;

        world_advance(world_active[i], now);
        if (world_nactive == before)
            i++;
    }
}

/* ---- faults */

int world_add_fault(const cJSON *spec, char *err, size_t errlen)
{
    const cJSON *m = world_get(spec, "match");
    struct sbx_fault f;
    const char *re = world_str(m, "path", NULL);

    if (!cJSON_IsObject(spec)) {
        snprintf(err, errlen, "a fault must be a JSON object");
        return -1;
    }
    memset(&f, 0, sizeof(f));
    if (re != NULL) {
        regex_t *rx = xmalloc(sizeof(*rx));

        if (regcomp(rx, re, REG_EXTENDED | REG_NOSUB) != 0) {
            free(rx);
            snprintf(err, errlen, "bad fault path regex: %s", re);
            return -1;
        }
        f.re = rx;
        f.has_re = 1;
    }
    f.spec = cJSON_Duplicate(spec, 1);
    f.service = xstrdup(world_str(m, "service", NULL));
    f.method = xstrdup(world_str(m, "method", NULL));
    f.endpoint = xstrdup(world_str(m, "endpoint", NULL));
    f.nth = (long)world_num(spec, "nth", 1);
    f.count = (long)world_num(spec, "count", 1);
    if (f.nth < 1)
        f.nth = 1;
    sbx_w.faults = xrealloc(sbx_w.faults,
                            (sbx_w.nfaults + 1) * sizeof(*sbx_w.faults));
    sbx_w.faults[sbx_w.nfaults++] = f;
    return 0;
}

/* ---- /__state */

static void world_copy(cJSON *dst, const cJSON *src, const char *k)
{
    const cJSON *v = world_get(src, k);

    cJSON_AddItemToObject(dst, k, v ? cJSON_Duplicate(v, 1)
                                    : cJSON_CreateNull());
}

cJSON *world_state_json(void)
{
    cJSON *st = cJSON_CreateObject(), *arr, *o, *gh, *gl;
    size_t i;
    const cJSON *it;
    static const char *const tf[] = { "id", "name", "project", "status",
        "status_message", "tags", "system_tags", "last_iteration",
        "type", "last_update", NULL };

    cJSON_AddNumberToObject(st, "clock_ms", sbx_w.clock_offset_ms);
    o = cJSON_AddObjectToObject(st, "counters");
    cJSON_AddNumberToObject(o, "requests", (double)sbx_w.n_requests);
    cJSON_AddNumberToObject(o, "clearml", (double)sbx_w.n_clearml);
    cJSON_AddNumberToObject(o, "github", (double)sbx_w.n_github);
    cJSON_AddNumberToObject(o, "gitlab", (double)sbx_w.n_gitlab);
    cJSON_AddNumberToObject(o, "sandbox", (double)sbx_w.n_sandbox);
    cJSON_AddNumberToObject(st, "tokens_issued", (double)sbx_w.ntokens);
    cJSON_AddNumberToObject(st, "generated_tasks", (double)sbx_w.ngenerated);
    o = cJSON_AddObjectToObject(st, "task_queries");
    cJSON_AddNumberToObject(o, "indexed", (double)query_n_indexed);
    cJSON_AddNumberToObject(o, "scanned", (double)query_n_scanned);
    arr = cJSON_AddArrayToObject(st, "tasks");
    for (i = 0; i < sbx_w.ntasks; i++) {
        const struct sbx_task *t = sbx_w.tasks[i];
        cJSON *to, *sc;
        int k;

        if (t->generated)
            continue;
        to = cJSON_CreateObject();
        for (k = 0; tf[k] != NULL; k++)
            world_copy(to, t->doc, tf[k]);
        sc = cJSON_AddObjectToObject(to, "script");
        world_copy(sc, world_get(t->doc, "script"), "version_num");
        world_copy(to, world_get(t->doc, "execution"), "queue");
        cJSON_AddItemToArray(arr, to);
    }
    cJSON_AddItemToObject(st, "projects",
                          cJSON_Duplicate(sbx_w.projects, 1));
    arr = cJSON_AddArrayToObject(st, "queues");
    for (i = 0; i < sbx_w.nqueues; i++) {
        cJSON *qo = cJSON_CreateObject();

        cJSON_AddStringToObject(qo, "id", sbx_w.queues[i]->id);
        cJSON_AddStringToObject(qo, "name", sbx_w.queues[i]->name);
        world_copy(qo, sbx_w.queues[i]->doc, "entries");
        cJSON_AddBoolToObject(qo, "agent", sbx_w.queues[i]->agent != NULL);
        cJSON_AddItemToArray(arr, qo);
    }
    gh = cJSON_AddObjectToObject(st, "github");
    o = cJSON_AddObjectToObject(gh, "comments");
    cJSON_ArrayForEach(it, sbx_w.gh_comments) {
        cJSON *list = cJSON_AddArrayToObject(o, it->string);
        const cJSON *c;

        cJSON_ArrayForEach(c, it) {
            cJSON *co = cJSON_CreateObject();

            world_copy(co, c, "id");
            world_copy(co, c, "body");
            cJSON_AddStringToObject(co, "user", world_str(
                world_get(c, "user"), "login", ""));
            cJSON_AddItemToArray(list, co);
        }
    }
    cJSON_AddItemToObject(gh, "statuses",
                          cJSON_Duplicate(sbx_w.gh_statuses, 1));
    gl = cJSON_AddObjectToObject(st, "gitlab");
    cJSON_AddItemToObject(gl, "notes", cJSON_Duplicate(sbx_w.gl_notes, 1));
    cJSON_AddItemToObject(gl, "statuses",
                          cJSON_Duplicate(sbx_w.gl_statuses, 1));
    cJSON_AddItemToObject(gl, "pipelines",
                          cJSON_Duplicate(sbx_w.gl_pipelines, 1));
    arr = cJSON_AddArrayToObject(st, "faults");
    for (i = 0; i < sbx_w.nfaults; i++) {
        cJSON *fo = cJSON_Duplicate(sbx_w.faults[i].spec, 1);

        world_set(fo, "seen", cJSON_CreateNumber(
                      (double)sbx_w.faults[i].seen));
        world_set(fo, "fired", cJSON_CreateNumber(
                      (double)sbx_w.faults[i].fired));
        cJSON_AddItemToArray(arr, fo);
    }
    return st;
}
