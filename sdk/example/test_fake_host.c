/*
 * test_fake_host.c - unit test of metric-threshold.so without mlgate:
 * load the plugin with dlopen, hand it a fake host table whose ClearML
 * answers come from JSON text, and check the status it reports.
 *
 * Usage: ./test_fake_host [./metric-threshold.so]; exit 0 when every case
 * passes.  Only the entries this plugin uses do real work; the others are
 * stubs that fail loudly, which is how a plugin test should treat a host
 * call it does not expect.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <mlgate/plugin.h>

/* The opaque per-check handle is ours to define in a fake host. */
struct mlg_check {
    const char *const *opts; /* "name", "value", ..., NULL */
    cJSON *task;             /* what clearml_find_task answers, or NULL */
    struct mlg_context ctx;
    int status;              /* from result(), -1 = never called */
    char summary[512];
    char escaped[4][256];    /* md_escape() results, round robin */
    int next_escaped;
};

static const char *
fake_opt_str(struct mlg_check *c, const char *name)
{
    size_t i;

    for (i = 0; c->opts[i] != NULL; i += 2)
        if (strcmp(c->opts[i], name) == 0)
            return c->opts[i + 1];
    /* The runner applies declared defaults; so do we for this plugin. */
    if (strcmp(name, "value") == 0)
        return "last";
    if (strcmp(name, "on-breach") == 0)
        return "fail";
    return NULL;
}

static long long
fake_opt_int(struct mlg_check *c, const char *name, long long def)
{
    const char *s = fake_opt_str(c, name);

    return s != NULL ? strtoll(s, NULL, 10) : def;
}

static double
fake_opt_number(struct mlg_check *c, const char *name, double def)
{
    const char *s = fake_opt_str(c, name);

    return s != NULL ? strtod(s, NULL) : def;
}

static int
fake_opt_bool(struct mlg_check *c, const char *name, int def)
{
    const char *s = fake_opt_str(c, name);

    return s != NULL ? strcmp(s, "yes") == 0 : def;
}

static const char *
fake_conf_clearml(struct mlg_check *c, const char *key)
{
    (void)c;
    return strcmp(key, "project") == 0 ? "Github CICD Video" : NULL;
}

static const char *
fake_opt_scope(struct mlg_check *c, const char *key)
{
    const char *s = fake_opt_str(c, key);

    if (s == NULL)
        s = fake_conf_clearml(c, key);
    return s != NULL && *s != '\0' ? s : NULL;
}

static const struct mlg_context *
fake_context(struct mlg_check *c)
{
    return &c->ctx;
}

static int
fake_unexpected(struct mlg_error *err, const char *what)
{
    fprintf(stderr, "unexpected host call: %s\n", what);
    if (err != NULL) {
        memset(err, 0, sizeof *err);
        err->kind = MLG_E_USAGE;
        snprintf(err->message, sizeof err->message, "fake host: %s", what);
    }
    return -1;
}

static int
fake_clearml_call(struct mlg_check *c, const char *endpoint,
                  const struct cJSON *body, const struct cJSON **data,
                  struct mlg_error *err)
{
    (void)c;
    (void)body;
    (void)data;
    return fake_unexpected(err, endpoint);
}

static int
fake_find_task(struct mlg_check *c, const struct mlg_task_query *q,
               struct mlg_task_found *found, struct mlg_error *err)
{
    (void)err;
    /* The plugin must pass the [clearml] project when it has none. */
    if (q->project == NULL || strcmp(q->project, "Github CICD Video") != 0)
        fprintf(stderr, "find_task: unexpected project scope\n");
    found->task = c->task;
    found->dirty = NULL;
    return 0;
}

static int
fake_project_id(struct mlg_check *c, const char *name, int create,
                const char **id, struct mlg_error *err)
{
    (void)c;
    (void)name;
    (void)create;
    (void)id;
    return fake_unexpected(err, "clearml_project_id");
}

static int
fake_queue_id(struct mlg_check *c, const char *name, const char **id,
              struct mlg_error *err)
{
    (void)c;
    (void)name;
    (void)id;
    return fake_unexpected(err, "clearml_queue_id");
}

static int
fake_update_tags(struct mlg_check *c, const char *task_id,
                 const char *const *add, const char *const *remove,
                 struct mlg_error *err)
{
    (void)c;
    (void)task_id;
    (void)add;
    (void)remove;
    return fake_unexpected(err, "clearml_update_tags");
}

static const char *
fake_task_url(struct mlg_check *c, const char *project_id,
              const char *task_id, const char *tab)
{
    (void)c;
    (void)project_id;
    (void)task_id;
    (void)tab;
    return "https://app.clear.ml/projects/p/experiments/t";
}

static int
fake_forge_call(struct mlg_check *c, const char *method, const char *path,
                const struct cJSON *body, int *status,
                const struct cJSON **data, struct mlg_error *err)
{
    (void)c;
    (void)method;
    (void)body;
    (void)status;
    (void)data;
    return fake_unexpected(err, path);
}

static void
fake_json_release(struct mlg_check *c, const struct cJSON *tree)
{
    (void)c;
    (void)tree;
}

static void
fake_result(struct mlg_check *c, int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->summary, sizeof c->summary, fmt, ap);
    va_end(ap);
    c->status = status;
}

static void
fake_detail(struct mlg_check *c, const char *fmt, ...)
{
    (void)c;
    (void)fmt;
}

/* No escaping needed for the test: return a copy the host owns. */
static const char *
fake_md_escape(struct mlg_check *c, const char *text, int mode)
{
    char *slot = c->escaped[c->next_escaped++ % 4];

    (void)mode;
    snprintf(slot, sizeof c->escaped[0], "%s", text);
    return slot;
}

static void
fake_annotate(struct mlg_check *c, int level, const char *file, long line,
              const char *fmt, ...)
{
    (void)c;
    (void)level;
    (void)file;
    (void)line;
    (void)fmt;
}

static void
fake_output(struct mlg_check *c, const char *key, const char *value)
{
    (void)c;
    (void)key;
    (void)value;
}

static void
fake_log(struct mlg_check *c, int level, const char *fmt, ...)
{
    (void)c;
    (void)level;
    (void)fmt;
}

static double
fake_remaining(struct mlg_check *c)
{
    (void)c;
    return 60.0;
}

static int
fake_cancelled(struct mlg_check *c)
{
    (void)c;
    return 0;
}

static int
fake_sleep(struct mlg_check *c, double seconds)
{
    (void)c;
    (void)seconds;
    return 0;
}

/* A 1.1 host: the plugin needs no newer entry. */
static const struct mlg_host fake_host = {
    MLG_ABI_MAJOR, 1, offsetof(struct mlg_host, vresult), 0,
    fake_opt_str, fake_opt_int, fake_opt_number, fake_opt_bool,
    fake_opt_number, /* opt_duration: same shape as opt_number */
    fake_conf_clearml, fake_context,
    fake_clearml_call, fake_find_task, fake_project_id, fake_queue_id,
    fake_update_tags, fake_task_url, fake_forge_call, fake_json_release,
    fake_result, fake_detail, fake_md_escape, fake_annotate, fake_output,
    fake_log, fake_remaining, fake_cancelled, fake_sleep, fake_opt_scope,
    NULL, NULL, NULL, NULL
};

static const char fake_task_json[] =
    "{\"id\":\"a1b2c3d4\",\"name\":\"cicd_test\",\"project\":\"p1\","
    "\"last_metrics\":{\"7c86\":{\"2bc5\":{\"metric\":\"Performance "
    "Metric\",\"variant\":\"Series 1\",\"value\":57,\"min_value\":3,"
    "\"max_value\":98}}}}";

/* Run one check; returns the status it ended with, or -2 when init
 * refused (then err holds the reason). */
static int
run_case(const struct mlg_plugin *p, const char *const *opts,
         int with_task, char *err)
{
    struct mlg_check c;
    void *state = NULL;
    int rc;

    memset(&c, 0, sizeof c);
    c.opts = opts;
    c.status = -1;
    c.ctx.size = sizeof c.ctx;
    c.ctx.forge = c.ctx.event = c.ctx.repo = c.ctx.head_ref = "";
    c.ctx.head_repo = c.ctx.head_clone_url = c.ctx.base_ref = "";
    c.ctx.run_url = c.ctx.check_name = c.ctx.workdir = "";
    c.ctx.head_sha = "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345";
    c.task = with_task ? cJSON_Parse(fake_task_json) : NULL;
    err[0] = '\0';
    if (p->init != NULL && p->init(&fake_host, &c, &state, err) != 0) {
        cJSON_Delete(c.task);
        return -2;
    }
    rc = p->run(state, &c);
    if (p->fini != NULL)
        p->fini(state);
    cJSON_Delete(c.task);
    printf("  status %d (returned %d): %s\n", c.status, rc, c.summary);
    return c.status >= 0 ? c.status : rc;
}

int
main(int argc, char **argv)
{
    static const char *const in_bounds[] = {
        "metric", "Performance Metric / Series 1", "min", "50", NULL};
    static const char *const too_high[] = {
        "metric", "Performance Metric / Series 1", "value", "max",
        "max", "90", NULL};
    static const char *const warn_only[] = {
        "metric", "Performance Metric / Series 1", "value", "max",
        "max", "90", "on-breach", "warn", NULL};
    static const char *const missing[] = {
        "metric", "Loss / total", "max", "1", NULL};
    static const char *const no_bounds[] = {
        "metric", "Performance Metric / Series 1", NULL};
    const char *path = argc > 1 ? argv[1] : "./metric-threshold.so";
    mlg_plugin_entry_fn entry;
    const struct mlg_plugin *p;
    void *dl;
    char err[MLG_ERROR_SIZE];
    int failures = 0;

    dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    /* POSIX guarantees this object-to-function pointer conversion. */
    *(void **)&entry = dlsym(dl, "mlg_plugin_entry");
    if (entry == NULL || (p = entry()) == NULL ||
        p->abi_major != MLG_ABI_MAJOR) {
        fprintf(stderr, "%s: not an mlgate plugin of ABI %d\n", path,
                MLG_ABI_MAJOR);
        return 1;
    }

#define EXPECT(what, got, want)                                          \
    do {                                                                 \
        int got_ = (got);                                                \
        printf("%s: %s\n", got_ == (want) ? "ok" : "FAILED", what);      \
        failures += got_ != (want);                                      \
    } while (0)

    EXPECT("last value 57 >= 50 passes",
           run_case(p, in_bounds, 1, err), MLG_PASS);
    EXPECT("max value 98 > 90 fails", run_case(p, too_high, 1, err),
           MLG_FAIL);
    EXPECT("on-breach = warn warns", run_case(p, warn_only, 1, err),
           MLG_WARN);
    EXPECT("a missing scalar fails", run_case(p, missing, 1, err),
           MLG_FAIL);
    EXPECT("no task for the commit fails", run_case(p, in_bounds, 0, err),
           MLG_FAIL);
    EXPECT("no bound is an init error", run_case(p, no_bounds, 1, err),
           -2);
    printf("  init said: %s\n", err);

    dlclose(dl);
    return failures == 0 ? 0 : 1;
}
