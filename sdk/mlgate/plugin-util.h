/*
 * mlgate/plugin-util.h - small header-only helpers for plugin authors,
 * on top of mlgate/plugin.h: a growing string buffer, and the one
 * user-facing explanation of "no clean ClearML task ran this commit".
 * Every function is static inline: nothing to link, nothing exported.
 * mlg_explain_not_found reads the host's cJSON trees, so this header
 * includes <cjson/cJSON.h> (a plugin using it asks pkg-config for
 * libcjson, see mlgate-plugin(3)).
 */
#ifndef MLGATE_PLUGIN_UTIL_H
#define MLGATE_PLUGIN_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <mlgate/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A growing NUL-terminated string: p is NULL until the first append.
 * Start with {NULL, 0, 0}; release with mlg_buf_free().  Allocation
 * failure aborts: a check that cannot allocate cannot report. */
struct mlg_buf {
    char *p;
    size_t len;
    size_t cap;
};

static inline void *mlg_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n != 0 ? n : 1);

    if (q == NULL)
        abort();
    return q;
}

static inline void mlg_buf_vprintf(struct mlg_buf *b, const char *fmt,
                                   va_list ap) MLG_PRINTF(2, 0);

/* Append printf-formatted text. */
static inline void mlg_buf_vprintf(struct mlg_buf *b, const char *fmt,
                                   va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap != 0 ? b->cap : 256;

        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        b->p = (char *)mlg_xrealloc(b->p, cap);
        b->cap = cap;
    }
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

static inline void mlg_buf_printf(struct mlg_buf *b, const char *fmt, ...)
    MLG_PRINTF(2, 3);

static inline void mlg_buf_printf(struct mlg_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    mlg_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

/* The text so far ("" when empty); owned by b. */
static inline const char *mlg_buf_str(const struct mlg_buf *b)
{
    return b->p != NULL ? b->p : "";
}

static inline void mlg_buf_free(struct mlg_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* s as an exact-match pattern for ClearML's regex filters (name,
 * script.branch, ...): Python's re.escape of s between ^ and $, so no
 * character of s acts as a pattern.  Caller frees. */
static inline char *mlg_regex_anchored(const char *s)
{
    char *r = (char *)mlg_xrealloc(NULL, 2 * strlen(s) + 3);
    char *p = r;

    *p++ = '^';
    for (; *s != '\0'; s++) {
        if (strchr("()[]{}?*+-|^$\\.&~# \t\n\r\v\f", *s) != NULL)
            *p++ = '\\';
        *p++ = *s;
    }
    *p++ = '$';
    *p = '\0';
    return r;
}

/* A string member of a host tree, or "". */
static inline const char *mlg_json_str(const cJSON *obj, const char *key)
{
    const char *s = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(obj, key));

    return s != NULL ? s : "";
}

/* Adds to a tasks.get_all body the scope the head task was found in:
 * "project" as the head task's own project id when a project scope is
 * set (the head was found by that exact name, so no lookup is needed),
 * "name" as the exact task name when one is set (either MAY be NULL). */
static inline void mlg_scope_filter(cJSON *body, const cJSON *head,
                                    const char *project,
                                    const char *task_name)
{
    if (project != NULL)
        cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "project"),
                             cJSON_CreateString(mlg_json_str(head,
                                                             "project")));
    if (task_name != NULL) {
        char *re = mlg_regex_anchored(task_name);

        cJSON_AddStringToObject(body, "name", re);
        free(re);
    }
}

/*
 * The FAIL result and details of a commit no clean ClearML task ran, for
 * found as clearml_find_task() filled it (found->task NULL): "ran it only
 * with uncommitted changes" when found->dirty is set, else "no task",
 * naming the project and task-name scope when given (NULL: none).
 * sha is the commit.  Returns MLG_FAIL, for run() to return.
 */
static inline int mlg_explain_not_found(const struct mlg_host *h,
                                        struct mlg_check *check,
                                        const char *sha,
                                        const struct mlg_task_found *found,
                                        const char *project,
                                        const char *task_name)
{
    if (found != NULL && found->dirty != NULL) {
        const char *id = mlg_json_str(found->dirty, "id");
        const char *name = mlg_json_str(found->dirty, "name");

        h->result(check, MLG_FAIL,
                  "task %s (%.7s) ran commit %.7s only with uncommitted "
                  "changes", name, id, sha);
        h->detail(check,
                  "Task **%s** (`%s`) ran commit `%s`, but with uncommitted "
                  "changes, so its results do not belong to this code.\n\n"
                  "To fix: commit those changes (or discard them), then run "
                  "the task once in ClearML from a clean checkout of this "
                  "commit before merging.\n",
                  h->md_escape(check, name, MLG_MD_TEXT),
                  h->md_escape(check, id, MLG_MD_TEXT), sha);
        return MLG_FAIL;
    }
    h->result(check, MLG_FAIL,
              "no completed ClearML task ran commit %.7s without "
              "uncommitted changes", sha);
    h->detail(check,
              "No task based on this code was found in ClearML: no "
              "completed, non-archived task ran commit `%s` without "
              "uncommitted changes", sha);
    if (project != NULL)
        h->detail(check, " in project **%s**",
                  h->md_escape(check, project, MLG_MD_TEXT));
    if (task_name != NULL)
        h->detail(check, " with task name **%s**",
                  h->md_escape(check, task_name, MLG_MD_TEXT));
    h->detail(check,
              ".\n\nTo fix: run it once in ClearML with this code (a clean "
              "checkout of this commit) before merging, then re-run this "
              "job.\n");
    return MLG_FAIL;
}

#ifdef __cplusplus
}
#endif

#endif /* MLGATE_PLUGIN_UTIL_H */
