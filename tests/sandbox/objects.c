/*
 * objects.c - the ClearML endpoints around tasks: server.info,
 * projects.*, queues.* and the events.* reads (scalars, log, latest
 * values).
 */
#include <config.h>

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>

#include "clearml.h"
#include "sandbox.h"
#include "util.h"

void objects_server_info(struct sbx_req *q, struct sbx_resp *r,
                         const cJSON *b)
{
    cJSON *d = cJSON_CreateObject();

    (void)b;
    cJSON_AddStringToObject(d, "version", sbx_w.server_version);
    cJSON_AddStringToObject(d, "build", "sandbox");
    cJSON_AddStringToObject(d, "commit", "0000000");
    cJSON_AddStringToObject(d, "uid", "5bd05bd05bd05bd05bd05bd05bd05bd0");
    cJSON_AddStringToObject(d, "api_version", sbx_w.api_version);
    clearml_ok(q, r, d);
}

/* A regex check shared by projects.get_all and queues.get_all. */
static int objects_name_re(struct sbx_req *q, struct sbx_resp *r,
                           const cJSON *b, regex_t *re, int *has)
{
    const char *name;
    char err[160];

    *has = 0;
    if (clearml_str(q, r, b, "name", 0, &name) != 0)
        return -1;
    if (name == NULL)
        return 0;
    if (query_regex_ok(name, 0, err, sizeof(err)) != 0 ||
        regcomp(re, name, REG_EXTENDED | REG_NOSUB) != 0) {
        cJSON *ed = cJSON_CreateObject();
        char *msg = xasprintf("Malformed regular expression: pattern=%s",
                              name);

        cJSON_AddStringToObject(ed, "pattern", name);
        clearml_error(q, r, 400, 21, msg, ed);
        free(msg);
        return -1;
    }
    *has = 1;
    return 0;
}

static int objects_in_ids(const cJSON *ids, const char *id)
{
    return ids == NULL || clearml_has_tag(ids, id);
}

void objects_projects_get_all(struct sbx_req *q, struct sbx_resp *r,
                              const cJSON *b)
{
    const cJSON *ids, *only = cJSON_GetObjectItemCaseSensitive(b,
                                                              "only_fields");
    const cJSON *p;
    regex_t re;
    int has_re, hidden;
    cJSON *arr;

    if (clearml_strs(q, r, b, "id", 0, &ids) != 0 ||
        clearml_bool(q, r, b, "search_hidden", &hidden) != 0 ||
        objects_name_re(q, r, b, &re, &has_re) != 0)
        return;
    arr = cJSON_CreateArray();
    cJSON_ArrayForEach(p, sbx_w.projects) {
        if (!objects_in_ids(ids, clearml_doc_str(p, "id")))
            continue;
        if (has_re &&
            regexec(&re, clearml_doc_str(p, "name"), 0, NULL, 0) != 0)
            continue;
        if (!hidden && clearml_has_tag(cJSON_GetObjectItemCaseSensitive(
                p, "system_tags"), "hidden"))
            continue;
        cJSON_AddItemToArray(arr, cJSON_IsArray(only) ?
                             query_only_fields(p, only) :
                             cJSON_Duplicate(p, 1));
    }
    if (has_re)
        regfree(&re);
    {
        cJSON *d = cJSON_CreateObject();

        cJSON_AddItemToObject(d, "projects", arr);
        clearml_ok(q, r, d);
    }
}

void objects_projects_create(struct sbx_req *q, struct sbx_resp *r,
                             const cJSON *b)
{
    const char *name, *desc;
    cJSON *p, *d;
    char *id, *iso;

    if (clearml_str(q, r, b, "name", 1, &name) != 0 ||
        clearml_str(q, r, b, "description", 0, &desc) != 0 ||
        clearml_name_ok(q, r, name) != 0)
        return;
    cJSON_ArrayForEach(p, sbx_w.projects)
        if (strcmp(clearml_doc_str(p, "name"), name) == 0) {
            cJSON *ed = cJSON_CreateObject();
            char *msg = xasprintf("Value combination already exists: "
                                  "name=%s", name);

            cJSON_AddStringToObject(ed, "name", name);
            clearml_error(q, r, 400, 801, msg, ed);
            free(msg);
            return;
        }
    id = world_new_id();
    iso = world_iso(world_now_ms());
    p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "id", id);
    cJSON_AddStringToObject(p, "name", name);
    cJSON_AddStringToObject(p, "basename", name);
    cJSON_AddStringToObject(p, "company", world_company);
    cJSON_AddStringToObject(p, "user", world_user);
    cJSON_AddStringToObject(p, "created", iso);
    cJSON_AddStringToObject(p, "last_update", iso);
    cJSON_AddItemToObject(p, "tags", cJSON_CreateArray());
    cJSON_AddItemToObject(p, "system_tags", cJSON_CreateArray());
    cJSON_AddNullToObject(p, "default_output_destination");
    cJSON_AddStringToObject(p, "description", desc ? desc : "");
    cJSON_AddItemToArray(sbx_w.projects, p);
    d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", id);
    clearml_ok(q, r, d);
    free(id);
    free(iso);
}

void objects_projects_get_by_id(struct sbx_req *q, struct sbx_resp *r,
                                const cJSON *b)
{
    const char *id;
    const cJSON *p;

    if (clearml_str(q, r, b, "project", 1, &id) != 0)
        return;
    cJSON_ArrayForEach(p, sbx_w.projects)
        if (strcmp(clearml_doc_str(p, "id"), id) == 0) {
            cJSON *d = cJSON_CreateObject();

            cJSON_AddItemToObject(d, "project", cJSON_Duplicate(p, 1));
            clearml_ok(q, r, d);
            return;
        }
    {
        cJSON *ed = cJSON_CreateObject();
        char *msg = xasprintf("Invalid project id: id=%s", id);

        cJSON_AddStringToObject(ed, "id", id);
        clearml_error(q, r, 400, 401, msg, ed);
        free(msg);
    }
}

void objects_queues_get_all(struct sbx_req *q, struct sbx_resp *r,
                            const cJSON *b)
{
    const cJSON *ids, *only = cJSON_GetObjectItemCaseSensitive(b,
                                                              "only_fields");
    regex_t re;
    int has_re;
    size_t i;
    cJSON *arr, *d;

    if (clearml_strs(q, r, b, "id", 0, &ids) != 0 ||
        objects_name_re(q, r, b, &re, &has_re) != 0)
        return;
    arr = cJSON_CreateArray();
    for (i = 0; i < sbx_w.nqueues; i++) {
        const struct sbx_queue *qu = sbx_w.queues[i];

        if (!objects_in_ids(ids, qu->id))
            continue;
        if (has_re && regexec(&re, qu->name, 0, NULL, 0) != 0)
            continue;
        cJSON_AddItemToArray(arr, cJSON_IsArray(only) ?
                             query_only_fields(qu->doc, only) :
                             cJSON_Duplicate(qu->doc, 1));
    }
    if (has_re)
        regfree(&re);
    d = cJSON_CreateObject();
    cJSON_AddItemToObject(d, "queues", arr);
    clearml_ok(q, r, d);
}

void objects_queues_get_by_id(struct sbx_req *q, struct sbx_resp *r,
                              const cJSON *b)
{
    const char *id;
    struct sbx_queue *qu;
    cJSON *d;

    if (clearml_str(q, r, b, "queue", 1, &id) != 0)
        return;
    qu = world_queue_by_id(id);
    if (qu == NULL) {
        clearml_bad_queue(q, r, id);
        return;
    }
    d = cJSON_CreateObject();
    cJSON_AddItemToObject(d, "queue", cJSON_Duplicate(qu->doc, 1));
    clearml_ok(q, r, d);
}

void objects_queues_get_default(struct sbx_req *q, struct sbx_resp *r,
                                const cJSON *b)
{
    struct sbx_queue *qu = clearml_default_queue();
    cJSON *d;

    (void)b;
    if (qu == NULL) {
        clearml_error(q, r, 400, 707, "No queue is tagged as the default "
                      "queue for this company", NULL);
        return;
    }
    d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", qu->id);
    cJSON_AddStringToObject(d, "name", qu->name);
    clearml_ok(q, r, d);
}

/* The "task" of a read-only events call. */
static struct sbx_task *objects_read_task(struct sbx_req *q,
                                          struct sbx_resp *r,
                                          const cJSON *b)
{
    const char *id;
    struct sbx_task *t;

    if (clearml_str(q, r, b, "task", 1, &id) != 0)
        return NULL;
    t = world_task(id);
    if (t == NULL)
        clearml_bad_task(q, r, id, 0);
    return t;
}

void objects_events_histogram(struct sbx_req *q, struct sbx_resp *r,
                              const cJSON *b)
{
    struct sbx_task *t = objects_read_task(q, r, b);
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(b, "metrics");
    const char *key;
    cJSON *d;

    if (t == NULL || clearml_str(q, r, b, "key", 0, &key) != 0)
        return;
    if (metrics != NULL && !cJSON_IsArray(metrics)) {
        clearml_bad_type(q, r, "metrics", "array");
        return;
    }
    if (cJSON_GetArraySize(metrics) == 0) {
        d = cJSON_Duplicate(t->scalars, 1);
    } else {
        const cJSON *m;

        d = cJSON_CreateObject();
        cJSON_ArrayForEach(m, metrics) {
            const char *title = clearml_doc_str(m, "metric");
            const cJSON *src = cJSON_GetObjectItemCaseSensitive(t->scalars,
                                                               title);
            const cJSON *vars = cJSON_GetObjectItemCaseSensitive(m,
                                                                "variants");
            const cJSON *s;
            cJSON *dst;

            if (src == NULL)
                continue;
            dst = cJSON_AddObjectToObject(d, title);
            cJSON_ArrayForEach(s, src)
                if (cJSON_GetArraySize(vars) == 0 ||
                    clearml_has_tag(vars, s->string))
                    cJSON_AddItemToObject(dst, s->string,
                                          cJSON_Duplicate(s, 1));
        }
    }
    clearml_ok(q, r, d);
}

/* events.multi_task_scalar_metrics_iter_histogram, as
 * apiserver/services/events.py and bll/event/event_metrics.py
 * compare_scalar_metrics_average_per_iter answer it: {"metrics": {title:
 * {series: {task id: {x, y, name: the task's name}}}}}, tasks without
 * scalars left out; tasks 1..100 (apimodels/events.py), every one must
 * exist (400/101 naming the missing ones). */
void objects_events_multi_histogram(struct sbx_req *q, struct sbx_resp *r,
                                    const cJSON *b)
{
    const cJSON *tasks, *metrics = cJSON_GetObjectItemCaseSensitive(b,
                                                                  "metrics");
    const cJSON *id, *m, *s;
    const char *key;
    cJSON *d, *out;

    if (clearml_strs(q, r, b, "tasks", 1, &tasks) != 0 ||
        clearml_str(q, r, b, "key", 0, &key) != 0)
        return;
    if (cJSON_GetArraySize(tasks) < 1 || cJSON_GetArraySize(tasks) > 100) {
        clearml_error(q, r, 400, 12, "Validation error (error for field "
                      "'tasks'. length must be between 1 and 100)", NULL);
        return;
    }
    if (metrics != NULL && !cJSON_IsArray(metrics)) {
        clearml_bad_type(q, r, "metrics", "array");
        return;
    }
    cJSON_ArrayForEach(id, tasks)
        if (world_task(id->valuestring) == NULL) {
            clearml_bad_task(q, r, id->valuestring, 0);
            return;
        }
    d = cJSON_CreateObject();
    out = cJSON_AddObjectToObject(d, "metrics");
    cJSON_ArrayForEach(id, tasks) {
        struct sbx_task *t = world_task(id->valuestring);
        const cJSON *title;

        cJSON_ArrayForEach(title, t->scalars) {
            int want = cJSON_GetArraySize(metrics) == 0;
            const cJSON *vars = NULL;
            cJSON *dt;

            cJSON_ArrayForEach(m, metrics)
                if (strcmp(clearml_doc_str(m, "metric"),
                           title->string) == 0) {
                    want = 1;
                    vars = cJSON_GetObjectItemCaseSensitive(m, "variants");
                }
            if (!want)
                continue;
            dt = cJSON_GetObjectItemCaseSensitive(out, title->string);
            if (dt == NULL)
                dt = cJSON_AddObjectToObject(out, title->string);
            cJSON_ArrayForEach(s, title) {
                cJSON *ds, *v;

                if (cJSON_GetArraySize(vars) > 0 &&
                    !clearml_has_tag(vars, s->string))
                    continue;
                ds = cJSON_GetObjectItemCaseSensitive(dt, s->string);
                if (ds == NULL)
                    ds = cJSON_AddObjectToObject(dt, s->string);
                if (cJSON_GetObjectItemCaseSensitive(ds, t->id) != NULL)
                    continue; /* the same task twice: one entry */
                v = cJSON_Duplicate(s, 1);
                cJSON_DeleteItemFromObjectCaseSensitive(v, "name");
                cJSON_AddStringToObject(v, "name",
                                        clearml_doc_str(t->doc, "name"));
                cJSON_AddItemToObject(ds, t->id, v);
            }
        }
    }
    clearml_ok(q, r, d);
}

void objects_events_task_log(struct sbx_req *q, struct sbx_resp *r,
                             const cJSON *b)
{
    struct sbx_task *t = objects_read_task(q, r, b);
    const cJSON *bs = cJSON_GetObjectItemCaseSensitive(b, "batch_size");
    const cJSON *ne = cJSON_GetObjectItemCaseSensitive(b,
                                                      "navigate_earlier");
    int batch = 500, earlier = 1, n, i, k = 0;
    cJSON *d, *evs;

    if (t == NULL)
        return;
    if (bs != NULL && !cJSON_IsNumber(bs)) {
        clearml_bad_type(q, r, "batch_size", "integer");
        return;
    }
    if (cJSON_IsNumber(bs))
        batch = bs->valueint;
    if (cJSON_IsBool(ne))
        earlier = cJSON_IsTrue(ne);
    n = cJSON_GetArraySize(t->log);
    d = cJSON_CreateObject();
    evs = cJSON_AddArrayToObject(d, "events");
    /* navigate_earlier (the default) returns the latest events first. */
    for (i = 0; i < n && k < batch; i++, k++) {
        int idx = earlier ? n - 1 - i : i;

        cJSON_AddItemToArray(evs, cJSON_Duplicate(
            cJSON_GetArrayItem(t->log, idx), 1));
    }
    cJSON_AddNumberToObject(d, "returned", k);
    cJSON_AddNumberToObject(d, "total", n);
    cJSON_AddStringToObject(d, "scroll_id", t->id);
    clearml_ok(q, r, d);
}

void objects_events_latest(struct sbx_req *q, struct sbx_resp *r,
                           const cJSON *b)
{
    struct sbx_task *t = objects_read_task(q, r, b);
    const cJSON *title, *ser;
    cJSON *d, *ms;

    if (t == NULL)
        return;
    d = cJSON_CreateObject();
    ms = cJSON_AddArrayToObject(d, "metrics");
    cJSON_ArrayForEach(title, t->scalars) {
        cJSON *m = cJSON_CreateObject(), *vs;

        cJSON_AddStringToObject(m, "name", title->string);
        vs = cJSON_AddArrayToObject(m, "variants");
        cJSON_ArrayForEach(ser, title) {
            const cJSON *ys = cJSON_GetObjectItemCaseSensitive(ser, "y");
            int n = cJSON_GetArraySize(ys), i, from = n > 100 ? n - 100 : 0;
            double sum = 0;
            cJSON *v;

            if (n == 0)
                continue;
            for (i = from; i < n; i++)
                sum += cJSON_GetArrayItem(ys, i)->valuedouble;
            v = cJSON_CreateObject();
            cJSON_AddStringToObject(v, "name", ser->string);
            cJSON_AddNumberToObject(v, "last_value",
                                    cJSON_GetArrayItem(ys, n - 1)
                                    ->valuedouble);
            cJSON_AddNumberToObject(v, "last_100_value", sum / (n - from));
            cJSON_AddItemToArray(vs, v);
        }
        cJSON_AddItemToArray(ms, m);
    }
    clearml_ok(q, r, d);
}
