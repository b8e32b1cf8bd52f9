/*
 * cli.c - the command line (design §3): parses options, runs the
 * `plugins`, `check-config` and `help PLUGIN` commands, and drives a run:
 * conf, plugins, context, clients, executor, report, publishing.
 */
#include <config.h>

#include "cli.h"

#include "clearml.h"
#include "conf.h"
#include "context.h"
#include "exec.h"
#include "facts.h"
#include "forge.h"
#include "host.h"
#include "http.h"
#include "inspect.h"
#include "loader.h"
#include "log.h"
#include "markdown.h"
#include "publish.h"
#include "report.h"
#include "result.h"
#include "util.h"
#include "validate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MLG_VERSION
#define MLG_VERSION PACKAGE_VERSION
#endif

#define CLI_EX_USAGE 64
#define CLI_EX_CONFIG 78
/* Bound for the one-off calls the parent makes (login, PR lookup),
 * within the run deadline. */
#define CLI_SETUP_TIMEOUT 60.0
/* [run] deadline when neither it nor --deadline is given: the whole run,
 * login and publishing included. */
#define CLI_DEFAULT_DEADLINE 3600.0

enum cli_format { FMT_TEXT, FMT_MARKDOWN, FMT_JSON };

struct cli_opts {
    const char *config;
    const char *only;
    int dry_run;
    int format;
    const char *json_file;
    const char *junit_file;
    const char *plugin_dir;
    const char *deadline;   /* --deadline, a conf duration */
    struct context_overrides ov;
    int verbosity;
    int verbose; /* -v count */
};

/* Plugins loaded for a conf, and the checks they back. */
struct cli_loaded {
    struct plugin **plugins;
    size_t nplugins;
    struct exec_check *checks; /* every [check] section, conf order */
    int *enabled;
    size_t n;
};

enum { OPT_ONLY = 256, OPT_DRY_RUN, OPT_FORMAT, OPT_JSON, OPT_JUNIT,
       OPT_PLUGIN_DIR, OPT_REPO, OPT_PR, OPT_SHA, OPT_BRANCH, OPT_VERSION,
       OPT_DEADLINE };

static const struct option cli_longopts[] = {
    {"config", required_argument, NULL, 'c'},
    {"only", required_argument, NULL, OPT_ONLY},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"json", required_argument, NULL, OPT_JSON},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR},
    {"repo", required_argument, NULL, OPT_REPO},
    {"pr", required_argument, NULL, OPT_PR},
    {"sha", required_argument, NULL, OPT_SHA},
    {"branch", required_argument, NULL, OPT_BRANCH},
    {"deadline", required_argument, NULL, OPT_DEADLINE},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}
};

static void cli_usage(FILE *f)
{
    fputs("Usage: mlgate [OPTIONS]            run the checks of the conf\n"
          "       mlgate plugins              list the plugins found\n"
          "       mlgate check-config         validate the conf, load "
          "plugins (no network)\n"
          "       mlgate help PLUGIN          a plugin's options\n"
          "       mlgate plugin inspect FILE  what a plugin file declares "
          "and whether\n"
          "                                   it loads (without running "
          "it)\n"
          "\n"
          "Options:\n"
          "  -c, --config FILE     conf file (default mlgate.conf; env "
          "MLGATE_CONFIG)\n"
          "      --only NAME[,NAME...]  run only these checks\n"
          "      --dry-run         no write to ClearML or the forge\n"
          "      --format text|markdown|json  what goes to stdout "
          "(default text)\n"
          "      --json FILE       also write the report as JSON\n"
          "      --junit FILE      also write the report as JUnit XML\n"
          "      --deadline DURATION  the whole run ends by then (default "
          "[run] deadline,\n"
          "                        else 1h); cleanup and publishing get "
          "3 s more each\n"
          "      --plugin-dir DIR  look for plugins here first (then "
          "MLGATE_PLUGIN_PATH,\n"
          "                        then " PLUGINDIR ")\n"
          "      --repo O/R, --pr N, --sha SHA, --branch REF\n"
          "                        run context for any CI or a laptop\n"
          "  -v, --verbose         more output (-vv: traces)\n"
          "  -q, --quiet           errors only\n"
          "      --version         print the version\n"
          "  -h, --help            this help\n"
          "\n"
          "Exit codes: 0 every check PASS, WARN or SKIP; 1 a check FAILed;"
          "\n2 no FAIL but an ERROR, or the report could not be written to "
          "stdout\n(also when cancelled by SIGINT/SIGTERM/SIGHUP:"
          "\nthe report is still produced); 64 bad command line; 78 bad "
          "conf,\nplugin that cannot load, or bad run context.\n", f);
}

static int cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    char *msg, *masked;

    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    /* An argument may come from a branch name: one line, no command. */
    masked = log_mask(msg);
    log_fold_inplace(masked);
    fprintf(stderr, "mlgate: %s\nTry 'mlgate --help'.\n", masked);
    free(masked);
    free(msg);
    return CLI_EX_USAGE;
}

/* Parse argv into *o; *cmd is the command word or NULL.  Returns -1 to
 * continue, else an exit code. */
static int cli_parse(int argc, char **argv, struct cli_opts *o,
                     int *cmd_index)
{
    int ch, quiet = 0;
    long pr;

    memset(o, 0, sizeof(*o));
    o->format = FMT_TEXT;
    opterr = 0;
    optind = 1;
    for (;;) {
        ch = getopt_long(argc, argv, ":c:vqh", cli_longopts, NULL);
        if (ch == -1)
            break;
        switch (ch) {
        case 'c':
            o->config = optarg;
            break;
        case OPT_ONLY:
            o->only = optarg;
            break;
        case OPT_DRY_RUN:
            o->dry_run = 1;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0)
                o->format = FMT_TEXT;
            else if (strcmp(optarg, "markdown") == 0)
                o->format = FMT_MARKDOWN;
            else if (strcmp(optarg, "json") == 0)
                o->format = FMT_JSON;
            else
                return cli_usage_error("bad --format '%s' (text, "
                                       "markdown or json)", optarg);
            break;
        case OPT_JSON:
            o->json_file = optarg;
            break;
        case OPT_JUNIT:
            o->junit_file = optarg;
            break;
        case OPT_PLUGIN_DIR:
            o->plugin_dir = optarg;
            break;
        case OPT_REPO:
            /* The forge is not known yet: GitHub's or GitLab's rule;
             * context_load applies the forge's own. */
            if (!validate_repo(optarg, 0) && !validate_repo(optarg, 1))
                return cli_usage_error("bad --repo '%s' (OWNER/NAME)",
                                       optarg);
            o->ov.repo = optarg;
            break;
        case OPT_PR:
            if (!validate_pr_number(optarg, &pr))
                return cli_usage_error("bad --pr '%s' (a positive "
                                       "number)", optarg);
            o->ov.pr = pr;
            break;
        case OPT_SHA:
            if (!validate_sha(optarg))
                return cli_usage_error("bad --sha '%s' (40 hex digits)",
                                       optarg);
            o->ov.sha = optarg;
            break;
        case OPT_DEADLINE: {
            double d;

            if (conf_parse_duration(optarg, &d) != 0 || d <= 0)
                return cli_usage_error("bad --deadline '%s' (a duration: "
                                       "90, 90s, 5m, 1h30m)", optarg);
            o->deadline = optarg;
            break;
        }
        case OPT_BRANCH:
            if (*optarg == '\0')
                return cli_usage_error("empty --branch");
            o->ov.branch = optarg;
            break;
        case 'v':
            o->verbose++;
            break;
        case 'q':
            quiet = 1;
            break;
        case OPT_VERSION:
            printf("mlgate %s (plugin ABI %d.%d)\n", MLG_VERSION,
                   MLG_ABI_MAJOR, MLG_ABI_MINOR);
            return 0;
        case 'h':
            cli_usage(stdout);
            return 0;
        case ':':
            return cli_usage_error("option '%s' needs a value",
                                   argv[optind - 1]);
        default:
            if (optopt > 0 && optopt < 256 && optopt != '?')
                return cli_usage_error("unknown option '-%c'", optopt);
            return cli_usage_error("unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    o->verbosity = quiet ? 0 : 2 + (o->verbose > 2 ? 2 : o->verbose);
    *cmd_index = optind < argc ? optind : -1;
    return -1;
}

/* A descriptor string folded to one line (the output rule: a plugin's
 * text never starts a line of its own).  Caller frees. */
static char *cli_fold(const char *s)
{
    return log_fold(s != NULL ? s : "");
}

static void cli_print_plugin(const struct plugin *p, FILE *f)
{
    const struct mlg_option *o;
    char *name = cli_fold(p->d.name), *version = cli_fold(p->d.version);
    char *desc = cli_fold(p->d.description);

    fprintf(f, "%s %s (ABI %u.%u) %s\n", name, version,
            (unsigned)p->d.abi_major, (unsigned)p->d.abi_minor, p->path);
    if (*desc != '\0')
        fprintf(f, "  %s\n", desc);
    free(name);
    free(version);
    free(desc);
    for (o = p->d.options; o != NULL && o->name != NULL; o++) {
        char *oname = cli_fold(o->name), *choices = cli_fold(o->choices);
        char *def = cli_fold(o->def), *help = cli_fold(o->help);

        fprintf(f, "  %-16s %s", oname, loader_opt_type_name(o->type));
        if (o->type == MLG_OPT_ENUM && o->choices != NULL)
            fprintf(f, " (%s)", choices);
        if (o->flags & MLG_OPT_REQUIRED)
            fputs(", required", f);
        else if (o->def != NULL)
            fprintf(f, ", default '%s'", def);
        fprintf(f, "\n      %s\n", help);
        free(oname);
        free(choices);
        free(def);
        free(help);
    }
}

static int cli_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* `mlgate plugins`: every .so in the search path, first one of a name
 * wins (as for lookups). */
static int cli_plugins(const struct cli_opts *o)
{
    char **dirs = loader_dirs(o->plugin_dir);
    char **seen = NULL;
    size_t nseen = 0, i, j, found = 0;

    for (i = 0; dirs[i] != NULL; i++) {
        DIR *d = opendir(dirs[i]);
        struct dirent *e;
        char **names = NULL;
        size_t nnames = 0;

        if (d == NULL)
            continue;
        for (e = readdir(d); e != NULL; e = readdir(d)) {
            size_t len = strlen(e->d_name);

            if (len > 3 && strcmp(e->d_name + len - 3, ".so") == 0) {
                names = xrealloc(names, (nnames + 1) * sizeof(*names));
                names[nnames++] = xstrdup(e->d_name);
            }
        }
        closedir(d);
        if (nnames > 0)
            qsort(names, nnames, sizeof(*names), cli_cmp_str);
        for (j = 0; j < nnames; j++) {
            char *path = xasprintf("%s/%s", dirs[i], names[j]);
            char err[1024];
            struct plugin *p;
            size_t k;

            for (k = 0; k < nseen; k++)
                if (strcmp(seen[k], names[j]) == 0)
                    break;
            if (k < nseen) {
                free(path);
                free(names[j]);
                continue;
            }
            seen = xrealloc(seen, (nseen + 1) * sizeof(*seen));
            seen[nseen++] = names[j];
            p = loader_open(path, err, sizeof(err));
            if (p == NULL) {
                printf("not loadable: %s\n", err);
            } else {
                cli_print_plugin(p, stdout);
                loader_free(p);
            }
            found++;
            free(path);
        }
        free(names);
    }
    if (found == 0) {
        printf("no plugins found in:");
        for (i = 0; dirs[i] != NULL; i++)
            printf(" %s", dirs[i]);
        printf("\n");
    }
    for (i = 0; i < nseen; i++)
        free(seen[i]);
    free(seen);
    loader_dirs_free(dirs);
    return 0;
}

/* `mlgate help PLUGIN`. */
static int cli_help_plugin(const struct cli_opts *o, const char *name)
{
    char err[1024];
    char *path = loader_find(name, o->plugin_dir, err, sizeof(err));
    struct plugin *p;

    if (path == NULL) {
        log_msg(LOG_ERR, NULL, "%s", err);
        return CLI_EX_CONFIG;
    }
    p = loader_open(path, err, sizeof(err));
    free(path);
    if (p == NULL) {
        log_msg(LOG_ERR, NULL, "%s", err);
        return CLI_EX_CONFIG;
    }
    cli_print_plugin(p, stdout);
    loader_free(p);
    return 0;
}

static void cli_loaded_free(struct cli_loaded *l)
{
    size_t i;

    for (i = 0; i < l->nplugins; i++)
        loader_free(l->plugins[i]);
    free(l->plugins);
    free(l->checks);
    free(l->enabled);
    memset(l, 0, sizeof(*l));
}

/* Load the plugin of every [check] section and validate its keys.
 * Returns 0, or -1 after logging a one-line error. */
static int cli_load(const struct conf *c, const char *plugin_dir,
                    struct cli_loaded *l)
{
    size_t i, j;
    char err[1024];

    memset(l, 0, sizeof(*l));
    l->checks = xcalloc(c->nsec, sizeof(*l->checks));
    l->enabled = xcalloc(c->nsec, sizeof(*l->enabled));
    for (i = 0; i < c->nsec; i++) {
        const struct conf_section *sec = &c->sec[i];
        const struct conf_kv *pkv;
        struct plugin *p = NULL;
        const char *en;
        char *path;
        int on = 1;

        if (strcmp(sec->kind, "check") != 0)
            continue;
        pkv = conf_get_kv(sec, "plugin");
        path = loader_find(pkv->value, plugin_dir, err, sizeof(err));
        if (path == NULL) {
            log_msg(LOG_ERR, NULL, "%s:%d: %s", c->path, pkv->line, err);
            return -1;
        }
        for (j = 0; j < l->nplugins; j++)
            if (strcmp(l->plugins[j]->path, path) == 0)
                p = l->plugins[j];
        if (p == NULL) {
            p = loader_open(path, err, sizeof(err));
            if (p == NULL) {
                log_msg(LOG_ERR, NULL, "%s", err);
                free(path);
                return -1;
            }
            l->plugins = xrealloc(l->plugins,
                                  (l->nplugins + 1) * sizeof(*l->plugins));
            l->plugins[l->nplugins++] = p;
        }
        free(path);
        if (conf_validate_check(c, sec, p->d.name, p->d.options, err,
                                sizeof(err)) != 0) {
            log_msg(LOG_ERR, NULL, "%s", err);
            return -1;
        }
        en = conf_get(sec, "enabled");
        if (en != NULL)
            conf_parse_bool(en, &on);
        l->checks[l->n].name = sec->name;
        l->checks[l->n].plugin = p;
        l->checks[l->n].sec = sec;
        l->checks[l->n].timeout = exec_hard_timeout(c, sec, &p->d);
        l->enabled[l->n] = on;
        l->n++;
    }
    return 0;
}

/* Apply --only: mark selected checks enabled (an explicit request runs a
 * check even when enabled = no) and the others disabled.  Returns 0 or an
 * exit code. */
static int cli_apply_only(const char *only, const char *conf_path,
                          struct cli_loaded *l)
{
    char *list, *tok, *save = NULL;
    int *sel;
    size_t i;

    if (only == NULL)
        return 0;
    sel = xcalloc(l->n + 1, sizeof(*sel));
    list = xstrdup(only);
    for (tok = strtok_r(list, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        for (i = 0; i < l->n; i++)
            if (strcmp(l->checks[i].name, tok) == 0)
                break;
        if (i == l->n) {
            log_msg(LOG_ERR, NULL, "--only: no check named '%s' in %s",
                    tok, conf_path);
            free(list);
            free(sel);
            return CLI_EX_USAGE;
        }
        sel[i] = 1;
    }
    for (i = 0; i < l->n; i++)
        l->enabled[i] = sel[i];
    free(list);
    free(sel);
    return 0;
}

/* now + seconds, but not past the run deadline. */
static double cli_until(double seconds, double run_deadline)
{
    double d = now_mono() + seconds;

    return run_deadline > 0 && run_deadline < d ? run_deadline : d;
}

/* The ClearML client the checks share, logged in once; a missing one is
 * not an error (the checks that need it say so). */
static void cli_clearml(const struct conf *c, struct host_env *env)
{
    struct clearml_conf cc;
    struct mlg_error e;

    memset(&cc, 0, sizeof(cc));
    memset(&e, 0, sizeof(e));
    if (clearml_conf_load(&cc, conf_find(c, "clearml"), &e) != 0) {
        env->clearml_err = e;
    } else {
        env->clearml = clearml_new(&cc, &e);
        if (env->clearml == NULL) {
            env->clearml_err = e;
        } else if (clearml_login(env->clearml,
                                 cli_until(CLI_SETUP_TIMEOUT,
                                           env->run_deadline), &e) != 0) {
            log_msg(LOG_WARN, NULL, "ClearML login failed: %s", e.message);
            env->clearml_err = e;
            clearml_free(env->clearml);
            env->clearml = NULL;
        }
    }
    clearml_conf_free(&cc);
}

/* The forge client the checks and publishing share, or none. */
static void cli_forge(const struct conf *c, const struct run_context *ctx,
                      struct host_env *env)
{
    struct mlg_error e;

    memset(&e, 0, sizeof(e));
    env->forge = forge_new(ctx, c, &e);
    if (env->forge == NULL) {
        env->forge_err = e;
        log_msg(LOG_DEBUG, NULL, "no forge client: %s", e.message);
    }
}

static int cli_write_reports(const struct cli_opts *o,
                             const struct run_result *rr,
                             const struct run_context *ctx,
                             const struct conf *c)
{
    char err[1024];
    char *out = NULL;
    int bad = 0;

    if (o->format == FMT_JSON) {
        out = report_json(rr, ctx);
    } else if (o->format == FMT_MARKDOWN) {
        struct md_opts mo;
        const char *id = conf_get(conf_find(c, "report"), "id");

        memset(&mo, 0, sizeof(mo));
        mo.id = id != NULL ? id : "mlgate";
        mo.version = MLG_VERSION;
        mo.limit = 0;
        mo.full_at = NULL;
        out = markdown_report(rr, ctx, &mo);
    } else {
        out = report_text(rr, report_use_color(stdout));
    }
    errno = 0;
    if (report_print(out, stdout) != 0) {
        log_msg(LOG_ERR, NULL, "cannot write the report to stdout: %s",
                errno ? strerror(errno) : "write error");
        bad = 1;
    }
    free(out);
    if (o->json_file != NULL) {
        out = report_json(rr, ctx);
        if (report_write_file(o->json_file, out, err, sizeof(err)) != 0) {
            log_msg(LOG_ERR, NULL, "--json: %s", err);
            bad = 1;
        }
        free(out);
    }
    if (o->junit_file != NULL) {
        out = report_junit(rr);
        if (report_write_file(o->junit_file, out, err, sizeof(err)) != 0) {
            log_msg(LOG_ERR, NULL, "--junit: %s", err);
            bad = 1;
        }
        free(out);
    }
    return bad;
}

/* The run deadline in seconds: --deadline, else [run] deadline, else
 * the default. */
static double cli_deadline_s(const struct cli_opts *o, const struct conf *c)
{
    const char *v = o->deadline;
    double d;

    if (v == NULL)
        v = conf_get(conf_find(c, "run"), "deadline");
    if (v != NULL && conf_parse_duration(v, &d) == 0 && d > 0)
        return d;
    return CLI_DEFAULT_DEADLINE;
}

/* A run: the checks of the conf, the report, publishing. */
static int cli_run(const struct cli_opts *o, const struct conf *c,
                   struct cli_loaded *l, double started)
{
    struct run_context ctx;
    struct host_env env;
    struct run_facts facts;
    struct run_result rr;
    struct exec_check *run;
    char err[1024];
    size_t i, n = 0;
    long long jobs = 0;
    const char *jv;
    int code, curl_up = 0;
    double publish_until;
    struct prefetch *pf = NULL;

    /* SIGINT/SIGTERM cancel the checks but still produce the report
     * (exit 2 or 1, never 130/143); cli_main caught them already. */
    exec_catch_signals();
    memset(&ctx, 0, sizeof(ctx));
    if (context_load(&ctx, &o->ov, err, sizeof(err)) != 0) {
        log_msg(LOG_ERR, NULL, "run context: %s", err);
        context_free(&ctx);
        return CLI_EX_CONFIG;
    }
    /* A comment on a plain issue, or one without the trigger: not an
     * error, nothing to check, nothing published. */
    if (context_nothing_to_do(&ctx, conf_get(conf_find(c, "run"),
                                             "trigger"), err, sizeof(err))) {
        log_msg(LOG_WARN, NULL, "%s", err);
        context_free(&ctx);
        return 0;
    }
    memset(&env, 0, sizeof(env));
    env.conf = c;
    env.ctx = &ctx;
    env.dry_run = o->dry_run;
    env.verbose = o->verbose;
    env.grace = exec_grace(c);
    env.run_deadline = started + cli_deadline_s(o, c);
    run = xcalloc(l->n + 1, sizeof(*run));
    for (i = 0; i < l->n; i++)
        if (l->enabled[i])
            run[n++] = l->checks[i];
    if (n > 0 && !exec_cancel_requested()) {
        if (http_global_init() != 0) {
            log_msg(LOG_ERR, NULL, "cannot initialise libcurl");
            free(run);
            context_free(&ctx);
            return 2;
        }
        curl_up = 1;
        cli_forge(c, &ctx, &env);
        /* The sticky comment's lookup needs neither the checks nor
         * ClearML: it starts first and runs beside everything after it
         * (before exec_run, whose reaper ends only the children it did
         * not know). */
        pf = publish_prefetch(&ctx, c, env.forge, env.run_deadline);
        cli_clearml(c, &env);
        /* After a signal, nothing slow: straight to the report. */
        if (ctx.needs_pr_lookup && env.forge != NULL &&
            !exec_cancel_requested()) {
            struct mlg_error e;

            memset(&e, 0, sizeof(e));
            if (forge_resolve_pr(env.forge, &ctx,
                                 cli_until(CLI_SETUP_TIMEOUT,
                                           env.run_deadline), &e) != 0)
                log_msg(LOG_WARN, NULL, "cannot read PR #%ld: %s", ctx.pr,
                        e.message);
        }
    }
    /* What several checks read, once, before they are forked. */
    facts_plan(&facts, c, run, n);
    if (facts.n > 0 && env.clearml != NULL && !exec_cancel_requested()) {
        facts_resolve(&facts, env.clearml, ctx.head_sha,
                      cli_until(CLI_SETUP_TIMEOUT, env.run_deadline));
        env.facts = &facts;
    }
    jv = conf_get(conf_find(c, "run"), "jobs");
    if (jv != NULL)
        conf_parse_int(jv, &jobs);
    exec_run(&env, run, n, (int)jobs, &rr);
    facts_free(&facts);
    code = result_exit_code(rr.overall);
    /* The report reaches stdout and the files before anything slower. */
    if (cli_write_reports(o, &rr, &ctx, c) != 0 && code == 0)
        code = 2;
    if (o->format == FMT_MARKDOWN)
        publish_full_report_at("the job log");
    else if (o->json_file != NULL)
        publish_full_report_at("the JSON report (`--json`)");
    /* What is left of the run deadline, and after a cancellation or the
     * deadline a short fresh budget (publish.c cuts it again if a signal
     * comes while it publishes). */
    publish_until = env.run_deadline;
    if (exec_cancel_requested() ||
        publish_until < now_mono() + PUBLISH_CANCEL_BUDGET)
        publish_until = now_mono() + PUBLISH_CANCEL_BUDGET;
    publish_run(&rr, &ctx, c, env.forge, o->dry_run, publish_until, pf);
    prefetch_free(pf);
    run_result_free(&rr);
    if (env.clearml != NULL)
        clearml_free(env.clearml);
    if (env.forge != NULL)
        forge_free(env.forge);
    if (curl_up)
        http_global_cleanup();
    context_free(&ctx);
    free(run);
    return code;
}

/* Every secret the environment may hold is masked from the start: a
 * conf value can expand one (${GITHUB_TOKEN}) into an error message, and
 * in GitHub Actions the ::add-mask:: lines must precede all output. */
static void cli_mask_env_secrets(void)
{
    static const char *const names[] = {
        "CLEARML_API_ACCESS_KEY", "TRAINS_API_ACCESS_KEY",
        "CLEARML_API_SECRET_KEY", "TRAINS_API_SECRET_KEY",
        "CLEARML_AUTH_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN",
        "CI_JOB_TOKEN", NULL
    };
    const char *const *n;

    for (n = names; *n != NULL; n++)
        log_secret_add(getenv(*n));
}

int cli_main(int argc, char **argv)
{
    struct cli_opts o;
    struct conf c;
    struct cli_loaded l;
    char err[1024];
    const char *cmd = NULL;
    int ci = -1, rc;
    double started = now_mono();

    /* Before the first write (::add-mask:: lines in GitHub Actions): a
     * closed stdout is an error to report, not a death by SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    rc = cli_parse(argc, argv, &o, &ci);
    if (rc >= 0)
        return rc;
    log_init(o.verbosity);
    cli_mask_env_secrets();
    if (loader_cjson_ok(err, sizeof(err)) != 0) {
        log_msg(LOG_ERR, NULL, "%s", err);
        return CLI_EX_CONFIG;
    }
    if (ci >= 0) {
        cmd = argv[ci];
        if (strcmp(cmd, "plugins") == 0 && ci + 1 == argc)
            return cli_plugins(&o);
        if (strcmp(cmd, "plugin") == 0) {
            if (ci + 3 != argc || strcmp(argv[ci + 1], "inspect") != 0)
                return cli_usage_error("usage: mlgate plugin inspect "
                                       "FILE.so");
            return inspect_plugin(argv[ci + 2], stdout);
        }
        if (strcmp(cmd, "help") == 0) {
            if (ci + 2 != argc)
                return cli_usage_error("usage: mlgate help PLUGIN");
            return cli_help_plugin(&o, argv[ci + 1]);
        }
        if (strcmp(cmd, "plugins") != 0 &&
            strcmp(cmd, "check-config") != 0)
            return cli_usage_error("unknown command '%s'", cmd);
        if (ci + 1 != argc)
            return cli_usage_error("unexpected argument '%s'",
                                   argv[ci + 1]);
    }
    /* A run catches SIGINT/SIGTERM from its first step: one that arrives
     * while the conf is read still ends in a report, never in 143. */
    if (cmd == NULL)
        exec_catch_signals();
    if (o.config == NULL)
        o.config = getenv("MLGATE_CONFIG");
    if (o.config == NULL || *o.config == '\0')
        o.config = "mlgate.conf";
    if (conf_parse(o.config, &c, err, sizeof(err)) != 0) {
        log_msg(LOG_ERR, NULL, "%s", err);
        conf_free(&c);
        return CLI_EX_CONFIG;
    }
    if (cli_load(&c, o.plugin_dir, &l) != 0) {
        cli_loaded_free(&l);
        conf_free(&c);
        return CLI_EX_CONFIG;
    }
    if (cmd != NULL) {
        printf("conf OK: %zu check%s\n", l.n, l.n == 1 ? "" : "s");
        rc = 0;
    } else {
        rc = cli_apply_only(o.only, c.path, &l);
        if (rc == 0)
            rc = cli_run(&o, &c, &l, started);
    }
    cli_loaded_free(&l);
    conf_free(&c);
    return rc;
}
