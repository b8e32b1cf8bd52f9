/*
 * check_cli.c - runs the mlgate binary: exit codes 0/1/2/64/78, conf and
 * plugin errors before any check runs, the report formats and files,
 * `plugins`, `help PLUGIN`, `check-config`, and SIGTERM cancellation.
 */
#include <config.h>

#include "core_util.h"
#include "mlgate/plugin.h"
#include "util.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* "MAJOR.MINOR" of the ABI this runner provides. */
#define ABI_STR2(x) #x
#define ABI_STR(x) ABI_STR2(x)
#define ABI ABI_STR(MLG_ABI_MAJOR) "." ABI_STR(MLG_ABI_MINOR)

static char *dir;
static char *pdir;
static char *out_s;
static char *err_s;

static void setup(void)
{
    dir = cu_tmpdir();
    ck_assert_ptr_nonnull(dir);
    pdir = cu_plugin_dir();
    out_s = NULL;
    err_s = NULL;
}

static void teardown(void)
{
    free(out_s);
    free(err_s);
    cu_rmrf(dir);
    free(dir);
    free(pdir);
}

/* Run mlgate with the test plugin dir and conf text (NULL: no -c);
 * extra args NULL-terminated.  Returns the exit code. */
static int mlgate(const char *conf, const char *a1, const char *a2,
                  const char *a3, const char *a4)
{
    const char *args[16];
    char *path = NULL;
    size_t n = 0;
    int rc;

    free(out_s);
    free(err_s);
    args[n++] = "--plugin-dir";
    args[n++] = pdir;
    if (conf != NULL) {
        path = cu_write(dir, "mlgate.conf", conf);
        args[n++] = "-c";
        args[n++] = path;
    }
    args[n++] = a1;
    if (a1 != NULL) {
        args[n++] = a2;
        if (a2 != NULL) {
            args[n++] = a3;
            if (a3 != NULL)
                args[n++] = a4;
        }
    }
    args[n] = NULL;
    rc = cu_mlgate(dir, args, NULL, &out_s, &err_s);
    free(path);
    return rc;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        if (*s == '\n')
            n++;
    return n;
}

START_TEST(test_version_help)
{
    char *want = xasprintf("mlgate %s (plugin ABI " ABI ")\n",
                           PACKAGE_VERSION);

    ck_assert_int_eq(mlgate(NULL, "--version", NULL, NULL, NULL), 0);
    ck_assert_str_eq(out_s, want);
    ck_assert_int_eq(mlgate(NULL, "--help", NULL, NULL, NULL), 0);
    ck_assert_ptr_nonnull(strstr(out_s, "--dry-run"));
    ck_assert_ptr_nonnull(strstr(out_s, "check-config"));
    free(want);
}
END_TEST

START_TEST(test_exit_0_1_2)
{
    ck_assert_int_eq(mlgate("[check a]\nplugin = good\n"
                            "[check w]\nplugin = status\nstatus = warn\n"
                            "[check s]\nplugin = status\nstatus = skip\n",
                            NULL, NULL, NULL, NULL), 0);
    ck_assert_ptr_nonnull(strstr(out_s, "PASS  a: all good"));
    ck_assert_ptr_nonnull(strstr(out_s, "mlgate: 1 warned, 1 passed, "
                                 "1 skipped in "));
    ck_assert_int_eq(mlgate("[check a]\nplugin = good\n"
                            "[check e]\nplugin = status\nstatus = error\n"
                            "[check f]\nplugin = status\nstatus = fail\n",
                            NULL, NULL, NULL, NULL), 1);
    ck_assert_int_eq(mlgate("[check a]\nplugin = good\n"
                            "[check e]\nplugin = status\nstatus = error\n",
                            NULL, NULL, NULL, NULL), 2);
}
END_TEST

/* Issue 2, "what it must show" 3. */
START_TEST(test_crasher_and_two_passing)
{
    ck_assert_int_eq(mlgate("[check one]\nplugin = good\n"
                            "[check boom]\nplugin = crasher\n"
                            "[check two]\nplugin = good\n",
                            NULL, NULL, NULL, NULL), 2);
    ck_assert_ptr_nonnull(strstr(out_s, "ERROR boom: crashed: SIGSEGV "
                                 "(Segmentation fault)"));
    ck_assert_ptr_nonnull(strstr(out_s, "PASS  one: all good"));
    ck_assert_ptr_nonnull(strstr(out_s, "PASS  two: all good"));
}
END_TEST

START_TEST(test_usage_64)
{
    ck_assert_int_eq(mlgate(NULL, "--bogus", NULL, NULL, NULL), 64);
    ck_assert_ptr_nonnull(strstr(err_s, "unknown option '--bogus'"));
    ck_assert_int_eq(mlgate(NULL, "--format", "yaml", NULL, NULL), 64);
    ck_assert_ptr_nonnull(strstr(err_s, "bad --format 'yaml'"));
    ck_assert_int_eq(mlgate(NULL, "--pr", "twelve", NULL, NULL), 64);
    ck_assert_int_eq(mlgate(NULL, "--pr", "0", NULL, NULL), 64);
    ck_assert_int_eq(mlgate(NULL, "--sha", "xyz", NULL, NULL), 64);
    /* One SHA rule everywhere: a short SHA is refused at once. */
    ck_assert_int_eq(mlgate(NULL, "--sha", "3f9a1c2", NULL, NULL), 64);
    ck_assert_ptr_nonnull(strstr(err_s, "bad --sha '3f9a1c2' (40 hex "
                                 "digits)"));
    ck_assert_int_eq(mlgate(NULL, "--repo", "norepo", NULL, NULL), 64);
    ck_assert_int_eq(mlgate(NULL, "--json", NULL, NULL, NULL), 64);
    ck_assert_ptr_nonnull(strstr(err_s, "option '--json' needs a value"));
    ck_assert_int_eq(mlgate(NULL, "-x", NULL, NULL, NULL), 64);
    ck_assert_ptr_nonnull(strstr(err_s, "unknown option '-x'"));
    ck_assert_int_eq(mlgate(NULL, "frobnicate", NULL, NULL, NULL), 64);
    ck_assert_int_eq(mlgate(NULL, "help", NULL, NULL, NULL), 64);
    ck_assert_int_eq(mlgate("[check a]\nplugin = good\n", "--only",
                            "a,nope", NULL, NULL), 64);
    ck_assert_ptr_nonnull(strstr(err_s, "no check named 'nope'"));
}
END_TEST

/* Issue 2, "what it must show" 5: 78 with file:line and one line,
 * before any plugin runs. */
START_TEST(test_bad_conf_78)
{
    char *marker = xasprintf("%s/marker", dir);
    char *conf = xasprintf("[check c]\nplugin = cleanup\nmarker = %s\n"
                           "seconds = 0\n[run]\ntimeout = soon\n", marker);
    char *want = xasprintf("mlgate: %s/mlgate.conf:6: bad duration 'soon' "
                           "for timeout\n", dir);
    struct stat st;

    ck_assert_int_eq(mlgate(conf, NULL, NULL, NULL, NULL), 78);
    ck_assert_str_eq(err_s, want);
    ck_assert_uint_eq(count_lines(err_s), 1);
    ck_assert_str_eq(out_s, "");
    ck_assert_int_eq(stat(marker, &st), -1);
    free(want);
    free(conf);
    /* An unknown plugin option: also 78 before anything runs. */
    conf = xasprintf("[check c]\nplugin = cleanup\nmarker = %s\n"
                     "seconds = 0\n[check g]\nplugin = good\ncolour = 1\n",
                     marker);
    ck_assert_int_eq(mlgate(conf, NULL, NULL, NULL, NULL), 78);
    ck_assert_ptr_nonnull(strstr(err_s, "mlgate.conf:7: unknown key "
                                 "'colour' in [check g] (plugin good "
                                 "accepts: message, count"));
    ck_assert_uint_eq(count_lines(err_s), 1);
    ck_assert_int_eq(stat(marker, &st), -1);
    free(conf);
    free(marker);
    ck_assert_int_eq(mlgate("[check a]\nplugin = nosuch\n", NULL, NULL,
                            NULL, NULL), 78);
    ck_assert_ptr_nonnull(strstr(err_s, "mlgate.conf:2: plugin 'nosuch' "
                                 "not found"));
    ck_assert_int_eq(mlgate("[check a]\nplugin = abi_major\n", NULL, NULL,
                            NULL, NULL), 78);
    ck_assert_ptr_nonnull(strstr(err_s, "abi_major.so: plugin ABI 2.0 is "
                                 "not compatible with this mlgate (ABI "
                                 ABI "): major version differs"));
    ck_assert_int_eq(mlgate("[check a]\nplugin = good\n", "-c",
                            "/nonexistent/mlgate.conf", NULL, NULL), 78);
}
END_TEST

START_TEST(test_check_config)
{
    char *marker = xasprintf("%s/marker", dir);
    char *conf = xasprintf("[check c]\nplugin = cleanup\nmarker = %s\n"
                           "[check a]\nplugin = good\n"
                           "[check off]\nplugin = good\nenabled = no\n",
                           marker);
    struct stat st;

    ck_assert_int_eq(mlgate(conf, "check-config", NULL, NULL, NULL), 0);
    ck_assert_str_eq(out_s, "conf OK: 3 checks\n");
    /* Validation only: nothing ran. */
    ck_assert_int_eq(stat(marker, &st), -1);
    ck_assert_int_eq(mlgate("[check a]\nplugin = status\n", "check-config",
                            NULL, NULL, NULL), 78);
    ck_assert_ptr_nonnull(strstr(err_s, "mlgate.conf:1: [check a] needs "
                                 "'status'"));
    free(conf);
    free(marker);
}
END_TEST

START_TEST(test_only_and_enabled)
{
    ck_assert_int_eq(mlgate("[check a]\nplugin = good\n"
                            "[check f]\nplugin = status\nstatus = fail\n"
                            "[check off]\nplugin = status\nstatus = error\n"
                            "enabled = no\n",
                            "--only", "a", NULL, NULL), 0);
    ck_assert_ptr_nonnull(strstr(out_s, "PASS  a"));
    ck_assert_ptr_null(strstr(out_s, " f:"));
    ck_assert_int_eq(mlgate("[check a]\nplugin = good\n"
                            "[check off]\nplugin = status\nstatus = error\n"
                            "enabled = no\n",
                            NULL, NULL, NULL, NULL), 0);
    ck_assert_ptr_null(strstr(out_s, "off"));
}
END_TEST

START_TEST(test_formats_and_files)
{
    char *json = xasprintf("%s/out.json", dir);
    char *junit = xasprintf("%s/out.xml", dir);
    const char *conf = "[check a]\nplugin = good\n"
                       "[check f]\nplugin = status\nstatus = fail\n"
                       "summary = worse <than> before\n";
    cJSON *root, *checks;
    char *s;

    ck_assert_int_eq(mlgate(conf, "--json", json, "--junit", junit), 1);
    s = cu_read(json);
    ck_assert_ptr_nonnull(s);
    root = cJSON_Parse(s);
    ck_assert_ptr_nonnull(root);
    checks = cJSON_GetObjectItemCaseSensitive(root, "checks");
    ck_assert_int_eq(cJSON_GetArraySize(checks), 2);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(checks, 1), "summary")->valuestring,
        "worse <than> before");
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(root, "exit_code")
                     ->valueint, 1);
    cJSON_Delete(root);
    free(s);
    s = cu_read(junit);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(strstr(s, "<failure message=\"worse &lt;than&gt; "
                                 "before\""));
    free(s);
    ck_assert_int_eq(mlgate(conf, "--format", "json", NULL, NULL), 1);
    root = cJSON_Parse(out_s);
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(root, "status")
                     ->valuestring, "fail");
    cJSON_Delete(root);
    ck_assert_int_eq(mlgate(conf, "--format", "markdown", NULL, NULL), 1);
    ck_assert_ptr_nonnull(strstr(out_s, "<!-- mlgate:"));
    /* A report file that cannot be written is an error. */
    ck_assert_int_eq(mlgate("[check a]\nplugin = good\n", "--json",
                            "/nonexistent/x.json", NULL, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err_s, "--json: /nonexistent/x.json: No "
                                 "such file or directory"));
    free(json);
    free(junit);
}
END_TEST

START_TEST(test_plugins_and_help)
{
    ck_assert_int_eq(mlgate(NULL, "plugins", NULL, NULL, NULL), 0);
    ck_assert_ptr_nonnull(strstr(out_s, "good 1.0 (ABI " ABI ") "));
    ck_assert_ptr_nonnull(strstr(out_s, "  goal             enum (max|min), "
                                 "default 'max'\n      an enum\n"));
    ck_assert_ptr_nonnull(strstr(out_s, "not loadable: "));
    /* Options may also follow the command. */
    ck_assert_int_eq(mlgate(NULL, "help", "status", "-q", NULL), 0);
    ck_assert_ptr_nonnull(strstr(out_s, "status 1.0 (ABI " ABI ")"));
    ck_assert_ptr_nonnull(strstr(out_s, "  status           enum "
                                 "(pass|warn|fail|error|skip), required\n"));
    ck_assert_int_eq(mlgate(NULL, "help", "nosuch", NULL, NULL), 78);
}
END_TEST

START_TEST(test_sigterm_still_reports)
{
    char *marker = xasprintf("%s/marker", dir);
    /* jobs = 1 and a first: a has finished before c enters run(), so
     * the SIGTERM below can only cancel c, however slow the build. */
    char *conf = xasprintf("[run]\njobs = 1\ngrace = 3s\n"
                           "[check a]\nplugin = good\n"
                           "[check c]\nplugin = cleanup\nmarker = %s\n",
                           marker);
    char *path = cu_write(dir, "mlgate.conf", conf);
    const char *args[] = {"--plugin-dir", pdir, "-c", path, NULL};
    struct timespec ts = {0, 10 * 1000 * 1000};
    struct cu_proc p;
    double end = now_mono() + 10;
    char *s = NULL;
    int rc;

    ck_assert_int_eq(cu_spawn(&p, dir, args, NULL), 0);
    /* Poll (bounded) for the check to be inside run(). */
    while (now_mono() < end) {
        s = cu_read(marker);
        if (s != NULL && strstr(s, "run") != NULL)
            break;
        free(s);
        s = NULL;
        nanosleep(&ts, NULL);
    }
    ck_assert_ptr_nonnull(s);
    free(s);
    kill(p.pid, SIGTERM);
    rc = cu_wait(&p, &out_s, &err_s);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(out_s, "ERROR c: cancelled"));
    ck_assert_ptr_nonnull(strstr(out_s, "PASS  a: all good"));
    s = cu_read(marker);
    ck_assert_ptr_nonnull(strstr(s, "fini\n"));
    free(s);
    free(path);
    free(conf);
    free(marker);
}
END_TEST

START_TEST(test_config_env)
{
    char *path = cu_write(dir, "env.conf", "[check a]\nplugin = good\n"
                          "message = ${MLG_T_MSG:-from default}\n");
    char *cfg = xasprintf("MLGATE_CONFIG=%s", path);
    const char *env[] = {cfg, "MLG_T_MSG=from env", NULL};
    const char *args[] = {"--plugin-dir", pdir, NULL};

    ck_assert_int_eq(cu_mlgate(dir, args, env, &out_s, &err_s), 0);
    ck_assert_ptr_nonnull(strstr(out_s, "PASS  a: from env"));
    free(cfg);
    free(path);
}
END_TEST

/* The example confs shipped in tests/data/conf. */
START_TEST(test_data_confs)
{
    const char *src = getenv("MLG_SRCDIR");
    static const char *const ok[] = {"example", "crash", "parallel", NULL};
    char *path, *want;
    size_t i;

    if (src == NULL)
        src = ".";
    for (i = 0; ok[i] != NULL; i++) {
        path = xasprintf("%s/tests/data/conf/%s.conf", src, ok[i]);
        ck_assert_int_eq(mlgate(NULL, "-c", path, "check-config", NULL), 0);
        ck_assert_str_eq(out_s, "conf OK: 3 checks\n");
        free(path);
    }
    path = xasprintf("%s/tests/data/conf/crash.conf", src);
    ck_assert_int_eq(mlgate(NULL, "-c", path, NULL, NULL), 2);
    ck_assert_ptr_nonnull(strstr(out_s, "ERROR boom: crashed: SIGSEGV"));
    free(path);
    path = xasprintf("%s/tests/data/conf/malformed.conf", src);
    want = xasprintf("mlgate: %s:8: bad duration '10x' for timeout\n",
                     path);
    ck_assert_int_eq(mlgate(NULL, "-c", path, NULL, NULL), 78);
    ck_assert_str_eq(err_s, want);
    free(want);
    free(path);
}
END_TEST

/* Everything readable from fd now (non-blocking).  Caller frees. */
static char *drain(int fd)
{
    struct buf b = {0};
    char chunk[4096];
    ssize_t n;

    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        buf_add(&b, chunk, (size_t)n);
    return buf_take(&b);
}

/* The report's "checks" count, or -1 when text is not the JSON report. */
static int json_checks(const char *text)
{
    cJSON *root = cJSON_Parse(text);
    int n = root ? cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
        root, "checks")) : -1;

    cJSON_Delete(root);
    return n;
}

/* --json at a symlink, a fifo and a device node: the link and the nodes
 * survive (same type, same inode) and the report arrives through them. */
START_TEST(test_json_special_paths)
{
    const char *conf = "[check a]\nplugin = good\n";
    char *real = xasprintf("%s/real.json", dir);
    char *link = xasprintf("%s/link.json", dir);
    char *fifo = xasprintf("%s/fifo.json", dir);
    char *dev = xasprintf("%s/tty.json", dir);
    struct stat st, st2;
    struct termios tio;
    int rfd, master, slave;
    char *s;

    /* A symlink: the file it points to is replaced, the link stays. */
    free(cu_write(dir, "real.json", "old"));
    ck_assert_int_eq(symlink("real.json", link), 0);
    ck_assert_int_eq(mlgate(conf, "--json", link, NULL, NULL), 0);
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    s = cu_read(real);
    ck_assert_int_eq(json_checks(s), 1);
    free(s);

    /* A fifo: written in place, the reader gets the report. */
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(stat(fifo, &st), 0);
    rfd = open(fifo, O_RDONLY | O_NONBLOCK);
    ck_assert_int_ge(rfd, 0);
    ck_assert_int_eq(mlgate(conf, "--json", fifo, NULL, NULL), 0);
    s = drain(rfd);
    ck_assert_msg(json_checks(s) == 1, "fifo got: %s", s);
    free(s);
    close(rfd);
    ck_assert_int_eq(lstat(fifo, &st2), 0);
    ck_assert(S_ISFIFO(st2.st_mode));
    ck_assert_uint_eq(st.st_ino, st2.st_ino);

    /* A character device node made here with mknod (/dev/null's
     * numbers): it stays a device, mlgate succeeds.  Without CAP_MKNOD
     * only the part below runs. */
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    if (mknod(dev, S_IFCHR | 0600, st.st_rdev) == 0) {
        ck_assert_int_eq(mlgate(conf, "--json", dev, NULL, NULL), 0);
        ck_assert_int_eq(lstat(dev, &st2), 0);
        ck_assert(S_ISCHR(st2.st_mode));
        ck_assert_uint_eq(st.st_rdev, st2.st_rdev);
        unlink(dev);
    } else {
        ck_assert_int_eq(errno, EPERM);
    }
    /* Where the data arrives: a pseudo-terminal's slave (a devpts node
     * only works under its own mount, so reached through a symlink made
     * here); what mlgate writes is read on the master. */
    master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    ck_assert_int_eq(stat(ptsname(master), &st), 0);
    slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    ck_assert_int_ge(slave, 0);
    ck_assert_int_eq(tcgetattr(slave, &tio), 0);
    cfmakeraw(&tio);
    ck_assert_int_eq(tcsetattr(slave, TCSANOW, &tio), 0);
    ck_assert_int_eq(symlink(ptsname(master), dev), 0);
    ck_assert_int_eq(mlgate(conf, "--json", dev, NULL, NULL), 0);
    ck_assert_int_eq(fcntl(master, F_SETFL, O_NONBLOCK), 0);
    s = drain(master);
    ck_assert_msg(json_checks(s) == 1, "device got: %s", s);
    free(s);
    ck_assert_int_eq(lstat(dev, &st2), 0);
    ck_assert(S_ISLNK(st2.st_mode));
    ck_assert_int_eq(stat(ptsname(master), &st2), 0);
    ck_assert(S_ISCHR(st2.st_mode));
    ck_assert_uint_eq(st.st_rdev, st2.st_rdev);
    close(slave);
    close(master);
    free(real);
    free(link);
    free(fifo);
    free(dev);
}
END_TEST

/* Runs mlgate -c conf on an issue_comment event file; env for it. */
static int mlgate_comment(const char *conf, const char *event_path)
{
    char *cpath = cu_write(dir, "mlgate.conf", conf);
    char *e1 = xasprintf("GITHUB_EVENT_PATH=%s", event_path);
    const char *args[] = { "--plugin-dir", pdir, "-c", cpath, NULL };
    const char *env[] = { "GITHUB_EVENT_NAME=issue_comment", e1, NULL };
    int rc;

    free(out_s);
    free(err_s);
    rc = cu_mlgate(dir, args, env, &out_s, &err_s);
    free(cpath);
    free(e1);
    return rc;
}

/* A comment on a plain issue, and with [run] trigger a comment without
 * it: one line, exit 0, no check run, no report. */
START_TEST(test_comment_nothing_to_do)
{
    char *ev = cu_write(dir, "event.json", "{\"action\":\"created\","
                        "\"issue\":{\"number\":3},\"comment\":{\"body\":"
                        "\"/mlgate\"},\"repository\":{\"full_name\":"
                        "\"acme/ml-repo\"}}");
    char *pr = cu_write(dir, "pr.json", "{\"action\":\"created\","
                        "\"issue\":{\"number\":12,\"pull_request\":{}},"
                        "\"comment\":{\"body\":\"looks good\"},"
                        "\"repository\":{\"full_name\":\"acme/ml-repo\"}}");

    ck_assert_int_eq(mlgate_comment("[check a]\nplugin = good\n", ev), 0);
    ck_assert_str_eq(err_s, "mlgate: issue_comment: #3 is an issue, not a "
                     "pull request: no PR to check\n");
    ck_assert_str_eq(out_s, "");
    ck_assert_int_eq(mlgate_comment("[run]\ntrigger = /mlgate\n[check a]\n"
                                    "plugin = good\n", pr), 0);
    ck_assert_str_eq(err_s, "mlgate: issue_comment: the comment does not "
                     "start with /mlgate (trigger): nothing to do\n");
    ck_assert_str_eq(out_s, "");
    free(ev);
    free(pr);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *core = tcase_create("core");
    TCase *errors = tcase_create("errors");

    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_checked_fixture(errors, setup, teardown);
    tcase_set_timeout(core, 20);
    tcase_set_timeout(errors, 20);
    tcase_add_test(core, test_version_help);
    tcase_add_test(core, test_comment_nothing_to_do);
    tcase_add_test(core, test_exit_0_1_2);
    tcase_add_test(core, test_crasher_and_two_passing);
    tcase_add_test(core, test_check_config);
    tcase_add_test(core, test_only_and_enabled);
    tcase_add_test(core, test_formats_and_files);
    tcase_add_test(core, test_json_special_paths);
    tcase_add_test(core, test_plugins_and_help);
    tcase_add_test(core, test_sigterm_still_reports);
    tcase_add_test(core, test_config_env);
    tcase_add_test(core, test_data_confs);
    tcase_add_test(errors, test_usage_64);
    tcase_add_test(errors, test_bad_conf_78);
    suite_add_tcase(s, core);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cli_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
