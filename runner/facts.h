/*
 * facts.h - run facts (issue 17): what several checks read, resolved
 * once by the runner before the checks are forked, so that N checks of
 * one scope cost one projects.get_all and one head-task tasks.get_all
 * instead of N of each.  A scope is a (project, task name) pair as
 * host->opt_scope() gives it to a check; the children read the answers
 * through host->head_task() and host->scope_project_id().
 */
#ifndef MLG_FACTS_H
#define MLG_FACTS_H

#include <stddef.h>

#include "exec.h"
#include "mlgate/plugin.h"

struct cJSON;
struct clearml;
struct conf;

struct facts_scope {
    char *project;        /* exact project name, or NULL for none */
    char *task_name;      /* exact task name, or NULL for none */
    int want_task;        /* a check reads this scope's head task */
    int resolved;         /* 1: answered; -1: failed (err); 0: not tried */
    struct cJSON *pids;   /* ids of the projects named project (array),
                             NULL when the scope names none */
    struct cJSON *task;   /* the clean head task, or NULL */
    struct cJSON *dirty;  /* see struct mlg_task_found */
    struct mlg_error err; /* why resolved is -1 */
};

struct run_facts {
    struct facts_scope *scopes;
    size_t n;
    const char **fields;  /* union of the plugins' head_fields; the
                             strings are borrowed from the descriptors */
    size_t nfields;
};

/* Record what the checks declare (MLG_PLUGIN_USES_PROJECT,
 * MLG_PLUGIN_USES_HEAD_TASK, head_fields), one scope per distinct
 * (project, task name).  Nothing is recorded for checks that declare
 * neither.  f is zeroed first; free it with facts_free(). */
void facts_plan(struct run_facts *f, const struct conf *c,
                const struct exec_check *checks, size_t n);

/* Resolve every planned scope: one projects.get_all per distinct project
 * name, one tasks.get_all per scope that wants its head task (for
 * head_sha; skipped when head_sha is not a commit SHA: the checks then
 * say so themselves).  Failures are kept per scope, never fatal. */
void facts_resolve(struct run_facts *f, struct clearml *cm,
                   const char *head_sha, double deadline);

/* The scope (project, task_name) (either NULL), or NULL when not
 * planned.  Borrowed from f. */
const struct facts_scope *facts_get(const struct run_facts *f,
                                    const char *project,
                                    const char *task_name);

void facts_free(struct run_facts *f);

#endif
