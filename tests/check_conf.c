/*
 * check_conf.c - tests of the conf reader: syntax, comments and quotes,
 * ${VAR} expansion, value parsers, and every error with its line.
 */
#include <config.h>

#include "conf.h"
#include "core_util.h"
#include "mlgate/plugin.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct conf c;
static char err[1024];

static void setup(void)
{
    memset(&c, 0, sizeof(c));
    err[0] = '\0';
}

static void teardown(void)
{
    conf_free(&c);
}

static int parse(const char *text)
{
    conf_free(&c);
    err[0] = '\0';
    return conf_parse_string("t.conf", text, &c, err, sizeof(err));
}

/* The parse fails with exactly this message. */
#define ck_conf_error(text, msg)                                           \
    do {                                                                   \
        ck_assert_int_eq(parse(text), -1);                                 \
        ck_assert_str_eq(err, msg);                                        \
    } while (0)

START_TEST(test_design_example)
{
    const struct conf_section *s;

    ck_assert_int_eq(parse(
        "[clearml]\n"
        "project   = Github CICD Video\n"
        "task-name = cicd_test\n"
        "\n"
        "[report]\n"
        "comment = update        # update (one sticky comment) | new | off\n"
        "status  = on            ; one commit status per check\n"
        "\n"
        "[check stats]\n"
        "plugin = stats-comment\n"
        "tag    = main_branch\n"
        "\n"
        "[check compare]\n"
        "plugin        = compare\n"
        "metric        = Performance Metric / Series 1\n"), 0);
    ck_assert_uint_eq(c.nsec, 4);
    s = conf_find(&c, "clearml");
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->line, 1);
    ck_assert_str_eq(conf_get(s, "project"), "Github CICD Video");
    ck_assert_str_eq(conf_get(s, "task-name"), "cicd_test");
    ck_assert_int_eq(conf_get_kv(s, "task-name")->line, 3);
    s = conf_find(&c, "report");
    ck_assert_str_eq(conf_get(s, "comment"), "update");
    ck_assert_str_eq(conf_get(s, "status"), "on");
    ck_assert_str_eq(c.sec[2].kind, "check");
    ck_assert_str_eq(c.sec[2].name, "stats");
    ck_assert_int_eq(c.sec[2].line, 9);
    ck_assert_str_eq(conf_get(&c.sec[3], "metric"),
                     "Performance Metric / Series 1");
    ck_assert_ptr_null(conf_get(&c.sec[3], "nope"));
    ck_assert_ptr_null(conf_find(&c, "run"));
}
END_TEST

START_TEST(test_comments_and_quotes)
{
    const struct conf_section *s;

    ck_assert_int_eq(parse(
        "# a comment\n"
        "  ; another\n"
        "[check a]\n"
        "plugin = p\n"
        "url = https://example.com/x#frag\n"
        "semi = a;b\n"
        "quoted = \"  keep # this  \"\n"
        "esc = \"say \\\"hi\\\"\"  # comment\n"
        "empty =\n"), 0);
    s = &c.sec[0];
    ck_assert_str_eq(conf_get(s, "url"), "https://example.com/x#frag");
    ck_assert_str_eq(conf_get(s, "semi"), "a;b");
    ck_assert_str_eq(conf_get(s, "quoted"), "  keep # this  ");
    ck_assert_str_eq(conf_get(s, "esc"), "say \"hi\"");
    ck_assert_str_eq(conf_get(s, "empty"), "");
}
END_TEST

START_TEST(test_env_expansion)
{
    const struct conf_section *s;

    setenv("MLG_T_SET", "value", 1);
    setenv("MLG_T_EMPTY", "", 1);
    unsetenv("MLG_T_UNSET");
    ck_assert_int_eq(parse(
        "[check a]\n"
        "plugin = p\n"
        "a = ${MLG_T_SET}\n"
        "b = x-${MLG_T_SET}-y\n"
        "c = ${MLG_T_UNSET:-fallback value}\n"
        "d = ${MLG_T_EMPTY:-used}\n"
        "e = ${MLG_T_EMPTY}\n"
        "f = cost $$5 and $HOME stays\n"
        "g = \"${MLG_T_SET} \"\n"), 0);
    s = &c.sec[0];
    ck_assert_str_eq(conf_get(s, "a"), "value");
    ck_assert_str_eq(conf_get(s, "b"), "x-value-y");
    ck_assert_str_eq(conf_get(s, "c"), "fallback value");
    ck_assert_str_eq(conf_get(s, "d"), "used");
    ck_assert_str_eq(conf_get(s, "e"), "");
    ck_assert_str_eq(conf_get(s, "f"), "cost $5 and $HOME stays");
    ck_assert_str_eq(conf_get(s, "g"), "value ");
}
END_TEST

START_TEST(test_durations)
{
    double d;

    ck_assert_int_eq(conf_parse_duration("90", &d), 0);
    ck_assert_double_eq(d, 90);
    ck_assert_int_eq(conf_parse_duration("90s", &d), 0);
    ck_assert_double_eq(d, 90);
    ck_assert_int_eq(conf_parse_duration("10m", &d), 0);
    ck_assert_double_eq(d, 600);
    ck_assert_int_eq(conf_parse_duration("2h", &d), 0);
    ck_assert_double_eq(d, 7200);
    ck_assert_int_eq(conf_parse_duration("1h30m", &d), 0);
    ck_assert_double_eq(d, 5400);
    ck_assert_int_eq(conf_parse_duration("1.5s", &d), 0);
    ck_assert_double_eq_tol(d, 1.5, 1e-9);
    ck_assert_int_eq(conf_parse_duration("0", &d), 0);
    ck_assert_double_eq(d, 0);
    ck_assert_int_eq(conf_parse_duration("10x", &d), -1);
    ck_assert_int_eq(conf_parse_duration("", &d), -1);
    ck_assert_int_eq(conf_parse_duration("m", &d), -1);
    ck_assert_int_eq(conf_parse_duration("1h30", &d), -1);
    ck_assert_int_eq(conf_parse_duration("-1s", &d), -1);
    ck_assert_int_eq(conf_parse_duration(" 5s", &d), -1);
    ck_assert_int_eq(conf_parse_duration("5s ", &d), -1);
}
END_TEST

START_TEST(test_value_parsers)
{
    long long ll;
    double d;
    int b;

    ck_assert_int_eq(conf_parse_bool("yes", &b), 0);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(conf_parse_bool("Off", &b), 0);
    ck_assert_int_eq(b, 0);
    ck_assert_int_eq(conf_parse_bool("true", &b), 0);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(conf_parse_bool("0", &b), 0);
    ck_assert_int_eq(b, 0);
    ck_assert_int_eq(conf_parse_bool("maybe", &b), -1);
    ck_assert_int_eq(conf_parse_int("-42", &ll), 0);
    ck_assert_int_eq(ll, -42);
    ck_assert_int_eq(conf_parse_int("4x", &ll), -1);
    ck_assert_int_eq(conf_parse_int("", &ll), -1);
    ck_assert_int_eq(conf_parse_int("99999999999999999999", &ll), -1);
    ck_assert_int_eq(conf_parse_number("0.25", &d), 0);
    ck_assert_double_eq_tol(d, 0.25, 1e-12);
    ck_assert_int_eq(conf_parse_number("1e3", &d), 0);
    ck_assert_double_eq(d, 1000);
    ck_assert_int_eq(conf_parse_number("nan", &d), -1);
    ck_assert_int_eq(conf_parse_number("1.0.0", &d), -1);
}
END_TEST

START_TEST(test_runner_sections)
{
    ck_assert_int_eq(parse(
        "[github]\napi-url = https://ghe.example/api/v3\nverify = no\n"
        "[gitlab]\napi-url = https://gl/api/v4\n"
        "[clearml]\nverify = /dev/null\n"
        "[run]\njobs = 2\ntimeout = 1h30m\ngrace = 5s\n"
        "[report]\nid = ci\ncomment = new\nstatus = off\n"), 0);
    ck_assert_str_eq(conf_get(conf_find(&c, "run"), "timeout"), "1h30m");
    ck_assert_str_eq(conf_get(conf_find(&c, "report"), "comment"), "new");
    /* verify takes a CA bundle path as well as a boolean. */
    ck_assert_str_eq(conf_get(conf_find(&c, "clearml"), "verify"),
                     "/dev/null");
}
END_TEST

static const struct mlg_option opts[] = {
    {"metric", MLG_OPT_STRING, NULL, "Title / Series", MLG_OPT_REQUIRED,
     NULL},
    {"goal", MLG_OPT_ENUM, "max", "max or min", 0, "max|min"},
    {"count", MLG_OPT_INT, "1", "a count", 0, NULL},
    {"tolerance", MLG_OPT_NUMBER, NULL, "a number", 0, NULL},
    {"keep", MLG_OPT_BOOL, "no", "a bool", 0, NULL},
    {"queue-timeout", MLG_OPT_DURATION, "1m", "a duration", 0, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

static int validate(const char *text)
{
    if (parse(text) != 0)
        return -2;
    return conf_validate_check(&c, &c.sec[0], "compare", opts, err,
                               sizeof(err));
}

START_TEST(test_validate_ok)
{
    ck_assert_int_eq(validate(
        "[check cmp]\nplugin = compare\nmetric = A / B\ngoal = min\n"
        "count = 3\ntolerance = 2.5\nkeep = yes\nqueue-timeout = 90s\n"
        "timeout = 10m\nenabled = no\n"), 0);
}
END_TEST

/* Every check-section error names the file and line of the key. */
START_TEST(test_validate_errors)
{
    ck_assert_int_eq(validate("[check cmp]\nplugin = compare\n"
                              "metric = m\nbogus = 1\n"), -1);
    ck_assert_str_eq(err, "t.conf:4: unknown key 'bogus' in [check cmp] "
                     "(plugin compare accepts: metric, goal, count, "
                     "tolerance, keep, queue-timeout, plugin, timeout, "
                     "enabled)");
    ck_assert_int_eq(validate("[check cmp]\nplugin = compare\n"
                              "metric = m\ngoal = up\n"), -1);
    ck_assert_str_eq(err, "t.conf:4: bad value 'up' for goal (one of "
                     "max|min)");
    ck_assert_int_eq(validate("[check cmp]\nplugin = compare\n"
                              "metric = m\ncount = 1.5\n"), -1);
    ck_assert_str_eq(err, "t.conf:4: bad integer '1.5' for count");
    ck_assert_int_eq(validate("[check cmp]\nplugin = compare\n"
                              "metric = m\ntolerance = lots\n"), -1);
    ck_assert_str_eq(err, "t.conf:4: bad number 'lots' for tolerance");
    ck_assert_int_eq(validate("[check cmp]\nplugin = compare\n"
                              "metric = m\nkeep = perhaps\n"), -1);
    ck_assert_str_eq(err, "t.conf:4: bad boolean 'perhaps' for keep "
                     "(yes/no, true/false, on/off, 1/0)");
    ck_assert_int_eq(validate("[check cmp]\nplugin = compare\n"
                              "metric = m\nqueue-timeout = 10x\n"), -1);
    ck_assert_str_eq(err, "t.conf:4: bad duration '10x' for queue-timeout");
    ck_assert_int_eq(validate("[check cmp]\nplugin = compare\n"
                              "metric = m\ntimeout = 10x\n"), -1);
    ck_assert_str_eq(err, "t.conf:4: bad duration '10x' for timeout");
    /* Durations cannot overflow: at most a year, decimal only. */
    ck_assert_int_eq(validate("[check cmp]\nplugin = compare\n"
                              "metric = m\ntimeout = 9999999999999999999h\n"),
                     -1);
    ck_assert_str_eq(err, "t.conf:4: bad duration '9999999999999999999h' "
                     "for timeout");
    ck_assert_int_eq(validate("[check cmp]\nplugin = compare\n"
                              "metric = m\ntimeout = 0x10s\n"), -1);
    ck_assert_int_eq(validate("[check cmp]\nplugin = compare\n"
                              "metric = m\nenabled = kinda\n"), -1);
    ck_assert_str_eq(err, "t.conf:4: bad boolean 'kinda' for enabled");
    ck_assert_int_eq(validate("\n[check cmp]\nplugin = compare\n"), -1);
    ck_assert_str_eq(err, "t.conf:2: [check cmp] needs 'metric' (plugin "
                     "compare: Title / Series)");
}
END_TEST

/* Runner-section and syntax errors, each with its line. */
START_TEST(test_parse_errors)
{
    unsetenv("MLG_T_UNSET");
    ck_conf_error("[run]\njobs = 2\nnonsense\n",
                  "t.conf:3: expected 'key = value' or '[section]'");
    ck_conf_error("\n[run\n", "t.conf:2: missing ']' in section header");
    /* Task.name has min_length 3 after stripping (clearml-server). */
    ck_conf_error("[clearml]\ntask-name = ab\n",
                  "t.conf:2: task-name 'ab' is shorter than 3 characters "
                  "(ClearML refuses it)");
    ck_conf_error("[run] x\n", "t.conf:1: text after the section header");
    ck_conf_error("[report]\n[foo]\n",
                  "t.conf:2: unknown section [foo] (sections: clearml, "
                  "github, gitlab, report, run, check NAME)");
    ck_conf_error("[report]\ncolour = red\n",
                  "t.conf:2: unknown key 'colour' in [report] (accepts: "
                  "id, comment, status, author)");
    ck_conf_error("[run]\njobs = x\n",
                  "t.conf:2: bad number 'x' for jobs (an integer from 1)");
    ck_conf_error("[run]\njobs = 0\n",
                  "t.conf:2: bad number '0' for jobs (an integer from 1)");
    ck_conf_error("[run]\n\n\ntimeout = 10x\n",
                  "t.conf:4: bad duration '10x' for timeout");
    ck_conf_error("[clearml]\nverify = maybe\n",
                  "t.conf:2: bad value 'maybe' for verify (yes/no, or a "
                  "readable CA bundle path)");
    ck_conf_error("[github]\nverify = /nonexistent/ca.pem\n",
                  "t.conf:2: bad value '/nonexistent/ca.pem' for verify "
                  "(yes/no, or a readable CA bundle path)");
    ck_conf_error("[report]\ncomment = always\n",
                  "t.conf:2: bad value 'always' for comment (one of "
                  "update|new|off)");
    ck_conf_error("[check a]\nplugin = p\n[check b]\ngoal = max\n",
                  "t.conf:3: [check b] has no 'plugin =' key");
    ck_conf_error("[check a]\nplugin =\n",
                  "t.conf:2: empty 'plugin =' in [check a]");
    ck_conf_error("[check a]\nplugin = p\n\n[check a]\nplugin = q\n",
                  "t.conf:4: duplicate check name 'a' (first at line 1)");
    ck_conf_error("[run]\n[run]\n",
                  "t.conf:2: duplicate section [run] (first at line 1)");
    ck_conf_error("[run]\njobs = 1\njobs = 2\n",
                  "t.conf:3: duplicate key 'jobs' (first at line 2)");
    ck_conf_error("jobs = 1\n", "t.conf:1: key 'jobs' outside a section");
    ck_conf_error("[check]\n", "t.conf:1: [check] needs a name: "
                  "[check NAME]");
    ck_conf_error("[check a b]\n", "t.conf:1: bad check name 'a b' "
                  "(letters, digits, '-', '_', '.')");
    ck_conf_error("[check a]\nplugin = p\nx = ${MLG_T_UNSET}\n",
                  "t.conf:3: environment variable 'MLG_T_UNSET' is not set "
                  "(use ${MLG_T_UNSET:-default} for a default)");
    ck_conf_error("[check a]\nplugin = ${MLG_T_UNSET\n",
                  "t.conf:2: unterminated '${' in value");
    ck_conf_error("[check a]\nplugin = ${1X}\n",
                  "t.conf:2: bad variable name '1X' in '${...}'");
    ck_conf_error("[check a]\nplugin = \"abc\n",
                  "t.conf:2: unterminated quoted value");
    ck_conf_error("[check a]\nplugin = \"abc\" d\n",
                  "t.conf:2: text after the closing quote");
    ck_conf_error("[check a]\nb@d = 1\n", "t.conf:2: bad key name 'b@d'");
}
END_TEST

START_TEST(test_file_errors)
{
    char *dir = cu_tmpdir();
    char *path, *missing, *want;
    FILE *f;

    ck_assert_ptr_nonnull(dir);
    missing = cu_write(dir, "x", "");
    unlink(missing);
    ck_assert_int_eq(conf_parse(missing, &c, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "No such file"));
    ck_assert_ptr_nonnull(strstr(err, missing));
    conf_free(&c);
    path = cu_write(dir, "bad.conf", "[run]\n\njobs = none\n");
    ck_assert_int_eq(conf_parse(path, &c, err, sizeof(err)), -1);
    want = malloc(strlen(path) + 64);
    ck_assert_ptr_nonnull(want);
    snprintf(want, strlen(path) + 64, "%s:3: bad number 'none' for jobs "
             "(an integer from 1)", path);
    ck_assert_str_eq(err, want);
    conf_free(&c);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite("[run]\0\n", 1, 7, f);
    fclose(f);
    ck_assert_int_eq(conf_parse(path, &c, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "not a text file"));
    free(want);
    free(path);
    free(missing);
    cu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_limits)
{
    size_t n = 100000, i;
    char *big;

    /* CRLF, a BOM, an empty file, a very long value. */
    ck_assert_int_eq(parse("\xEF\xBB\xBF[run]\r\njobs = 3\r\n"), 0);
    ck_assert_str_eq(conf_get(conf_find(&c, "run"), "jobs"), "3");
    ck_assert_int_eq(parse(""), 0);
    ck_assert_uint_eq(c.nsec, 0);
    big = malloc(n + 64);
    ck_assert_ptr_nonnull(big);
    strcpy(big, "[check a]\nplugin = ");
    i = strlen(big);
    memset(big + i, 'v', n);
    big[i + n] = '\0';
    ck_assert_int_eq(parse(big), 0);
    ck_assert_uint_eq(strlen(conf_get(&c.sec[0], "plugin")), n);
    free(big);
}
END_TEST

static Suite *conf_suite(void)
{
    Suite *s = suite_create("conf");
    TCase *core = tcase_create("core");
    TCase *limits = tcase_create("limits");
    TCase *errors = tcase_create("errors");

    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_checked_fixture(limits, setup, teardown);
    tcase_add_checked_fixture(errors, setup, teardown);
    tcase_add_test(core, test_design_example);
    tcase_add_test(core, test_comments_and_quotes);
    tcase_add_test(core, test_env_expansion);
    tcase_add_test(core, test_durations);
    tcase_add_test(core, test_value_parsers);
    tcase_add_test(core, test_runner_sections);
    tcase_add_test(core, test_validate_ok);
    tcase_add_test(limits, test_limits);
    tcase_add_test(errors, test_parse_errors);
    tcase_add_test(errors, test_validate_errors);
    tcase_add_test(errors, test_file_errors);
    suite_add_tcase(s, core);
    suite_add_tcase(s, limits);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(conf_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
