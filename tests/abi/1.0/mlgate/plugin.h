/*
 * mlgate/plugin.h - the whole ABI between the mlgate runner and a check
 * plugin.  Self-contained C99: needs only <stddef.h> and <stdint.h>.
 *
 * A plugin is a shared object that exports exactly ONE symbol,
 * mlg_plugin_entry, a function returning a pointer to a static const
 * struct mlg_plugin.  Everything the plugin may do to the outside world
 * (options, run context, ClearML, the forge, results, logging, time) goes
 * through the const struct mlg_host table handed to init().  Plugins never
 * see libcurl handles, tokens, retry or timeout policy, and never link
 * against the runner.
 *
 * Key words MUST, MUST NOT, SHOULD and MAY are used as in RFC 2119.
 *
 * Versioning.  MLG_ABI_MAJOR changes when anything existing changes;
 * MLG_ABI_MINOR grows when something is appended.  The runner loads a
 * plugin only if its abi_major equals the runner's and its abi_minor is
 * not newer than the runner's; it reads the descriptor only up to
 * struct_size, treating fields past it as zero.  The host table grows
 * append-only: an entry is never removed or reordered (a retired entry
 * becomes NULL).  A plugin built against a newer minor than the host it
 * runs in is refused, so every entry it can see is present; a plugin
 * SHOULD still test host->size before calling an entry it knows was
 * appended after the minor it requires.
 *
 * Threads.  A check runs in its own process and MUST NOT call host
 * functions from more than one thread.
 */
#ifndef MLGATE_PLUGIN_H
#define MLGATE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MLG_ABI_MAJOR 1
#define MLG_ABI_MINOR 0

/* Size of the fixed error buffer the host hands to init(). */
#define MLG_ERROR_SIZE 512

/* JSON trees are cJSON's (libcjson).  A plugin that reads them includes
 * <cjson/cJSON.h> itself; the runner and plugins share the system's
 * shared libcjson and a plugin MUST NOT link a static copy. */
struct cJSON;

/* Check results, numbered as Nagios does; never renumbered.
 * SKIP means "not applicable here" and counts as PASS.  The runner merges
 * with PASS = SKIP < WARN < ERROR < FAIL. */
enum mlg_status {
    MLG_PASS = 0,
    MLG_WARN = 1,
    MLG_FAIL = 2,
    MLG_ERROR = 3,
    MLG_SKIP = 4
};

/* Option value types.  The runner validates every value in the conf
 * against the declared type before any plugin runs. */
enum mlg_opt_type {
    MLG_OPT_STRING = 1,   /* any text */
    MLG_OPT_INT = 2,      /* decimal integer */
    MLG_OPT_NUMBER = 3,   /* floating point number */
    MLG_OPT_BOOL = 4,     /* yes/no, true/false, on/off, 1/0 */
    MLG_OPT_DURATION = 5, /* 90, 90s, 10m, 2h, 1h30m: seconds */
    MLG_OPT_ENUM = 6      /* one of the '|'-separated words in choices */
};

/* Deadlines.  Every check has a hard deadline after which the runner
 * sends SIGTERM (host->cancelled() becomes true), then SIGKILL after the
 * [run] grace period.  It is the check's `timeout` key (default [run]
 * timeout, 10m).  A plugin that declares its own DURATION options named
 * "timeout" or "*-timeout" owns their meaning (e.g. remote-run's queue
 * and run bounds); its hard deadline is then the sum of their values plus
 * the grace period, so the plugin's own bounds always fire first. */

/* Option flags. */
#define MLG_OPT_REQUIRED 0x1u /* the conf MUST set it (no default) */

/* One option a plugin accepts in its [check NAME] section.  Tables end
 * with an entry whose name is NULL. */
struct mlg_option {
    const char *name;    /* key in the conf, e.g. "best-tag" */
    int type;            /* enum mlg_opt_type */
    const char *def;     /* default as conf text, or NULL for none */
    const char *help;    /* one line, shown by `mlgate plugins` */
    unsigned flags;      /* MLG_OPT_* flags */
    const char *choices; /* MLG_OPT_ENUM: "max|min"; else NULL */
};

/* Plugin flags. */
#define MLG_PLUGIN_NEEDS_PR 0x1u      /* SKIP when the run has no PR/MR */
#define MLG_PLUGIN_NEEDS_CLEARML 0x2u /* ClearML credentials required */

/* The per-check handle.  Opaque; owned by the runner; valid from init()
 * until fini() returns. */
struct mlg_check;

struct mlg_host;

/* The plugin descriptor.  The first three fields are frozen forever. */
struct mlg_plugin {
    uint32_t abi_major;   /* MLG_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor;   /* MLG_ABI_MINOR the plugin was built with */
    uint32_t struct_size; /* sizeof(struct mlg_plugin) as built */
    uint32_t flags;       /* MLG_PLUGIN_* */

    const char *name;        /* short name, e.g. "stats-comment" */
    const char *version;     /* the plugin's own version */
    const char *description; /* one line */
    const struct mlg_option *options; /* NULL-name terminated, or NULL */

    /*
     * init - prepare one check.
     * host:  the services table; borrowed, valid until fini() returns, so
     *        the plugin MAY keep the pointer.
     * check: this check's handle; same lifetime as host.
     * state: out; whatever the plugin needs later (MAY be NULL).
     * err:   host-owned buffer of MLG_ERROR_SIZE bytes for a one-line
     *        reason when init fails.
     * Returns 0 on success.  Non-zero makes the check ERROR with err's
     * text, and fini() is then NOT called.  MAY be NULL (nothing to do).
     */
    int (*init)(const struct mlg_host *host, struct mlg_check *check,
                void **state, char *err);

    /*
     * run - evaluate the check.  Report the outcome with host->result()
     * and optionally host->detail(), host->annotate(), host->output().
     * Returns the status (enum mlg_status); it overrides a status set with
     * host->result() only when the plugin never called host->result().
     * MUST NOT be NULL.  Runs at most once per init().
     */
    int (*run)(void *state, struct mlg_check *check);

    /* fini - release state.  Called exactly once after a successful init,
     * also when run() was cancelled.  MAY be NULL. */
    void (*fini)(void *state);

    void *reserved[8]; /* MUST be NULL */
};

/* The one exported symbol.  Returns a pointer to static const data. */
typedef const struct mlg_plugin *(*mlg_plugin_entry_fn)(void);
const struct mlg_plugin *mlg_plugin_entry(void);

/* Run context: where and for what the checks run.  Borrowed from the
 * host; valid until fini() returns.  String fields are never NULL ("" when
 * unknown). */
struct mlg_context {
    uint32_t size;          /* sizeof(struct mlg_context) of the host */
    const char *forge;      /* "github", "gitlab" or "none" */
    const char *event;      /* "pull_request", "push", "merge_request"... */
    const char *repo;       /* "owner/name" (GitLab: project path) */
    long pr;                /* PR/MR number; 0 when the run has none */
    const char *head_sha;   /* the PR head commit (never a merge commit) */
    const char *head_ref;   /* head branch name */
    const char *head_repo;  /* "owner/name" of the head (a fork's) */
    const char *head_clone_url; /* clone URL of the head repository */
    const char *base_ref;   /* base branch name */
    int is_fork;            /* head lives in another repository */
    const char *run_url;    /* link to the CI run, or "" */
    int dry_run;            /* --dry-run: writes are refused */
    int verbose;            /* -v count */
    const char *check_name; /* the [check NAME] of this check */
    const char *workdir;    /* the checkout (current directory) */
};

/* Error detail of a failed host call. */
enum mlg_errkind {
    MLG_E_NONE = 0,
    MLG_E_CONFIG = 1,    /* client not configured (no credentials/URL) */
    MLG_E_TRANSPORT = 2, /* connect/TLS/timeout/size cap/not the API */
    MLG_E_HTTP = 3,      /* the server answered an error status */
    MLG_E_DRYRUN = 4,    /* a write refused under --dry-run */
    MLG_E_DEADLINE = 5,  /* the check's time ran out, or cancelled */
    MLG_E_USAGE = 6      /* bad arguments from the plugin */
};

struct mlg_error {
    int kind;        /* enum mlg_errkind */
    int status;      /* HTTP status, 0 when none */
    int subcode;     /* ClearML result_subcode, 0 when none */
    char message[MLG_ERROR_SIZE]; /* one line, e.g.
        "400/101: tasks.get_by_id (Invalid task id: ids=(...))" */
};

/* Log levels for host->log(). */
enum mlg_log_level {
    MLG_LOG_ERROR = 0,
    MLG_LOG_WARN = 1,
    MLG_LOG_INFO = 2,  /* progress lines, shown by default */
    MLG_LOG_DEBUG = 3  /* shown with -v */
};

/* Annotation levels for host->annotate(). */
enum mlg_annot_level {
    MLG_ANNOT_NOTICE = 0,
    MLG_ANNOT_WARNING = 1,
    MLG_ANNOT_ERROR = 2
};

/* Markdown escaping modes for host->md_escape(). */
enum mlg_md_mode {
    MLG_MD_TEXT = 0, /* inline text: HTML and Markdown specials neutral */
    MLG_MD_CELL = 1, /* a table cell: also '|' and newlines */
    MLG_MD_CODE = 2  /* content of a fenced code block */
};

/* A commit-task query for host->clearml_find_task().  NULL or "" fields
 * are not used. */
struct mlg_task_query {
    uint32_t size;          /* sizeof(struct mlg_task_query) */
    const char *commit;     /* full SHA; default: the context's head_sha */
    const char *project;    /* exact project name (scope) */
    const char *task_name;  /* exact task name (scope) */
};

/* What host->clearml_find_task() found.  The trees are borrowed (see
 * "JSON lifetimes" below). */
struct mlg_task_found {
    const struct cJSON *task;  /* the clean completed task, or NULL */
    const struct cJSON *dirty; /* when task is NULL: the newest completed
                                  task of the commit WITH uncommitted
                                  changes, or NULL */
};

/*
 * The host services table.  Passed to init() as const; append-only.
 *
 * JSON lifetimes: every const struct cJSON * the host returns is owned by
 * the host and stays valid until run() returns or until the plugin passes
 * it to json_release(), whichever comes first.  A plugin MUST NOT modify
 * or free it.  Request bodies the plugin passes in are borrowed for the
 * call only; the plugin keeps ownership.
 *
 * Strings the host returns are owned by the host with the same lifetime
 * unless the entry says otherwise.  Strings the plugin passes are
 * borrowed for the call only (the host copies what it keeps).
 *
 * Functions returning int return 0 on success and -1 on error, filling
 * *err when err is not NULL.
 */
struct mlg_host {
    uint32_t abi_major; /* the runner's MLG_ABI_MAJOR */
    uint32_t abi_minor; /* the runner's MLG_ABI_MINOR */
    uint32_t size;      /* sizeof(struct mlg_host) of the runner */
    uint32_t reserved0;

    /* --- options: values of this check's section, defaults applied.
     * Names MUST be declared in the plugin's option table; an undeclared
     * name returns NULL / 0. */
    /* The value as text, or NULL when unset without a default. */
    const char *(*opt_str)(struct mlg_check *check, const char *name);
    /* Typed accessors; return def when the option is unset. */
    long long (*opt_int)(struct mlg_check *check, const char *name,
                         long long def);
    double (*opt_number)(struct mlg_check *check, const char *name,
                         double def);
    int (*opt_bool)(struct mlg_check *check, const char *name, int def);
    /* Seconds. */
    double (*opt_duration)(struct mlg_check *check, const char *name,
                           double def);
    /* A value from the conf's [clearml] section (e.g. "project",
     * "task-name"), or NULL.  Lets checks inherit scope defaults. */
    const char *(*conf_clearml)(struct mlg_check *check, const char *key);

    /* --- run context. */
    const struct mlg_context *(*context)(struct mlg_check *check);

    /* --- ClearML.
     * clearml_call: POST {api}/v2.23/ENDPOINT with body (NULL = {}).
     * On success *data is the envelope's "data" object (borrowed).
     * Writes are refused with MLG_E_DRYRUN under --dry-run; reads are
     * the endpoints named *.get_*, server.info and events.* reads. */
    int (*clearml_call)(struct mlg_check *check, const char *endpoint,
                        const struct cJSON *body,
                        const struct cJSON **data, struct mlg_error *err);
    /* The clean task that ran a commit: exact commit match, status
     * completed, empty script.diff, archived excluded, newest last_update
     * first, optional project/name scope.  found->task is NULL when none;
     * that is not an error.  The task holds at least id, name, project,
     * status, status_message, tags, system_tags, last_update,
     * last_iteration, last_metrics and script. */
    int (*clearml_find_task)(struct mlg_check *check,
                             const struct mlg_task_query *query,
                             struct mlg_task_found *found,
                             struct mlg_error *err);
    /* Project id by exact name (regex-escaped on the wire); with create
     * non-zero a missing project is created.  *id is borrowed. */
    int (*clearml_project_id)(struct mlg_check *check, const char *name,
                              int create, const char **id,
                              struct mlg_error *err);
    /* Queue id by exact name; a missing queue is an MLG_E_HTTP-free
     * error with kind MLG_E_USAGE and a clear message. *id is borrowed. */
    int (*clearml_queue_id)(struct mlg_check *check, const char *name,
                            const char **id, struct mlg_error *err);
    /* Atomically add and remove tags on one task (tasks.update_tags, or
     * tasks.edit with force on servers older than API 2.27).  add and
     * remove are NULL-terminated arrays, either MAY be NULL. */
    int (*clearml_update_tags)(struct mlg_check *check, const char *task_id,
                               const char *const *add,
                               const char *const *remove,
                               struct mlg_error *err);
    /* Link to a task in the ClearML web UI (output/log tab when tab is
     * NULL, else e.g. "output/metrics/scalar").  Borrowed. */
    const char *(*clearml_task_url)(struct mlg_check *check,
                                    const char *project_id,
                                    const char *task_id, const char *tab);

    /* --- forge (GitHub or GitLab REST).
     * method: "GET", "POST", "PATCH", "PUT", "DELETE".  path: relative to
     * the API base, starting with '/', e.g. "/repos/o/r/pulls/2".  On
     * success (2xx) *status is the HTTP status and *data the parsed body
     * (borrowed; NULL when empty). */
    int (*forge_call)(struct mlg_check *check, const char *method,
                      const char *path, const struct cJSON *body,
                      int *status, const struct cJSON **data,
                      struct mlg_error *err);

    /* Release a tree returned by the host before run() returns.
     * Optional: everything is released when run() returns. */
    void (*json_release)(struct mlg_check *check, const struct cJSON *tree);

    /* --- results.
     * result: the status and a one-line summary (printf format; newlines
     * are folded).  The last call wins. */
    void (*result)(struct mlg_check *check, int status, const char *fmt,
                   ...);
    /* Append Markdown to this check's details section (printf format).
     * The plugin MUST escape text that comes from servers or users with
     * md_escape(); the runner still neutralises markers and stray
     * </details> in what it publishes. */
    void (*detail)(struct mlg_check *check, const char *fmt, ...);
    /* Escape text for Markdown.  Returns a host-owned string valid until
     * run() returns. */
    const char *(*md_escape)(struct mlg_check *check, const char *text,
                             int mode);
    /* An annotation on a file/line (file MAY be NULL, line 0 = none). */
    void (*annotate)(struct mlg_check *check, int level, const char *file,
                     long line, const char *fmt, ...);
    /* A key/value output (GITHUB_OUTPUT "NAME-KEY", the JSON report). */
    void (*output)(struct mlg_check *check, const char *key,
                   const char *value);

    /* --- logging: to the job log, prefixed with the check name, with
     * every secret the runner knows masked. */
    void (*log)(struct mlg_check *check, int level, const char *fmt, ...);

    /* --- time and cancellation. */
    /* Seconds left before this check's deadline (never negative). */
    double (*remaining)(struct mlg_check *check);
    /* Non-zero once the runner asked the check to stop (SIGTERM from the
     * CI, or the deadline): the plugin SHOULD clean up and return soon. */
    int (*cancelled)(struct mlg_check *check);
    /* Sleep up to seconds; returns early (non-zero) when cancelled. */
    int (*sleep)(struct mlg_check *check, double seconds);
};

#ifdef __cplusplus
}
#endif

#endif /* MLGATE_PLUGIN_H */
