/*
 * check_exec.c - tests of the executor and the host table: statuses,
 * every failure mode (crash, hang, SIGKILL, silent exit, init failure)
 * with the other checks unaffected, concurrency, the jobs limit, runner
 * cancellation, deadlines, options and the result wire format.
 */
#include <config.h>

#include "conf.h"
#include "core_util.h"
#include "endpoint.h"
#include "exec.h"
#include "host.h"
#include "loader.h"
#include "util.h"

#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHECKS 16

struct fx {
    struct conf c;
    struct plugin *plugins[MAX_CHECKS];
    struct exec_check checks[MAX_CHECKS];
    size_t n;
    struct host_env env;
    struct run_result rr;
};

static struct fx fx;
static char *dir;

static void setup(void)
{
    memset(&fx, 0, sizeof(fx));
    dir = cu_tmpdir();
    ck_assert_ptr_nonnull(dir);
}

static void teardown(void)
{
    size_t i;

    run_result_free(&fx.rr);
    for (i = 0; i < fx.n; i++)
        loader_free(fx.plugins[i]);
    conf_free(&fx.c);
    cu_rmrf(dir);
    free(dir);
}

/* Parse text, load each check's test plugin, validate, fill fx. */
static void load(const char *text)
{
    char err[1024];
    char *pdir = cu_plugin_dir();
    size_t i;

    ck_assert_msg(conf_parse_string("t.conf", text, &fx.c, err,
                                    sizeof(err)) == 0, "%s", err);
    for (i = 0; i < fx.c.nsec; i++) {
        const struct conf_section *sec = &fx.c.sec[i];
        char *path;
        struct plugin *p;

        if (strcmp(sec->kind, "check") != 0)
            continue;
        ck_assert_uint_lt(fx.n, MAX_CHECKS);
        path = loader_find(conf_get(sec, "plugin"), pdir, err, sizeof(err));
        ck_assert_msg(path != NULL, "%s", err);
        p = loader_open(path, err, sizeof(err));
        ck_assert_msg(p != NULL, "%s", err);
        free(path);
        ck_assert_msg(conf_validate_check(&fx.c, sec, p->d.name,
                                          p->d.options, err,
                                          sizeof(err)) == 0, "%s", err);
        fx.plugins[fx.n] = p;
        fx.checks[fx.n].name = sec->name;
        fx.checks[fx.n].plugin = p;
        fx.checks[fx.n].sec = sec;
        fx.checks[fx.n].timeout = exec_hard_timeout(&fx.c, sec, &p->d);
        fx.n++;
    }
    free(pdir);
    fx.env.conf = &fx.c;
    fx.env.ctx = NULL;
    fx.env.grace = exec_grace(&fx.c);
}

static int run(int jobs)
{
    return exec_run(&fx.env, fx.checks, fx.n, jobs, &fx.rr);
}

static const struct check_result *res(const char *name)
{
    size_t i;

    for (i = 0; i < fx.rr.n; i++)
        if (strcmp(fx.rr.checks[i].name, name) == 0)
            return &fx.rr.checks[i];
    ck_abort_msg("no result for %s", name);
    return NULL;
}

static const char *out(const struct check_result *r, const char *key)
{
    size_t i;

    for (i = 0; i < r->noutputs; i++)
        if (strcmp(r->outputs[i].key, key) == 0)
            return r->outputs[i].value;
    return NULL;
}

static double out_num(const struct check_result *r, const char *key)
{
    const char *v = out(r, key);

    ck_assert_msg(v != NULL, "%s has no output %s", r->name, key);
    return strtod(v, NULL);
}

#define ck_result(name, st, sum)                                           \
    do {                                                                   \
        const struct check_result *r_ = res(name);                        \
        ck_assert_msg(r_->status == (st), "%s: status %s, want %s (%s)",   \
                      name, result_status_name(r_->status),                \
                      result_status_name(st), r_->summary);                \
        ck_assert_str_eq(r_->summary, sum);                                \
    } while (0)

START_TEST(test_statuses)
{
    load("[check p]\nplugin = status\nstatus = pass\nsummary = fine\n"
         "[check w]\nplugin = status\nstatus = warn\nsummary = hmm\n"
         "[check f]\nplugin = status\nstatus = fail\nsummary = worse\n"
         "[check e]\nplugin = status\nstatus = error\nsummary = broke\n"
         "[check s]\nplugin = status\nstatus = skip\nsummary = n/a\n"
         "[check rf]\nplugin = status\nstatus = fail\nvia = return\n"
         "[check rs]\nplugin = status\nstatus = skip\nvia = return\n");
    ck_assert_int_eq(run(0), 0);
    ck_assert_uint_eq(fx.rr.n, 7);
    ck_result("p", MLG_PASS, "fine");
    ck_result("w", MLG_WARN, "hmm");
    ck_result("f", MLG_FAIL, "worse");
    ck_result("e", MLG_ERROR, "broke");
    ck_result("s", MLG_SKIP, "n/a");
    ck_result("rf", MLG_FAIL, "");
    ck_result("rs", MLG_SKIP, "");
    ck_assert_str_eq(res("p")->plugin, "status");
    /* Results keep the conf order. */
    ck_assert_str_eq(fx.rr.checks[0].name, "p");
    ck_assert_str_eq(fx.rr.checks[6].name, "rs");
    ck_assert_int_eq(fx.rr.overall, MLG_FAIL);
}
END_TEST

/* A plugin built for ABI 1.0 runs in this runner beside current ones. */
START_TEST(test_older_minor_runs)
{
    char *want = xasprintf("built for ABI 1.0, host %d.%d", MLG_ABI_MAJOR,
                           MLG_ABI_MINOR);

    load("[check old]\nplugin = abi_old\n[check new]\nplugin = good\n");
    ck_assert_int_eq(run(0), 0);
    ck_result("old", MLG_PASS, want);
    ck_result("new", MLG_PASS, "all good");
    free(want);
}
END_TEST

/* Plugins built against the 1.0, 1.1 and 1.2 headers load and run here;
 * the options of each come through at its own stride. */
START_TEST(test_abi_headers_run)
{
    char *w10 = xasprintf("ABI 1.0 plugin on host %d.%d: one two",
                          MLG_ABI_MAJOR, MLG_ABI_MINOR);
    char *w11 = xasprintf("ABI 1.1 plugin on host %d.%d: p11",
                          MLG_ABI_MAJOR, MLG_ABI_MINOR);

    load("[check a]\nplugin = abi10\n[check b]\nplugin = abi11\n"
         "[check c]\nplugin = abi12\nsecond = zwei\n");
    ck_assert_int_eq(run(0), 0);
    ck_result("a", MLG_PASS, w10);
    ck_result("b", MLG_PASS, w11);
    ck_result("c", MLG_PASS, "ABI 1.2 plugin: uno zwei");
    free(w10);
    free(w11);
}
END_TEST

/* A 1.2 plugin that declares it needs only 1.0 loads and runs on a host
 * that reports minor 0 (the 1.0 table, simulated); a 1.1 plugin is
 * refused there, naming both versions. */
START_TEST(test_abi12_on_minor0_host)
{
    struct mlg_host old;
    char err[1024];
    char *pdir = cu_plugin_dir();
    char *p11 = xasprintf("%s/abi11.so", pdir);
    char *want = xasprintf("%s: plugin needs ABI 1.1, this mlgate provides "
                           "1.0 (minor newer)", p11);
    struct plugin *p;

    p = loader_open_minor(p11, 0, err, sizeof(err));
    ck_assert_ptr_null(p);
    ck_assert_str_eq(err, want);
    load("[check c]\nplugin = abi12\n[check a]\nplugin = abi10\n");
    host_table_as(0, &old);
    ck_assert_uint_eq(old.abi_minor, 0);
    ck_assert_ptr_null(old.opt_scope);
    p = loader_open_minor(fx.plugins[0]->path, 0, err, sizeof(err));
    ck_assert_msg(p != NULL, "%s", err);
    loader_free(p);
    fx.env.table = &old;
    ck_assert_int_eq(run(0), 0);
    ck_result("c", MLG_PASS, "ABI 1.2 plugin: %s %s (1.0 path)");
    ck_result("a", MLG_PASS, "ABI 1.0 plugin on host 1.0: one two");
    free(want);
    free(p11);
    free(pdir);
}
END_TEST

/* A plugin that closed the result pipe is named for it. */
START_TEST(test_result_pipe_closed)
{
    load("[check shut]\nplugin = closer\n");
    ck_assert_int_eq(run(0), 0);
    ck_result("shut", MLG_ERROR, "closed the runner's result pipe, so its "
              "result was lost");
}
END_TEST

START_TEST(test_crash_isolated)
{
    load("[check one]\nplugin = good\n"
         "[check boom]\nplugin = crasher\n"
         "[check two]\nplugin = good\nmessage = still fine\n");
    ck_assert_int_eq(run(0), 0);
    {
        /* The signal's description is the C library's: ask it. */
        char *want = xasprintf("crashed: SIGSEGV (%s)", strsignal(SIGSEGV));

        ck_result("boom", MLG_ERROR, want);
        free(want);
    }
    ck_result("one", MLG_PASS, "all good");
    ck_result("two", MLG_PASS, "still fine");
    ck_assert_int_eq(fx.rr.overall, MLG_ERROR);
    ck_assert_int_eq(result_exit_code(fx.rr.overall), 2);
}
END_TEST

/* Whether pid is gone: no such process, or a zombie waiting for init
 * (dead all the same). */
static int pid_gone(long pid)
{
    char path[64], line[256];
    FILE *f;
    char *paren;
    int gone = 1;

    if (kill((pid_t)pid, 0) != 0)
        return 1;
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    f = fopen(path, "r");
    if (f == NULL)
        return 0; /* no /proc: alive as far as we can tell */
    if (fgets(line, sizeof(line), f) != NULL &&
        (paren = strrchr(line, ')')) != NULL)
        gone = paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
    else
        gone = 0;
    fclose(f);
    return gone;
}

/* A check that forks leaves nothing behind: the runner ends the check's
 * whole process group once the check is over. */
START_TEST(test_no_grandchild_left)
{
    char *text, *pidfile = xasprintf("%s/pid", dir);
    FILE *f;
    long pid = 0;
    double until;

    text = xasprintf("[check f]\nplugin = forker\npidfile = %s\n",
                     pidfile);
    load(text);
    ck_assert_int_eq(run(0), 0);
    ck_result("f", MLG_PASS, res("f")->summary);
    f = fopen(pidfile, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    ck_assert_int_gt(pid, 1);
    /* SIGKILL is asynchronous: give the kernel a bounded moment. */
    until = now_mono() + 5;
    while (!pid_gone(pid) && now_mono() < until)
        poll(NULL, 0, 10);
    ck_assert_msg(pid_gone(pid), "grandchild %ld still running", pid);
    free(text);
    free(pidfile);
}
END_TEST

START_TEST(test_timeout)
{
    load("[run]\ngrace = 3s\n"
         "[check slow]\nplugin = sleeper\nseconds = 30\ntimeout = 1\n"
         "[check ok]\nplugin = good\n");
    ck_assert_int_eq(run(0), 0);
    ck_result("slow", MLG_ERROR, "timed out after 1s");
    ck_result("ok", MLG_PASS, "all good");
    /* It honoured SIGTERM: no need to wait for the SIGKILL. */
    ck_assert_double_lt(res("slow")->duration, 2.9);
    ck_assert_double_ge(res("slow")->duration, 0.9);
    /* What the plugin reported during its cleanup is kept. */
    ck_assert_str_eq(out(res("slow"), "cancelled"), "yes");
}
END_TEST

START_TEST(test_sigkill_after_grace)
{
    load("[run]\ngrace = 1s\n"
         "[check stuck]\nplugin = sleeper\nseconds = 30\nignore-term = yes\n"
         "timeout = 1s\n"
         "[check ok]\nplugin = good\n");
    ck_assert_int_eq(run(0), 0);
    ck_result("stuck", MLG_ERROR, "timed out after 1s");
    ck_result("ok", MLG_PASS, "all good");
    /* Deadline (1 s) + grace (1 s), not the 30 s it wanted. */
    ck_assert_double_ge(res("stuck")->duration, 1.9);
    ck_assert_double_lt(res("stuck")->duration, 10);
}
END_TEST

START_TEST(test_exit_without_result)
{
    load("[check quiet]\nplugin = noresult\n[check ok]\nplugin = good\n");
    ck_assert_int_eq(run(0), 0);
    ck_result("quiet", MLG_ERROR, "exited with status 3 without a result");
    ck_result("ok", MLG_PASS, "all good");
}
END_TEST

START_TEST(test_init_failure)
{
    load("[check bad]\nplugin = init_fail\n[check ok]\nplugin = good\n");
    ck_assert_int_eq(run(0), 0);
    /* Neither run() nor fini() ran: both would abort. */
    ck_result("bad", MLG_ERROR, "cannot prepare: no model");
    ck_result("ok", MLG_PASS, "all good");
}
END_TEST

START_TEST(test_big_detail)
{
    load("[check big]\nplugin = bigdetail\n[check big2]\nplugin = "
         "bigdetail\n[check ok]\nplugin = good\n");
    ck_assert_int_eq(run(0), 0);
    ck_result("big", MLG_PASS, "1 MiB of details");
    ck_result("big2", MLG_PASS, "1 MiB of details");
    ck_assert_uint_eq(strlen(res("big")->details), 1024 * 1024);
    ck_assert_int_eq(res("big")->details[63], '\n');
    ck_assert_int_eq(res("big")->details[1024 * 1024 - 2], 'x');
}
END_TEST

START_TEST(test_result_cap)
{
    load("[check flood]\nplugin = bigdetail\nflood = yes\n"
         "[check ok]\nplugin = good\n");
    ck_assert_int_eq(run(0), 0);
    ck_result("flood", MLG_ERROR, "sent a result larger than 8 MiB");
    ck_assert_str_eq(res("flood")->details, "");
    ck_result("ok", MLG_PASS, "all good");
}
END_TEST

/* Three 1 s checks run at the same time: their intervals intersect. */
START_TEST(test_concurrent)
{
    double max_start = 0, min_end = 1e300;
    const char *names[] = {"a", "b", "c"};
    size_t i;

    load("[check a]\nplugin = sleeper\nseconds = 1\n"
         "[check b]\nplugin = sleeper\nseconds = 1\n"
         "[check c]\nplugin = sleeper\nseconds = 1\n");
    ck_assert_int_eq(run(0), 0);
    for (i = 0; i < 3; i++) {
        const struct check_result *r = res(names[i]);

        ck_assert_int_eq(r->status, MLG_PASS);
        if (out_num(r, "start") > max_start)
            max_start = out_num(r, "start");
        if (out_num(r, "end") < min_end)
            min_end = out_num(r, "end");
    }
    ck_assert_msg(max_start < min_end, "intervals do not overlap");
}
END_TEST

/* jobs = 1: one at a time, in order. */
START_TEST(test_jobs_limit)
{
    load("[run]\njobs = 1\n"
         "[check a]\nplugin = sleeper\nseconds = 0.2\n"
         "[check b]\nplugin = sleeper\nseconds = 0.2\n"
         "[check c]\nplugin = sleeper\nseconds = 0.2\n");
    ck_assert_int_eq(run(1), 0);
    ck_assert_double_ge(out_num(res("b"), "start"), out_num(res("a"),
                                                           "end"));
    ck_assert_double_ge(out_num(res("c"), "start"), out_num(res("b"),
                                                           "end"));
}
END_TEST

/* Wait (bounded) until path exists and contains want. */
static int wait_for(const char *path, const char *want, double secs)
{
    struct timespec ts = {0, 10 * 1000 * 1000};
    double end = now_mono() + secs;

    while (now_mono() < end) {
        char *s = cu_read(path);
        int ok = s != NULL && strstr(s, want) != NULL;

        free(s);
        if (ok)
            return 0;
        /* Polling a file the child writes, with a deadline. */
        nanosleep(&ts, NULL);
    }
    return -1;
}

START_TEST(test_cancel)
{
    char *marker = xasprintf("%s/marker", dir);
    char *started = xasprintf("%s/started", dir);
    char *text = xasprintf("[run]\ngrace = 3s\njobs = 2\n"
                           "[check clean]\nplugin = cleanup\nmarker = %s\n"
                           "[check nap]\nplugin = sleeper\nseconds = 30\n"
                           "started-file = %s\n"
                           "[check later]\nplugin = good\n",
                           marker, started);
    char *s;
    pid_t killer;
    int st;

    load(text);
    killer = fork();
    ck_assert_int_ge(killer, 0);
    if (killer == 0) {
        /* Both running checks are inside run(): cancel the runner. */
        if (wait_for(started, "", 10) == 0 &&
            wait_for(marker, "run", 10) == 0)
            kill(getppid(), SIGTERM);
        _exit(0);
    }
    ck_assert_int_eq(run(2), 1);
    waitpid(killer, &st, 0);
    ck_result("clean", MLG_ERROR, "cancelled");
    ck_result("nap", MLG_ERROR, "cancelled");
    ck_result("later", MLG_ERROR, "cancelled");
    ck_assert_int_eq(fx.rr.overall, MLG_ERROR);
    /* The cancelled check got to clean up: fini ran. */
    s = cu_read(marker);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "init\nrun\ncancelled\nfini\n");
    /* It stopped on SIGTERM, long before its 30 s. */
    ck_assert_double_lt(res("nap")->duration, 10);
    free(s);
    free(text);
    free(marker);
    free(started);
}
END_TEST

/* What a check inherits from the fork: no pipe a program it execs would
 * keep (the result pipe is close-on-exec), SIGPIPE ignored, and no
 * signal left blocked by the runner's fork. */
static int inheritable_pipes(void)
{
    struct stat st;
    int fd, n = 0;

    for (fd = 3; fd < 1024; fd++) {
        int flags = fcntl(fd, F_GETFD);

        if (flags >= 0 && !(flags & FD_CLOEXEC) && fstat(fd, &st) == 0 &&
            S_ISFIFO(st.st_mode))
            n++;
    }
    return n;
}

START_TEST(test_fork_inheritance)
{
    char *base;

    load("[check fd]\nplugin = fdcheck\n");
    /* What this test process got from its own parent (make's jobserver
     * pipe, say) is not the runner's doing. */
    base = xasprintf("%d", inheritable_pipes());
    ck_assert_int_eq(run(0), 0);
    ck_result("fd", MLG_PASS, "looked");
    ck_assert_str_eq(out(res("fd"), "inheritable-pipes"), base);
    free(base);
    ck_assert_str_eq(out(res("fd"), "sigpipe"), "ignored");
    ck_assert_str_eq(out(res("fd"), "blocked"), "no");
}
END_TEST

/* A signal before the run: nothing starts, every check is cancelled. */
START_TEST(test_cancel_before_run)
{
    char *marker = xasprintf("%s/marker", dir);
    char *text = xasprintf("[check clean]\nplugin = cleanup\nmarker = %s\n"
                           "[check ok]\nplugin = good\n", marker);
    const char *fork_mode = getenv("CK_FORK");
    struct stat st;

    /* The handlers stay for the process: only in a forked test. */
    if (fork_mode != NULL && strcmp(fork_mode, "no") == 0) {
        free(text);
        free(marker);
        return;
    }
    load(text);
    exec_catch_signals();
    ck_assert_int_eq(exec_cancel_requested(), 0);
    raise(SIGTERM);
    ck_assert_int_eq(exec_cancel_requested(), 1);
    ck_assert_int_eq(run(0), 1);
    ck_result("clean", MLG_ERROR, "cancelled");
    ck_result("ok", MLG_ERROR, "cancelled");
    ck_assert_int_eq(stat(marker, &st), -1);
    free(text);
    free(marker);
}
END_TEST

START_TEST(test_hard_timeout_rule)
{
    load("[run]\ngrace = 3s\ntimeout = 7s\n"
         "[check own]\nplugin = owntimeout\ntimeout = 5s\n"
         "[check plain]\nplugin = good\ntimeout = 2m\n"
         "[check dflt]\nplugin = good\n");
    /* The plugin's own timeout (5 s) + its queue-timeout default (30 s)
     * + grace (3 s). */
    ck_assert_double_eq_tol(fx.checks[0].timeout, 38, 1e-9);
    ck_assert_double_eq_tol(fx.checks[1].timeout, 120, 1e-9);
    ck_assert_double_eq_tol(fx.checks[2].timeout, 7, 1e-9);
    ck_assert_int_eq(run(0), 0);
    ck_assert_double_le(out_num(res("own"), "remaining"), 38);
    ck_assert_double_gt(out_num(res("own"), "remaining"), 33);
}
END_TEST

START_TEST(test_default_run_timeout)
{
    load("[check dflt]\nplugin = good\n");
    ck_assert_double_eq_tol(fx.checks[0].timeout, 600, 1e-9);
    ck_assert_double_eq_tol(fx.env.grace, 10, 1e-9);
}
END_TEST

START_TEST(test_options)
{
    const struct check_result *r;

    load("[check d]\nplugin = good\n"
         "[check set]\nplugin = good\ncount = 7\nratio = 0.5\nwait = 1m\n"
         "goal = min\nmessage = custom\n");
    ck_assert_int_eq(run(0), 0);
    r = res("d");
    ck_assert_str_eq(out(r, "count"), "3");
    ck_assert_str_eq(out(r, "goal"), "max");
    ck_assert_str_eq(out(r, "wait"), "0");
    ck_assert_str_eq(out(r, "ratio"), "-1");
    ck_assert_str_eq(out(r, "undeclared"), "null");
    ck_assert_str_eq(out(r, "undeclared-int"), "0");
    ck_assert_str_eq(out(r, "check"), "d");
    ck_assert_str_eq(r->details, "| a | b |\n|---|---|\n| 3 | max |\n");
    ck_assert_uint_eq(r->nannots, 1);
    ck_assert_str_eq(r->annots[0].file, "model.py");
    ck_assert_int_eq(r->annots[0].line, 7);
    ck_assert_str_eq(r->annots[0].message, "note 1");
    r = res("set");
    ck_assert_str_eq(r->summary, "custom");
    ck_assert_str_eq(out(r, "count"), "7");
    ck_assert_str_eq(out(r, "goal"), "min");
    ck_assert_str_eq(out(r, "wait"), "60");
    ck_assert_str_eq(out(r, "ratio"), "0.5");
}
END_TEST

START_TEST(test_wire_format)
{
    struct check_result a, b;
    struct result_annot an = {MLG_ANNOT_ERROR, NULL, 0, NULL};
    struct result_kv kv = {NULL, NULL};
    char *json;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    an.file = xstrdup("f.py");
    an.line = 3;
    an.message = xstrdup("bad \"thing\"\n");
    kv.key = xstrdup("k");
    kv.value = xstrdup("v\x01");
    a.status = MLG_WARN;
    a.summary = xstrdup("s");
    a.details = xstrdup("d\n| x |");
    a.annots = &an;
    a.nannots = 1;
    a.outputs = &kv;
    a.noutputs = 1;
    json = exec_result_to_json(&a);
    ck_assert_ptr_nonnull(json);
    ck_assert_int_eq(exec_result_from_json(json, strlen(json), &b), 0);
    ck_assert_int_eq(b.status, MLG_WARN);
    ck_assert_str_eq(b.summary, "s");
    ck_assert_str_eq(b.details, "d\n| x |");
    ck_assert_uint_eq(b.nannots, 1);
    ck_assert_str_eq(b.annots[0].file, "f.py");
    ck_assert_int_eq(b.annots[0].line, 3);
    ck_assert_int_eq(b.annots[0].level, MLG_ANNOT_ERROR);
    ck_assert_str_eq(b.annots[0].message, "bad \"thing\"\n");
    ck_assert_str_eq(b.outputs[0].value, "v\x01");
    free(json);
    check_result_free(&b);
    free(an.file);
    free(an.message);
    free(kv.key);
    free(kv.value);
    free(a.summary);
    free(a.details);
}
END_TEST

START_TEST(test_wire_malformed)
{
    static const char *const bad[] = {
        "{", "[]", "null",
        "{\"status\":9,\"summary\":\"\",\"details\":\"\","
        "\"annotations\":[],\"outputs\":[]}",
        "{\"status\":0,\"details\":\"\",\"annotations\":[],\"outputs\":[]}",
        "{\"status\":0,\"summary\":\"\",\"details\":\"\","
        "\"annotations\":[{}],\"outputs\":[]}",
        "{\"status\":0,\"summary\":\"\",\"details\":\"\","
        "\"annotations\":[],\"outputs\":[[\"k\"]]}",
        NULL
    };
    size_t i;

    for (i = 0; bad[i] != NULL; i++) {
        struct check_result r;

        memset(&r, 0, sizeof(r));
        ck_assert_msg(exec_result_from_json(bad[i], strlen(bad[i]), &r)
                      == -1, "accepted %s", bad[i]);
        ck_assert_ptr_null(r.summary);
    }
}
END_TEST

/* The cast the fuzzers found in the server readers, here too (replayed
 * by tests/fuzz/fuzz_result from regress/result/): an annotation line
 * past the range of long was cast (undefined behaviour; the sanitizer
 * build traps it).  Out of range now reads as no line. */
START_TEST(test_wire_line_range)
{
    static const char json[] = "{\"status\":1,\"summary\":\"s\","
        "\"details\":\"\",\"annotations\":[{\"level\":1,\"line\":1e99,"
        "\"message\":\"m\"},{\"level\":1,\"line\":-1e99,\"message\":"
        "\"n\"},{\"level\":1,\"line\":42,\"message\":\"o\"}],"
        "\"outputs\":[]}";
    struct check_result r;

    memset(&r, 0, sizeof(r));
    ck_assert_int_eq(exec_result_from_json(json, strlen(json), &r), 0);
    ck_assert_uint_eq(r.nannots, 3);
    ck_assert_int_eq(r.annots[0].line, 0);
    ck_assert_int_eq(r.annots[1].line, 0);
    ck_assert_int_eq(r.annots[2].line, 42);
    check_result_free(&r);
}
END_TEST

START_TEST(test_formatting)
{
    static const struct { double s; const char *want; } d[] = {
        {600, "10m"}, {5400, "1h30m"}, {90, "1m30s"}, {1.5, "1.5s"},
        {1, "1s"}, {7200, "2h"}, {0, "0s"}, {3661, "1h1m1s"}
    };
    size_t i;

    for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
        char *s = exec_fmt_duration(d[i].s);

        ck_assert_str_eq(s, d[i].want);
        free(s);
    }
    ck_assert_str_eq(exec_signal_name(SIGSEGV), "SIGSEGV");
    ck_assert_str_eq(exec_signal_name(SIGKILL), "SIGKILL");
}
END_TEST

/* One example per row of endpoint.c's table, in the table's order: the
 * rule --dry-run, retries and plugin.h share. */
static const struct {
    const char *endpoint;
    int read;
} endpoint_rows[] = {
    {"tasks.get_all", 1},                      /* *.get_* */
    {"server.info", 1},                        /* *.info */
    {"auth.login", 1},                         /* auth.login */
    {"events.add_batch", 0},                   /* events.add* */
    {"events.delete_for_task", 0},             /* events.delete* */
    {"events.clear_task_log", 0},              /* events.clear* */
    {"events.scalar_metrics_iter_raw", 1},     /* events.* */
    {"tasks.create", 0}                        /* everything else */
};

START_TEST(test_endpoint_rule_row)
{
    const char *e = endpoint_rows[_i].endpoint;

    ck_assert_msg(endpoint_is_read(e) == endpoint_rows[_i].read,
                  "%s: expected %s", e,
                  endpoint_rows[_i].read ? "read" : "write");
}
END_TEST

/* Each table row has its example above (the test list grows with it). */
START_TEST(test_endpoint_rule_rows_covered)
{
    size_t n = 0;

    while (endpoint_rules[n].read >= 0)
        n++;
    ck_assert_uint_eq(n, sizeof(endpoint_rows) / sizeof(endpoint_rows[0]));
}
END_TEST

START_TEST(test_endpoint_rule_more)
{
    /* The reads the issue found refused under --dry-run. */
    ck_assert_int_eq(endpoint_is_read("events.plots"), 1);
    ck_assert_int_eq(endpoint_is_read("events.debug_images"), 1);
    ck_assert_int_eq(endpoint_is_read(
        "events.scalar_metrics_iter_histogram"), 1);
    ck_assert_int_eq(endpoint_is_read("tasks.get_by_id"), 1);
    ck_assert_int_eq(endpoint_is_read("events.get_task_log"), 1);
    ck_assert_int_eq(endpoint_is_read("tasks.enqueue"), 0);
    ck_assert_int_eq(endpoint_is_read("tasks.edit"), 0);
    ck_assert_int_eq(endpoint_is_read("tasks.update_tags"), 0);
    ck_assert_int_eq(endpoint_is_read("auth.create_user"), 0);
    /* Malformed is never a read (and is refused before dry-run). */
    ck_assert_int_eq(endpoint_is_read("get_all"), 0);
    ck_assert_int_eq(endpoint_is_read("tasks.get_all/../x"), 0);
    ck_assert_int_eq(endpoint_is_read(".get_all"), 0);
    ck_assert_int_eq(endpoint_is_read("tasks.get.all"), 0);
    ck_assert_int_eq(endpoint_ok("tasks."), 0);
    ck_assert_int_eq(endpoint_ok("tasks.get_all"), 1);
}
END_TEST

START_TEST(test_one_line)
{
    char long_s[400];
    char *s;
    size_t i;

    s = host_one_line("a\nb\r\tc");
    ck_assert_str_eq(s, "a b  c");
    free(s);
    /* 299 ASCII bytes then a 3-byte character that would straddle the
     * 300-byte cut: it is dropped whole. */
    for (i = 0; i < 299; i++)
        long_s[i] = 'x';
    memcpy(long_s + 299, "\xE2\x82\xAC", 3);
    long_s[302] = '\0';
    s = host_one_line(long_s);
    ck_assert_uint_eq(strlen(s), 299);
    free(s);
}
END_TEST

static Suite *exec_suite(void)
{
    Suite *s = suite_create("exec");
    TCase *core = tcase_create("core");
    TCase *limits = tcase_create("limits");
    TCase *errors = tcase_create("errors");

    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_checked_fixture(limits, setup, teardown);
    tcase_add_checked_fixture(errors, setup, teardown);
    tcase_set_timeout(core, 20);
    tcase_set_timeout(limits, 20);
    tcase_set_timeout(errors, 20);
    tcase_add_test(core, test_statuses);
    tcase_add_test(core, test_older_minor_runs);
    tcase_add_test(core, test_abi_headers_run);
    tcase_add_test(core, test_abi12_on_minor0_host);
    tcase_add_test(core, test_concurrent);
    tcase_add_test(core, test_jobs_limit);
    tcase_add_test(core, test_options);
    tcase_add_test(core, test_hard_timeout_rule);
    tcase_add_test(core, test_default_run_timeout);
    tcase_add_test(core, test_wire_format);
    tcase_add_test(core, test_formatting);
    tcase_add_loop_test(core, test_endpoint_rule_row, 0,
                        (int)(sizeof(endpoint_rows) /
                              sizeof(endpoint_rows[0])));
    tcase_add_test(core, test_endpoint_rule_rows_covered);
    tcase_add_test(core, test_endpoint_rule_more);
    tcase_add_test(limits, test_big_detail);
    tcase_add_test(limits, test_one_line);
    tcase_add_test(limits, test_result_cap);
    tcase_add_test(errors, test_crash_isolated);
    tcase_add_test(errors, test_result_pipe_closed);
    tcase_add_test(errors, test_no_grandchild_left);
    tcase_add_test(errors, test_timeout);
    tcase_add_test(errors, test_sigkill_after_grace);
    tcase_add_test(errors, test_exit_without_result);
    tcase_add_test(errors, test_init_failure);
    tcase_add_test(errors, test_cancel);
    tcase_add_test(errors, test_cancel_before_run);
    tcase_add_test(core, test_fork_inheritance);
    tcase_add_test(errors, test_wire_malformed);
    tcase_add_test(errors, test_wire_line_range);
    suite_add_tcase(s, core);
    suite_add_tcase(s, limits);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(exec_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
