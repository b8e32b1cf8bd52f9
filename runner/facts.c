/*
 * facts.c - the run facts: planned from the plugins' declarations,
 * resolved in the runner before the fork, read by every check.
 */
#include <config.h>

#include "facts.h"

#include "clearml.h"
#include "host.h"
#include "log.h"
#include "util.h"
#include "validate.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Both NULL, or both the same text. */
static int facts_same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) ||
           (a != NULL && b != NULL && strcmp(a, b) == 0);
}

const struct facts_scope *facts_get(const struct run_facts *f,
                                    const char *project,
                                    const char *task_name)
{
    size_t i;

    for (i = 0; f != NULL && i < f->n; i++)
        if (facts_same(f->scopes[i].project, project) &&
            facts_same(f->scopes[i].task_name, task_name))
            return &f->scopes[i];
    return NULL;
}

static void facts_add_field(struct run_facts *f, const char *name)
{
    size_t i;

    for (i = 0; i < f->nfields; i++)
        if (strcmp(f->fields[i], name) == 0)
            return;
    f->fields = xrealloc(f->fields, (f->nfields + 2) * sizeof(*f->fields));
    f->fields[f->nfields++] = name;
    f->fields[f->nfields] = NULL;
}

void facts_plan(struct run_facts *f, const struct conf *c,
                const struct exec_check *checks, size_t n)
{
    size_t i, k;

    memset(f, 0, sizeof(*f));
    for (i = 0; i < n; i++) {
        const struct mlg_plugin *d = &checks[i].plugin->d;
        const char *project, *task_name;
        struct facts_scope *s;
        int task = (d->flags & MLG_PLUGIN_USES_HEAD_TASK) != 0;

        if (!task && !(d->flags & MLG_PLUGIN_USES_PROJECT))
            continue;
        project = host_scope(c, checks[i].sec, checks[i].plugin, "project");
        task_name = host_scope(c, checks[i].sec, checks[i].plugin,
                               "task-name");
        s = (struct facts_scope *)facts_get(f, project, task_name);
        if (s == NULL) {
            f->scopes = xrealloc(f->scopes, (f->n + 1) * sizeof(*s));
            s = &f->scopes[f->n++];
            memset(s, 0, sizeof(*s));
            s->project = project != NULL ? xstrdup(project) : NULL;
            s->task_name = task_name != NULL ? xstrdup(task_name) : NULL;
        }
        s->want_task |= task;
        for (k = 0; task && d->head_fields != NULL &&
             d->head_fields[k] != NULL; k++)
            facts_add_field(f, d->head_fields[k]);
    }
}

/* The ids of project, from an earlier scope of the same project when
 * there is one.  A copy (caller frees) or NULL with err. */
static cJSON *facts_pids(struct run_facts *f, size_t upto,
                         struct clearml *cm, const char *project,
                         double deadline, struct mlg_error *err)
{
    size_t i;

    for (i = 0; i < upto; i++)
        if (f->scopes[i].pids != NULL &&
            facts_same(f->scopes[i].project, project))
            return cJSON_Duplicate(f->scopes[i].pids, 1);
    return clearml_project_ids(cm, project, deadline, err);
}

void facts_resolve(struct run_facts *f, struct clearml *cm,
                   const char *head_sha, double deadline)
{
    size_t i;

    for (i = 0; i < f->n; i++) {
        struct facts_scope *s = &f->scopes[i];
        if (s->project != NULL) {
            s->pids = facts_pids(f, i, cm, s->project, deadline, &s->err);
            if (s->pids == NULL) {
                s->resolved = -1;
                continue;
            }
        }
        if (!s->want_task || !validate_sha(head_sha)) {
            s->resolved = 1;
            continue;
        }
        /* A project that does not exist has no tasks: no request. */
        if (s->pids != NULL && cJSON_GetArraySize(s->pids) == 0) {
            s->resolved = 1;
            continue;
        }
        s->resolved = clearml_find_task_in(cm, head_sha, s->pids,
                                           s->task_name, f->fields,
                                           &s->task, &s->dirty, deadline,
                                           &s->err) == 0 ? 1 : -1;
        log_msg(LOG_DEBUG, NULL, "run facts: head task of %s%s%s: %s",
                s->project != NULL ? s->project : "any project",
                s->task_name != NULL ? " / " : "",
                s->task_name != NULL ? s->task_name : "",
                s->resolved < 0 ? s->err.message :
                s->task != NULL ? "found" : "none");
    }
}

void facts_free(struct run_facts *f)
{
    size_t i;

    for (i = 0; i < f->n; i++) {
        free(f->scopes[i].project);
        free(f->scopes[i].task_name);
        cJSON_Delete(f->scopes[i].pids);
        cJSON_Delete(f->scopes[i].task);
        cJSON_Delete(f->scopes[i].dirty);
    }
    free(f->scopes);
    free(f->fields);
    memset(f, 0, sizeof(*f));
}
