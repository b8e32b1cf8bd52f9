/*
 * mlgate/plugin.h - the whole ABI between the mlgate runner and a check
 * plugin.  Self-contained C99: needs only <stdarg.h>, <stddef.h> and
 * <stdint.h>.
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
 * MLG_ABI_MINOR grows when something is appended.  A descriptor records
 * the header it was built with (abi_major, abi_minor) and, since 1.2, the
 * oldest host minor it needs: min_host_minor = MLG_NEEDS_MINOR(m), where m
 * is the newest minor among the entries it calls (0 when it uses only 1.0
 * calls).  The runner loads a plugin only if its abi_major equals the
 * runner's and the minor it needs is not newer than the runner's: m when
 * min_host_minor is declared, else abi_minor (1.0 and 1.1 plugins, and a
 * descriptor that leaves min_host_minor 0).  The
 * runner reads the descriptor only up to struct_size, treating fields past
 * it as zero, and refuses a descriptor whose reserved slots are not NULL.
 *
 * Append-only.  Structs and the host table only grow at their end; a
 * field or entry is never removed, moved or reordered (tests/abi_layout
 * pins every offset).  A retired host entry keeps its slot and points at
 * a stub that fails: int entries return -1 with kind MLG_E_RETIRED,
 * pointer entries return NULL, numeric ones 0; void ones do nothing.  A
 * plugin whose min_host_minor is older than an entry it calls MUST test
 * host->abi_minor (or host->size) before calling it.
 *
 * Sizes.  Structs that cross the boundary and may grow carry their size:
 * the descriptor (struct_size), the option table (option_size), the
 * context (size), the task query (size), and since 1.2 struct mlg_error
 * and struct mlg_task_found (struct_size, last field).  Initialise the
 * plugin-allocated ones with MLG_ERROR_INIT / MLG_TASK_FOUND_INIT; the
 * host writes only the fields the size says are present.
 *
 * JSON.  The host hands plugins cJSON trees (libcjson >= 1.7), so cJSON's
 * struct layout is part of this ABI: a deliberate choice, because every
 * plugin that reads a response needs a JSON tree and cJSON is the
 * library the runner and Debian share.  cJSON's struct has kept its
 * layout since 1.0; the runner checks at start that the libcjson it runs
 * with is >= 1.7 (its build floor).  A plugin that touches the trees
 * asks pkg-config for libcjson itself and links the shared library,
 * never a static copy; a plugin that does not needs nothing from cJSON.
 *
 * Threads.  A check runs in its own process and MUST NOT call host
 * functions from more than one thread.
 */
#ifndef MLGATE_PLUGIN_H
#define MLGATE_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MLG_ABI_MAJOR 1
#define MLG_ABI_MINOR 2

/* printf-format checking of the variadic entries, where the compiler
 * understands it. */
#if defined(__GNUC__) || defined(__clang__)
#define MLG_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#else
#define MLG_PRINTF(fmt, first)
#endif

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
 * with an entry whose name is NULL.  The runner steps through the table
 * by the descriptor's option_size (since 1.2; sizeof this 1.0 struct for
 * older plugins), so fields may be appended here later. */
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

    void *reserved[8]; /* MUST be NULL: the loader refuses others */

    /* --- appended in ABI 1.2 (absent when struct_size stops before). */
    uint32_t min_host_minor; /* MLG_NEEDS_MINOR(m), or 0: abi_minor */
    uint32_t option_size;    /* sizeof(struct mlg_option) as built;
                                0 means the 1.0 struct */
};

/* min_host_minor value for "needs host ABI 1.m or newer".  The marker bit
 * tells a declared 1.0 apart from a field left zero. */
#define MLG_NEEDS_MINOR(m) (0x10000u | (uint32_t)(m))

/* Both ends of a positional descriptor of this header:
 *   static const struct mlg_plugin p = {
 *       MLG_PLUGIN_HEAD, flags, "name", ..., fini, {NULL},
 *       MLG_PLUGIN_TAIL(0)
 *   };
 * MLG_PLUGIN_TAIL(m) fills the 1.2 fields: m is the oldest host minor the
 * plugin needs.  Designated initialisers work as well. */
#define MLG_PLUGIN_HEAD MLG_ABI_MAJOR, MLG_ABI_MINOR, sizeof(struct mlg_plugin)
#define MLG_PLUGIN_TAIL(min_minor) MLG_NEEDS_MINOR(min_minor), \
    sizeof(struct mlg_option)

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
    MLG_E_USAGE = 6,     /* bad arguments from the plugin */
    MLG_E_RETIRED = 7    /* the entry was retired (see Append-only) */
};

/* Filled by the host on a failed call; allocated by the plugin. */
struct mlg_error {
    int kind;        /* enum mlg_errkind */
    int status;      /* HTTP status, 0 when none */
    int subcode;     /* ClearML result_subcode, 0 when none */
    char message[MLG_ERROR_SIZE]; /* one line, e.g.
        "400/101: tasks.get_by_id (Invalid task id: ids=(...))" */
    /* --- 1.2: sizeof(struct mlg_error) as built; fields appended later
     * are written only when struct_size covers them. */
    uint32_t struct_size;
};
#define MLG_ERROR_INIT {0, 0, 0, {0}, sizeof(struct mlg_error)}

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
    /* --- 1.2: sizeof(struct mlg_task_found) as built. */
    uint32_t struct_size;
};
#define MLG_TASK_FOUND_INIT {NULL, NULL, sizeof(struct mlg_task_found)}

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
     * ENDPOINT MUST be service.action (letters, digits, '_'); anything
     * else is refused with MLG_E_USAGE, also under --dry-run.  Writes are
     * refused with MLG_E_DRYRUN under --dry-run and are never retried
     * after a server error.  The one read/write rule, first match wins:
     *   *.get_*          read     (tasks.get_all, events.get_task_log)
     *   *.info           read     (server.info)
     *   auth.login       read
     *   events.add*      write
     *   events.delete*   write
     *   events.clear*    write
     *   events.*         read     (events.plots, events.debug_images,
     *                              events.scalar_metrics_iter_raw, ...)
     *   anything else    write    (tasks.create, tasks.edit, ...) */
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
                   ...) MLG_PRINTF(3, 4);
    /* Append Markdown to this check's details section (printf format).
     * The plugin MUST escape text that comes from servers or users with
     * md_escape(); the runner still neutralises markers and stray
     * </details> in what it publishes. */
    void (*detail)(struct mlg_check *check, const char *fmt, ...)
        MLG_PRINTF(2, 3);
    /* Escape text for Markdown.  Returns a host-owned string valid until
     * run() returns. */
    const char *(*md_escape)(struct mlg_check *check, const char *text,
                             int mode);
    /* An annotation on a file/line (file MAY be NULL, line 0 = none). */
    void (*annotate)(struct mlg_check *check, int level, const char *file,
                     long line, const char *fmt, ...) MLG_PRINTF(5, 6);
    /* A key/value output (GITHUB_OUTPUT "NAME-KEY", the JSON report). */
    void (*output)(struct mlg_check *check, const char *key,
                   const char *value);

    /* --- logging: to the job log, prefixed with the check name, with
     * every secret the runner knows masked. */
    void (*log)(struct mlg_check *check, int level, const char *fmt, ...)
        MLG_PRINTF(3, 4);

    /* --- time and cancellation. */
    /* Seconds left before this check's deadline (never negative). */
    double (*remaining)(struct mlg_check *check);
    /* Non-zero once the runner asked the check to stop (SIGTERM from the
     * CI, or the deadline): the plugin SHOULD clean up and return soon. */
    int (*cancelled)(struct mlg_check *check);
    /* Sleep up to seconds; returns early (non-zero) when cancelled. */
    int (*sleep)(struct mlg_check *check, double seconds);

    /* --- appended in ABI 1.1 (plugins built for 1.0 never see it). */

    /* A ClearML scope value such as "project" or "task-name": this
     * check's option when its section sets it, else the conf's [clearml]
     * value; NULL when the result is empty, so `project =` in a check
     * explicitly removes the shared scope.  Borrowed. */
    const char *(*opt_scope)(struct mlg_check *check, const char *key);

    /* --- appended in ABI 1.2.  A plugin with min_host_minor < 2 tests
     * host->abi_minor >= 2 first. */

    /* va_list twins of result, detail, annotate and log, for plugins
     * that forward their own variadic helpers. */
    void (*vresult)(struct mlg_check *check, int status, const char *fmt,
                    va_list ap) MLG_PRINTF(3, 0);
    void (*vdetail)(struct mlg_check *check, const char *fmt, va_list ap)
        MLG_PRINTF(2, 0);
    void (*vannotate)(struct mlg_check *check, int level, const char *file,
                      long line, const char *fmt, va_list ap)
        MLG_PRINTF(5, 0);
    void (*vlog)(struct mlg_check *check, int level, const char *fmt,
                 va_list ap) MLG_PRINTF(3, 0);
};

#ifdef __cplusplus
}
#endif

#endif /* MLGATE_PLUGIN_H */
