/*
 * sandbox.h - internal interfaces of mlgate-sandbox: the shared world
 * state, requests and responses, and the service handlers.
 */
#ifndef SBX_SANDBOX_H
#define SBX_SANDBOX_H

#include <pthread.h>
#include <stddef.h>

#include <cjson/cJSON.h>

struct MHD_Connection;

#define SBX_MAX_HDRS 12

/* A request as the handlers see it.  Everything is borrowed for the
 * duration of the handler call. */
struct sbx_req {
    const char *method;
    const char *path;       /* decoded path without query */
    const char *query;      /* raw query string without '?', or "" */
    const char *raw_uri;    /* path + query as received */
    const char *body;
    size_t body_len;
    struct MHD_Connection *conn;
    const char *service;    /* "clearml", "github", "gitlab", "sandbox" */
    char endpoint[128];     /* ClearML service.action, else "" */
    char version[16];       /* ClearML URL version ("" = none given) */
    int bad_version;        /* a /vX.Y/ segment that is not a version */
};

/* A response being built.  Handlers fill it; the server frees it. */
struct sbx_resp {
    int status;
    char *body;              /* owned (malloc) */
    const char *ctype;       /* static string */
    int nhdrs;
    char *hdr_name[SBX_MAX_HDRS];  /* owned */
    char *hdr_value[SBX_MAX_HDRS]; /* owned */
    int drop;                /* close the connection without answering */
    long delay_ms;           /* extra delay before answering */
    long trickle_ms;         /* > 0: the body goes out one byte per
                                trickle_ms (a stalled server) */
};

struct sbx_agent {
    double pickup_ms, iteration_ms, finish_ms;
    int iterations;
    int outcome;             /* 'c' completed, 'f' failed, 'h' hang */
    char *status_message;
    char *worker;
    cJSON *log;              /* array of strings */
    cJSON *scalars;          /* array of {title, series, values} */
};

struct sbx_queue {
    cJSON *doc;              /* as queues.get_by_id returns it */
    const char *id, *name;   /* borrowed from doc */
    int is_default;
    struct sbx_agent *agent; /* NULL = nobody watches this queue */
};

struct query_ixref;

struct sbx_task {
    cJSON *doc;              /* as tasks.get_by_id returns it */
    char id[40];
    size_t seq;              /* its position in sbx_w.tasks */
    /* The index keys it is filed under (query.c), to unfile it. */
    struct query_ixref *ix;
    size_t nix, cap_ix;
    cJSON *scalars;          /* {title:{series:{name,x,y}}} */
    cJSON *log;              /* array of log events */
    int generated;
    /* Simulation: the queue it waits on or runs from (NULL = none). */
    struct sbx_queue *simq;
    double enq_ms;           /* sandbox clock at enqueue */
    int phase;               /* SBX_PH_* */
    int iters_done;
};

enum { SBX_PH_NONE = 0, SBX_PH_QUEUED = 1, SBX_PH_RUNNING = 2,
       SBX_PH_DONE = 3 };

struct sbx_token {
    char *token;
    long calls;
    int expire_after;        /* > 0: invalid once calls exceed it */
    double exp;              /* epoch seconds */
};

struct sbx_fault {
    cJSON *spec;             /* the scenario's object, owned */
    char *service, *method, *endpoint;
    int has_re;
    void *re;                /* regex_t *, owned */
    long nth, count, seen, fired;
};

struct sbx_world {
    pthread_mutex_t lock;
    /* ClearML */
    char api_version[16], server_version[16];
    cJSON *credentials;      /* array of {access_key, secret_key} */
    long token_lifetime;
    int expire_first_after;
    int basic_everywhere;    /* accept Basic on every endpoint (OSS) */
    struct sbx_token *tokens;
    size_t ntokens;
    struct sbx_task **tasks;
    size_t ntasks, cap_tasks, ngenerated;
    struct sbx_queue **queues;
    size_t nqueues;
    cJSON *projects;         /* array of project docs */
    /* GitHub */
    cJSON *gh_tokens;        /* array of {token, kind} */
    long gh_next_id;
    cJSON *gh_repos;         /* object "O/R" -> {pulls:{N:{...}}} */
    cJSON *gh_comments;      /* object "O/R#N" -> array */
    cJSON *gh_statuses;      /* object "sha" -> array */
    /* GitLab */
    cJSON *gl_tokens;        /* array of strings */
    cJSON *gl_projects;      /* array of {id, path} */
    long gl_next_id;
    cJSON *gl_notes;         /* object "ID!IID" -> array */
    cJSON *gl_statuses;      /* object "sha" -> array */
    cJSON *gl_pipelines;     /* array of {id, project, sha, ref} */
    /* Faults, clock, counters */
    struct sbx_fault *faults;
    size_t nfaults;
    double clock_offset_ms;
    long n_requests, n_clearml, n_github, n_gitlab, n_sandbox;
    long uniq;               /* for ids */
};

extern struct sbx_world sbx_w;

/* scenario.c: load a scenario into sbx_w.  0 or -1 (message on
 * stderr). */
int scenario_load(const char *scenario_path);
/* Same from JSON text; name is for messages. */
int scenario_load_text(const char *text, const char *name);

/* world.c */
extern const char world_user[];     /* the identity tokens carry */
extern const char world_company[];
/* Recomputes last_metrics for one series from t->scalars. */
void world_update_last_metric(struct sbx_task *t, const char *title,
                              const char *series);
double world_now_ms(void);          /* sandbox clock, epoch ms */
/* ISO-8601 UTC with microseconds; caller frees. */
char *world_iso(double epoch_ms);
/* A fresh 32-hex id; caller frees. */
char *world_new_id(void);
void world_md5_hex(const char *s, char out[33]);
struct sbx_task *world_task(const char *id);
struct sbx_task *world_add_task(cJSON *doc);   /* takes ownership */
struct sbx_queue *world_queue_by_id(const char *id);
struct sbx_queue *world_queue_by_name(const char *name);
void world_tick(void);              /* advance the simulated agents */
/* Adds a scalar point and updates last_metrics. */
void world_add_scalar(struct sbx_task *t, const char *title,
                      const char *series, double x, double y);
void world_add_log(struct sbx_task *t, const char *msg, int iter,
                   const char *level);
void world_set_status(struct sbx_task *t, const char *status,
                      const char *message);
/* Removes t from its queue's entries and ends its simulation. */
void world_dequeue(struct sbx_task *t);
int world_add_fault(const cJSON *spec, char *err, size_t errlen);
/* Puts t on q's entries and starts its simulation (if q has an agent). */
void world_enqueued(struct sbx_task *t, struct sbx_queue *q);
/* A queue from a scenario-style spec ({id?, name, default?, agent?}). */
struct sbx_queue *world_add_queue(const cJSON *spec);

cJSON *world_state_json(void);      /* caller frees */

/* server.c */
void resp_json(struct sbx_resp *r, int status, cJSON *j); /* frees j */
void resp_text(struct sbx_resp *r, int status, const char *ctype,
               const char *text);
void resp_header(struct sbx_resp *r, const char *name, const char *value);
const char *req_header(const struct sbx_req *q, const char *name);
/* Query argument (decoded); caller frees; NULL when absent. */
char *req_query_arg(const struct sbx_req *q, const char *name);

/* clearml.c */
void clearml_handle(struct sbx_req *q, struct sbx_resp *r);
/* The ClearML error envelope for a fault. */
void clearml_error(struct sbx_req *q, struct sbx_resp *r, int code,
                   int subcode, const char *msg, cJSON *error_data);
/* Answers 200 with the envelope around data (taken). */
void clearml_ok(struct sbx_req *q, struct sbx_resp *r, cJSON *data);
/* Sets q->endpoint from q->path (after "/clearml"). */
void clearml_parse_endpoint(struct sbx_req *q);

/* query.c */
/* tasks.get_all: fills r with data or an error. */
void query_tasks(struct sbx_req *q, struct sbx_resp *r, const cJSON *body);
/* Shared filter helpers for projects and queues. */
cJSON *query_only_fields(const cJSON *doc, const cJSON *only);
int query_regex_ok(const char *pattern, int icase, char *err, size_t n);
/* Files t again under its current id, tags and script.version_num in
 * the query indexes.  Call after any change to those fields (and when
 * a task is added): see the comment above query_reindex() in query.c. */
void query_reindex(struct sbx_task *t);
/* The first task whose t->id is id (as a scan of sbx_w.tasks finds it),
 * through the id index; NULL if none. */
struct sbx_task *query_task_by_id(const char *id);
/* Counters for /__state: answers from an index, answers from a scan. */
extern long query_n_indexed, query_n_scanned;

/* forge.c */
void github_handle(struct sbx_req *q, struct sbx_resp *r);
void gitlab_handle(struct sbx_req *q, struct sbx_resp *r);
/* A GitHub comment object as the REST API returns it.  Caller owns. */
cJSON *github_comment(const char *repo, long num, long id, const char *body,
                      const char *login, double at);
/* Rate-limit and fault bodies shaped like GitHub's; retry_after < 0:
 * a secondary limit without a retry-after header. */
void github_rate_limit(struct sbx_resp *r, int primary, int status,
                       long retry_after, long reset_in);

/* server.c: run the server.  Returns 0 after a clean stop. */
struct sbx_opts {
    const char *scenario;
    const char *listen;
    long latency_ms;
    const char *log_path;
    int allow_remote;
    int quiet_ready;      /* bench: do not print the URLs */
};
/* Starts the daemon; fills port.  Returns a handle or NULL. */
void *server_start(const struct sbx_opts *o, unsigned *port);
void server_stop(void *h);

#endif
