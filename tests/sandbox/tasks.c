/*
 * tasks.c - the ClearML tasks.* endpoints that read one task or change
 * tasks: get_by_id, edit, update, update_tags, create, enqueue with the
 * status state machine, stop, stopped, archive and archive_many.
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

static void tasks_bad_transition(struct sbx_req *q, struct sbx_resp *r,
                                 const char *from, const char *to)
{
    cJSON *ed = cJSON_CreateObject();
    char *msg = xasprintf("Invalid task status (Invalid status change): "
                          "current_status=%s, new_status=%s", from, to);

    cJSON_AddStringToObject(ed, "current_status", from);
    cJSON_AddStringToObject(ed, "new_status", to);
    clearml_error(q, r, 400, 110, msg, ed);
    free(msg);
}

static int tasks_transition_ok(const char *from, const char *to)
{
    static const char *const table[][2] = {
        { "created", "queued in_progress" },
        { "queued", "created in_progress stopped" },
        { "in_progress", "stopped failed created completed" },
        { "stopped", "closed created failed queued in_progress published "
                     "publishing completed" },
        { "closed", "created failed published publishing stopped" },
        { "failed", "created stopped published queued" },
        { "publishing", "published" },
        { "published", "" },
        { "completed", "published in_progress created" },
    };
    size_t i, n = strlen(to);

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const char *p = table[i][1];

        if (strcmp(table[i][0], from) != 0)
            continue;
        for (p = strstr(p, to); p != NULL; p = strstr(p + n, to))
            if ((p == table[i][1] || p[-1] == ' ') &&
                (p[n] == ' ' || p[n] == '\0'))
                return 1;
        return 0;
    }
    return 0;
}

/* The fields object of a status change answer. */
static cJSON *tasks_status_fields(const struct sbx_task *t)
{
    cJSON *f = cJSON_CreateObject();
    static const char *const keys[] = { "status", "status_reason",
        "status_message", "status_changed", "last_update", "last_change",
        "last_changed_by", NULL };
    int i;

    for (i = 0; keys[i] != NULL; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t->doc, keys[i]);

        if (v != NULL)
            cJSON_AddItemToObject(f, keys[i], cJSON_Duplicate(v, 1));
    }
    return f;
}

void tasks_get_by_id(struct sbx_req *q, struct sbx_resp *r,
                     const cJSON *b)
{
    const char *id;
    struct sbx_task *t;
    cJSON *d;

    if (clearml_str(q, r, b, "task", 1, &id) != 0)
        return;
    t = world_task(id);
    if (t == NULL) {
        clearml_bad_task(q, r, id, 0);
        return;
    }
    d = cJSON_CreateObject();
    cJSON_AddItemToObject(d, "task", cJSON_Duplicate(t->doc, 1));
    clearml_ok(q, r, d);
}

/* Looks up the "task" field of a write endpoint. */
static struct sbx_task *tasks_write_task(struct sbx_req *q, struct sbx_resp *r,
                                         const cJSON *b)
{
    const char *id;
    struct sbx_task *t;

    if (clearml_str(q, r, b, "task", 1, &id) != 0)
        return NULL;
    t = world_task(id);
    if (t == NULL)
        clearml_bad_task(q, r, id, 1);
    return t;
}

/* Validates and applies the editable fields of tasks.edit/update. */
static int tasks_apply_fields(struct sbx_req *q, struct sbx_resp *r,
                              const cJSON *b, struct sbx_task *t,
                              cJSON *fields, int all_fields, int *non_user)
{
    static const char *const user_fields[] = { "name", "comment", "tags",
        "system_tags", "project", "status_message", "created", NULL };
    static const char *const skip[] = { "task", "force", NULL };
    const cJSON *f;
    int i;

    *non_user = 0;
    cJSON_ArrayForEach(f, b) {
        int is_user = 0, skipped = 0;

        for (i = 0; skip[i] != NULL; i++)
            skipped |= strcmp(f->string, skip[i]) == 0;
        if (skipped)
            continue;
        for (i = 0; user_fields[i] != NULL; i++)
            is_user |= strcmp(f->string, user_fields[i]) == 0;
        if (!is_user && !all_fields)
            continue;
        if (strcmp(f->string, "tags") == 0 ||
            strcmp(f->string, "system_tags") == 0) {
            const cJSON *arr;

            if (clearml_strs(q, r, b, f->string, 0, &arr) != 0)
                return -1;
            if (arr == NULL)
                continue;
        } else if (strcmp(f->string, "name") == 0 && !cJSON_IsString(f)) {
            clearml_bad_type(q, r, "name", "string");
            return -1;
        } else if (strcmp(f->string, "name") == 0 &&
                   clearml_name_ok(q, r, f->valuestring) != 0) {
            return -1;
        } else if (strcmp(f->string, "id") == 0 ||
                   strcmp(f->string, "status") == 0) {
            continue;
        }
        if (!is_user)
            *non_user = 1;
    }
    cJSON_ArrayForEach(f, b) {
        int ok = 0;
        cJSON *v;

        if (strcmp(f->string, "task") == 0 || strcmp(f->string, "force") == 0
            || strcmp(f->string, "id") == 0 ||
            strcmp(f->string, "status") == 0 || cJSON_IsNull(f))
            continue;
        for (i = 0; user_fields[i] != NULL; i++)
            ok |= strcmp(f->string, user_fields[i]) == 0;
        if (!ok && !all_fields)
            continue;
        if (strcmp(f->string, "tags") == 0 ||
            strcmp(f->string, "system_tags") == 0)
            v = clearml_sorted_tags(f);
        else
            v = cJSON_Duplicate(f, 1);
        cJSON_AddItemToObject(fields, f->string, cJSON_Duplicate(v, 1));
        clearml_set(t->doc, f->string, v);
    }
    /* tags, script or id may have changed: file t again (query.c). */
    query_reindex(t);
    return 0;
}

void tasks_edit(struct sbx_req *q, struct sbx_resp *r,
                const cJSON *b)
{
    struct sbx_task *t = tasks_write_task(q, r, b);
    cJSON *fields, *d;
    int force, non_user;
    const char *st;

    if (t == NULL || clearml_bool(q, r, b, "force", &force) != 0)
        return;
    st = clearml_doc_str(t->doc, "status");
    if (!force && strcmp(st, "created") != 0) {
        cJSON *ed = cJSON_CreateObject();
        char *msg = xasprintf("Invalid task status: expected=created, "
                              "status=%s", st);

        cJSON_AddStringToObject(ed, "expected", "created");
        cJSON_AddStringToObject(ed, "status", st);
        clearml_error(q, r, 400, 110, msg, ed);
        free(msg);
        return;
    }
    fields = cJSON_CreateObject();
    if (tasks_apply_fields(q, r, b, t, fields, 1, &non_user) != 0) {
        cJSON_Delete(fields);
        return;
    }
    clearml_touch(t->doc, fields, non_user);
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "updated", 1);
    cJSON_AddItemToObject(d, "fields", fields);
    clearml_ok(q, r, d);
}

void tasks_update(struct sbx_req *q, struct sbx_resp *r,
                  const cJSON *b)
{
    struct sbx_task *t = tasks_write_task(q, r, b);
    cJSON *fields, *d;
    int non_user;

    if (t == NULL)
        return;
    fields = cJSON_CreateObject();
    if (tasks_apply_fields(q, r, b, t, fields, 0, &non_user) != 0) {
        cJSON_Delete(fields);
        return;
    }
    clearml_touch(t->doc, fields, 0);
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "updated", 1);
    cJSON_AddItemToObject(d, "fields", fields);
    clearml_ok(q, r, d);
}

/* t's tags := sorted(tags ∪ add − remove), and t filed again in the
 * query indexes. */
static void tasks_retag(struct sbx_task *t, const char *field,
                        const cJSON *add, const cJSON *remove)
{
    cJSON *doc = t->doc;
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(doc, field), *e;
    cJSON *tmp = cJSON_CreateArray();

    cJSON_ArrayForEach(e, cur)
        if (cJSON_IsString(e) && !clearml_has_tag(remove, e->valuestring))
            cJSON_AddItemToArray(tmp, cJSON_CreateString(e->valuestring));
    cJSON_ArrayForEach(e, add)
        if (!clearml_has_tag(remove, e->valuestring))
            cJSON_AddItemToArray(tmp, cJSON_CreateString(e->valuestring));
    clearml_set(doc, field, clearml_sorted_tags(tmp));
    cJSON_Delete(tmp);
    query_reindex(t);
}

void tasks_update_tags(struct sbx_req *q, struct sbx_resp *r,
                       const cJSON *b)
{
    const cJSON *ids, *at, *rt, *ast, *rst, *e;
    cJSON *d;
    int n = 0;

    if (clearml_strs(q, r, b, "ids", 1, &ids) != 0 ||
        clearml_strs(q, r, b, "add_tags", 0, &at) != 0 ||
        clearml_strs(q, r, b, "remove_tags", 0, &rt) != 0 ||
        clearml_strs(q, r, b, "add_system_tags", 0, &ast) != 0 ||
        clearml_strs(q, r, b, "remove_system_tags", 0, &rst) != 0)
        return;
    cJSON_ArrayForEach(e, ids)
        if (world_task(e->valuestring) == NULL) {
            clearml_bad_task(q, r, e->valuestring, 0);
            return;
        }
    cJSON_ArrayForEach(e, ids) {
        struct sbx_task *t = world_task(e->valuestring);
        cJSON *dummy = cJSON_CreateObject();

        if (at != NULL || rt != NULL)
            tasks_retag(t, "tags", at, rt);
        if (ast != NULL || rst != NULL)
            tasks_retag(t, "system_tags", ast, rst);
        clearml_touch(t->doc, dummy, 0);
        cJSON_Delete(dummy);
        n++;
    }
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "updated", n);
    clearml_ok(q, r, d);
}

static int tasks_valid_type(const char *t)
{
    static const char *const types[] = { "training", "testing", "inference",
        "data_processing", "application", "monitor", "controller",
        "optimizer", "service", "qc", "custom", NULL };
    int i;

    for (i = 0; types[i] != NULL; i++)
        if (strcmp(types[i], t) == 0)
            return 1;
    return 0;
}

void tasks_create(struct sbx_req *q, struct sbx_resp *r,
                  const cJSON *b)
{
    const char *name, *type, *project;
    const cJSON *tags, *stags, *f;
    cJSON *doc, *d;
    char *iso;

    if (clearml_str(q, r, b, "name", 1, &name) != 0 ||
        clearml_str(q, r, b, "type", 1, &type) != 0 ||
        clearml_str(q, r, b, "project", 0, &project) != 0 ||
        clearml_strs(q, r, b, "tags", 0, &tags) != 0 ||
        clearml_strs(q, r, b, "system_tags", 0, &stags) != 0)
        return;
    if (clearml_name_ok(q, r, name) != 0)
        return;
    if (!tasks_valid_type(type)) {
        char *msg = xasprintf("Validation error (error for field 'type'. "
                              "'%s' is not one of the allowed values)",
                              type);

        clearml_error(q, r, 400, 12, msg, NULL);
        free(msg);
        return;
    }
    if (project != NULL) {
        const cJSON *p;
        int found = 0;

        cJSON_ArrayForEach(p, sbx_w.projects)
            found |= strcmp(clearml_doc_str(p, "id"), project) == 0;
        if (!found) {
            cJSON *ed = cJSON_CreateObject();
            char *msg = xasprintf("Invalid project id: id=%s", project);

            cJSON_AddStringToObject(ed, "id", project);
            clearml_error(q, r, 400, 401, msg, ed);
            free(msg);
            return;
        }
    }
    doc = cJSON_CreateObject();
    cJSON_ArrayForEach(f, b) {
        if (strcmp(f->string, "id") == 0 || strcmp(f->string, "status") == 0)
            continue;
        if (strcmp(f->string, "tags") == 0 ||
            strcmp(f->string, "system_tags") == 0)
            cJSON_AddItemToObject(doc, f->string, clearml_sorted_tags(f));
        else
            cJSON_AddItemToObject(doc, f->string, cJSON_Duplicate(f, 1));
    }
    {
        char *id = world_new_id();

        cJSON_AddStringToObject(doc, "id", id);
        free(id);
    }
    iso = world_iso(world_now_ms());
    cJSON_AddStringToObject(doc, "status", "created");
    cJSON_AddStringToObject(doc, "status_reason", "");
    cJSON_AddStringToObject(doc, "status_message", "");
    cJSON_AddStringToObject(doc, "status_changed", iso);
    cJSON_AddStringToObject(doc, "created", iso);
    cJSON_AddStringToObject(doc, "last_update", iso);
    cJSON_AddStringToObject(doc, "last_change", iso);
    cJSON_AddStringToObject(doc, "user", world_user);
    cJSON_AddStringToObject(doc, "company", world_company);
    free(iso);
    {
        static const char *const defs[] = { "tags", "system_tags", NULL };
        int i;

        for (i = 0; defs[i] != NULL; i++)
            if (!cJSON_HasObjectItem(doc, defs[i]))
                cJSON_AddItemToObject(doc, defs[i], cJSON_CreateArray());
        if (!cJSON_HasObjectItem(doc, "script"))
            cJSON_AddItemToObject(doc, "script", cJSON_CreateObject());
        if (!cJSON_HasObjectItem(doc, "execution"))
            cJSON_AddItemToObject(doc, "execution", cJSON_CreateObject());
        if (!cJSON_HasObjectItem(doc, "comment"))
            cJSON_AddStringToObject(doc, "comment", "");
    }
    clearml_task_model_defaults(doc);
    d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", world_add_task(doc)->id);
    clearml_ok(q, r, d);
}

void tasks_enqueue(struct sbx_req *q, struct sbx_resp *r,
                   const cJSON *b)
{
    struct sbx_task *t = tasks_write_task(q, r, b);
    const char *qid, *qname, *st;
    char prev[32];
    struct sbx_queue *qu;
    int verify;
    cJSON *d, *fields, *ex;

    if (t == NULL || clearml_str(q, r, b, "queue", 0, &qid) != 0 ||
        clearml_str(q, r, b, "queue_name", 0, &qname) != 0 ||
        clearml_bool(q, r, b, "verify_watched_queue", &verify) != 0)
        return;
    if (qid != NULL) {
        qu = world_queue_by_id(qid);
        if (qu == NULL) {
            clearml_bad_queue(q, r, qid);
            return;
        }
    } else if (qname != NULL) {
        qu = world_queue_by_name(qname);
        if (qu == NULL) {
            /* API 2.19+: queue_name creates a missing queue. */
            cJSON *spec = cJSON_CreateObject();

            cJSON_AddStringToObject(spec, "name", qname);
            qu = world_add_queue(spec);
            cJSON_Delete(spec);
        }
    } else {
        qu = clearml_default_queue();
        if (qu == NULL) {
            clearml_error(q, r, 400, 707, "No queue is tagged as the "
                          "default queue for this company", NULL);
            return;
        }
    }
    st = clearml_doc_str(t->doc, "status");
    if (strcmp(st, "queued") == 0) {
        cJSON *ed = cJSON_CreateObject();
        char *msg = xasprintf("Failed adding task to queue since task is "
                              "already queued: id=%s", t->id);

        cJSON_AddStringToObject(ed, "id", t->id);
        clearml_error(q, r, 400, 706, msg, ed);
        free(msg);
        return;
    }
    if (!tasks_transition_ok(st, "queued")) {
        tasks_bad_transition(q, r, st, "queued");
        return;
    }
    ex = cJSON_GetObjectItemCaseSensitive(t->doc, "execution");
    if (!cJSON_IsObject(ex)) {
        ex = cJSON_CreateObject();
        clearml_set(t->doc, "execution", ex);
    }
    clearml_set(ex, "queue", cJSON_CreateString(qu->id));
    clearml_set(t->doc, "enqueue_status", cJSON_CreateString(st));
    {
        /* The server drops "development" on enqueue. */
        const cJSON *stags = cJSON_GetObjectItemCaseSensitive(t->doc,
                                                             "system_tags");
        cJSON *rm = cJSON_CreateStringArray(
            (const char *const[]){ "development" }, 1);

        if (clearml_has_tag(stags, "development"))
            tasks_retag(t, "system_tags", NULL, rm);
        cJSON_Delete(rm);
    }
    snprintf(prev, sizeof(prev), "%s", st);
    world_set_status(t, "queued", "");
    world_enqueued(t, qu);
    fields = tasks_status_fields(t);
    cJSON_AddStringToObject(fields, "enqueue_status", prev);
    cJSON_AddStringToObject(fields, "execution.queue", qu->id);
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "queued", 1);
    cJSON_AddNumberToObject(d, "updated", 1);
    cJSON_AddItemToObject(d, "fields", fields);
    if (verify)
        cJSON_AddBoolToObject(d, "queue_watched", qu->agent != NULL);
    clearml_ok(q, r, d);
}

/* tasks.stop and tasks.stopped. */
static void tasks_stop_common(struct sbx_req *q, struct sbx_resp *r,
                              const cJSON *b, int abort_style)
{
    struct sbx_task *t = tasks_write_task(q, r, b);
    const char *st, *reason, *msg;
    int force;
    cJSON *d, *fields;

    if (t == NULL || clearml_bool(q, r, b, "force", &force) != 0 ||
        clearml_str(q, r, b, "status_reason", 0, &reason) != 0 ||
        clearml_str(q, r, b, "status_message", 0, &msg) != 0)
        return;
    st = clearml_doc_str(t->doc, "status");
    if (!force && !tasks_transition_ok(st, "stopped")) {
        tasks_bad_transition(q, r, st, "stopped");
        return;
    }
    /* Queued: dequeued.  Running: the simulated agent obeys at once. */
    world_dequeue(t);
    world_set_status(t, "stopped", msg);
    if (reason != NULL)
        clearml_set(t->doc, "status_reason", cJSON_CreateString(reason));
    fields = tasks_status_fields(t);
    if (!abort_style) {
        char *iso = world_iso(world_now_ms());

        clearml_set(t->doc, "completed", cJSON_CreateString(iso));
        cJSON_AddStringToObject(fields, "completed", iso);
        free(iso);
    }
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "updated", 1);
    cJSON_AddItemToObject(d, "fields", fields);
    clearml_ok(q, r, d);
}

void tasks_stop(struct sbx_req *q, struct sbx_resp *r,
                const cJSON *b)
{
    tasks_stop_common(q, r, b, 1);
}

void tasks_stopped(struct sbx_req *q, struct sbx_resp *r,
                   const cJSON *b)
{
    tasks_stop_common(q, r, b, 0);
}

static void tasks_archive_one(struct sbx_task *t)
{
    cJSON *add = cJSON_CreateStringArray((const char *const[]){ "archived" },
                                         1);
    cJSON *dummy = cJSON_CreateObject();

    if (strcmp(clearml_doc_str(t->doc, "status"), "queued") == 0) {
        world_dequeue(t);
        world_set_status(t, "created", "");
    } else if (t->simq != NULL) {
        world_dequeue(t);
    }
    tasks_retag(t, "system_tags", add, NULL);
    clearml_touch(t->doc, dummy, 0);
    cJSON_Delete(add);
    cJSON_Delete(dummy);
}

void tasks_archive(struct sbx_req *q, struct sbx_resp *r,
                   const cJSON *b)
{
    const cJSON *ids, *e;
    cJSON *d;
    int n = 0;

    if (clearml_strs(q, r, b, "tasks", 1, &ids) != 0)
        return;
    cJSON_ArrayForEach(e, ids)
        if (world_task(e->valuestring) == NULL) {
            clearml_bad_task(q, r, e->valuestring, 0);
            return;
        }
    cJSON_ArrayForEach(e, ids) {
        tasks_archive_one(world_task(e->valuestring));
        n++;
    }
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "archived", n);
    clearml_ok(q, r, d);
}

void tasks_archive_many(struct sbx_req *q, struct sbx_resp *r,
                        const cJSON *b)
{
    const cJSON *ids, *e;
    cJSON *d, *ok, *bad;

    if (clearml_strs(q, r, b, "ids", 1, &ids) != 0)
        return;
    d = cJSON_CreateObject();
    ok = cJSON_AddArrayToObject(d, "succeeded");
    bad = cJSON_AddArrayToObject(d, "failed");
    cJSON_ArrayForEach(e, ids) {
        struct sbx_task *t = world_task(e->valuestring);
        cJSON *o = cJSON_CreateObject();

        cJSON_AddStringToObject(o, "id", e->valuestring);
        if (t == NULL) {
            cJSON *err = cJSON_AddObjectToObject(o, "error"), *data;
            char *msg = xasprintf("Invalid task id: id=%s, company=%s",
                                  e->valuestring, world_company);

            cJSON_AddItemToObject(err, "codes", cJSON_CreateIntArray(
                (const int[]){ 400, 101 }, 2));
            cJSON_AddStringToObject(err, "msg", msg);
            data = cJSON_AddObjectToObject(err, "data");
            cJSON_AddStringToObject(data, "id", e->valuestring);
            cJSON_AddStringToObject(data, "company", world_company);
            cJSON_AddItemToArray(bad, o);
            free(msg);
            continue;
        }
        tasks_archive_one(t);
        cJSON_AddBoolToObject(o, "archived", 1);
        cJSON_AddItemToArray(ok, o);
    }
    clearml_ok(q, r, d);
}
