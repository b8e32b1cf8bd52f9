/*
 * clearml.h - what the sandbox's ClearML files (clearml.c, tasks.c,
 * objects.c, query.c) share: the endpoint signature, field validation
 * that answers the real error envelopes, and the endpoint handlers.
 */
#ifndef SBX_CLEARML_H
#define SBX_CLEARML_H

#include "sandbox.h"

/* An endpoint handler: b is the request body (an object, borrowed); the
 * handler fills r with clearml_ok() or an error envelope. */
typedef void (*clearml_fn)(struct sbx_req *q, struct sbx_resp *r,
                           const cJSON *b);

/* Validation.  Each returns 0, or -1 after answering 400/11 (missing) or
 * 400/12 (wrong type).  *out is borrowed from b. */
int clearml_str(struct sbx_req *q, struct sbx_resp *r, const cJSON *b,
                const char *field, int required, const char **out);
int clearml_bool(struct sbx_req *q, struct sbx_resp *r, const cJSON *b,
                 const char *field, int *out);
/* An array of strings (NULL when absent and not required). */
int clearml_strs(struct sbx_req *q, struct sbx_resp *r, const cJSON *b,
                 const char *field, int required, const cJSON **out);

/* Error answers. */
void clearml_missing(struct sbx_req *q, struct sbx_resp *r,
                     const char *field);
void clearml_bad_type(struct sbx_req *q, struct sbx_resp *r,
                      const char *field, const char *want);
/* 400/101; write endpoints word it with id= and company=. */
void clearml_bad_task(struct sbx_req *q, struct sbx_resp *r,
                      const char *id, int write);
void clearml_bad_queue(struct sbx_req *q, struct sbx_resp *r,
                       const char *id);

/* Documents. */
const char *clearml_doc_str(const cJSON *doc, const char *k); /* "" */
void clearml_set(cJSON *o, const char *k, cJSON *v);   /* takes v */
/* Fills the field defaults the server's Task model stores from creation
 * on (database/model/task/task.py): last_iteration 0, runtime {},
 * models {input: [], output: []}, script binary "python", repository and
 * entry_point "". */
void clearml_task_model_defaults(cJSON *doc);
/* A task or project name: at least 3 characters after stripping blanks
 * (the models' StrippedStringField min_length=3), else answers 400/12
 * and returns -1. */
int clearml_name_ok(struct sbx_req *q, struct sbx_resp *r, const char *name);
cJSON *clearml_sorted_tags(const cJSON *arr);          /* caller owns */
int clearml_has_tag(const cJSON *arr, const char *tag);
/* Sets last_change(d_by) (and last_update when update_too) in doc and
 * reports them in fields. */
void clearml_touch(cJSON *doc, cJSON *fields, int update_too);
struct sbx_queue *clearml_default_queue(void);        /* NULL if none */

/* tasks.c */
void tasks_get_by_id(struct sbx_req *q, struct sbx_resp *r, const cJSON *b);
void tasks_edit(struct sbx_req *q, struct sbx_resp *r, const cJSON *b);
void tasks_update(struct sbx_req *q, struct sbx_resp *r, const cJSON *b);
void tasks_update_tags(struct sbx_req *q, struct sbx_resp *r,
                       const cJSON *b);
void tasks_create(struct sbx_req *q, struct sbx_resp *r, const cJSON *b);
void tasks_enqueue(struct sbx_req *q, struct sbx_resp *r, const cJSON *b);
void tasks_stop(struct sbx_req *q, struct sbx_resp *r, const cJSON *b);
void tasks_stopped(struct sbx_req *q, struct sbx_resp *r, const cJSON *b);
void tasks_archive(struct sbx_req *q, struct sbx_resp *r, const cJSON *b);
void tasks_archive_many(struct sbx_req *q, struct sbx_resp *r,
                        const cJSON *b);

/* objects.c */
void objects_server_info(struct sbx_req *q, struct sbx_resp *r,
                         const cJSON *b);
void objects_projects_get_all(struct sbx_req *q, struct sbx_resp *r,
                              const cJSON *b);
void objects_projects_create(struct sbx_req *q, struct sbx_resp *r,
                             const cJSON *b);
void objects_projects_get_by_id(struct sbx_req *q, struct sbx_resp *r,
                                const cJSON *b);
void objects_queues_get_all(struct sbx_req *q, struct sbx_resp *r,
                            const cJSON *b);
void objects_queues_get_by_id(struct sbx_req *q, struct sbx_resp *r,
                              const cJSON *b);
void objects_queues_get_default(struct sbx_req *q, struct sbx_resp *r,
                                const cJSON *b);
void objects_events_multi_histogram(struct sbx_req *q, struct sbx_resp *r,
                                    const cJSON *b);
void objects_events_histogram(struct sbx_req *q, struct sbx_resp *r,
                              const cJSON *b);
void objects_events_task_log(struct sbx_req *q, struct sbx_resp *r,
                             const cJSON *b);
void objects_events_latest(struct sbx_req *q, struct sbx_resp *r,
                           const cJSON *b);

#endif
