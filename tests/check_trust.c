/*
 * check_trust.c - issue 12 end to end: text from a hostile server, a
 * fork's PR, a comment or a file never injects a workflow command,
 * hijacks the sticky comment or poisons the baseline.  Runs the real
 * mlgate binary as a GitHub Actions step against the sandbox and looks at
 * every channel: stdout, stderr, --json, --junit, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY, the PR comment, the commit statuses and /__state.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "checks_common.h"

#define TR_MARKER "<!-- mlgate:mlgate -->"
#define TR_ZWJ "\xe2\x80\x8d"
#define TR_JWT_HEAD "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

/* A file of the run's directory, or NULL.  Caller frees. */
static char *tr_read(const struct crun *r, const char *name)
{
    char path[4200];
    FILE *f;
    char *p = NULL;
    size_t cap = 0, n = 0, got;

    snprintf(path, sizeof path, "%s/%s", r->dir, name);
    f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    do {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 65536;
            p = realloc(p, cap + 1);
            ck_assert_ptr_nonnull(p);
        }
        got = fread(p + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    p[n] = '\0';
    return p;
}

/* Whether a line of stdout that starts with "::" is a command mlgate
 * issues itself: a mask of a known secret or token, or an annotation
 * titled "mlgate NAME". */
static int tr_own_command(const char *line, size_t n)
{
    static const char *const masks[] = {
        "SBXACCESSKEY00000001", "sbx-secret-0123456789abcdefghijklmnopqrstuv",
        "ghs_sbxWriteToken0123456789abcdef",
        "ghp_sbxUserToken0123456789abcdefgh",
        "glpat-sbxGitlabToken0123456789",
        /* base64 of ACCESS:SECRET, the Basic credentials of auth.login */
        "U0JYQUNDRVNTS0VZMDAwMDAwMDE6c2J4LXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm"
        "Z2hpamtsbW5vcHFyc3R1dg==", NULL
    };
    static const char *const annots[] = {
        "::error title=mlgate ", "::warning title=mlgate ",
        "::notice title=mlgate ", "::warning::mlgate could not ", NULL
    };
    int i;

    if (n > 12 && strncmp(line, "::add-mask::", 12) == 0) {
        for (i = 0; masks[i] != NULL; i++)
            if (n - 12 == strlen(masks[i]) &&
                strncmp(line + 12, masks[i], n - 12) == 0)
                return 1;
        return strncmp(line + 12, TR_JWT_HEAD, strlen(TR_JWT_HEAD)) == 0;
    }
    for (i = 0; annots[i] != NULL; i++)
        if (strncmp(line, annots[i], strlen(annots[i])) == 0)
            return 1;
    return 0;
}

/* Every line of text that starts with "::" is one of mlgate's own
 * commands (own != 0) or there is none at all (own == 0).  Lines inside
 * Markdown code fences are skipped when fences != 0 (code, not log). */
static void tr_no_injection(const char *what, const char *text, int own,
                            int fences)
{
    const char *p = text;
    int in_fence = 0;

    ck_assert_msg(text != NULL, "%s: missing", what);
    while (*p != '\0') {
        size_t n = strcspn(p, "\n"), ws = strspn(p, " \t");

        /* The runner trims a line before it looks for "::". */
        if (ws < n && !in_fence && p[ws] == ':' && p[ws + 1] == ':')
            ck_assert_msg(own && ws == 0 && tr_own_command(p, n),
                          "%s: injected line: %.*s", what, (int)n, p);
        if (fences && (strncmp(p, "```", 3) == 0 ||
                       strncmp(p, "~~~", 3) == 0))
            in_fence = !in_fence;
        /* No other control character either: a CR or a C1 NEL ends a
         * line for some readers, ESC drives terminals (TAB is JSON's
         * indentation). */
        {
            const unsigned char *u = (const unsigned char *)p;
            size_t k;

            for (k = 0; k < n; k++)
                ck_assert_msg((u[k] >= 0x20 || u[k] == '\t') &&
                              u[k] != 0x7f &&
                              !(u[k] == 0xc2 && k + 1 < n &&
                                u[k + 1] >= 0x80 && u[k + 1] <= 0x9f),
                              "%s: control character 0x%02x in: %.*s",
                              what, u[k], (int)n, p);
        }
        p += n;
        if (*p == '\n')
            p++;
    }
}

/* No @mention survives in Markdown: "@acme/ml-team" only with U+200D. */
static void tr_no_mention(const char *what, const char *md)
{
    ck_assert_msg(md != NULL, "%s: missing", what);
    ck_assert_msg(strstr(md, "@acme/ml-team") == NULL, "%s: live mention",
                  what);
    ck_assert_msg(strstr(md, "@" TR_ZWJ "acme") != NULL,
                  "%s: the neutralised mention is missing", what);
}

/* The PR 12 comments of /__state (borrowed from st). */
static const cJSON *tr_comments(const cJSON *st)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(st, "github"), "comments"),
        "acme/ml-repo#12");
}

static const char *tr_str(const cJSON *o, const char *k)
{
    const char *v = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(o, k));

    return v != NULL ? v : "";
}

static const char *tr_login(const cJSON *comment)
{
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(comment, "user");

    return cJSON_IsString(u) ? u->valuestring : tr_str(u, "login");
}

/* Tasks mlgate created: ids not in the scenario, status and archived. */
static int tr_created(const cJSON *st, const char *status, int archived)
{
    const cJSON *t;
    int n = 0;

    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(st, "tasks")) {
        const char *name = tr_str(t, "name");

        if (strcmp(name, "cicd_test") == 0 || strstr(name, "pwned") ||
            strcmp(name, "other_task") == 0)
            continue;
        if (strcmp(tr_str(t, "status"), status) == 0 &&
            ck_has(t, "system_tags", "archived") == archived)
            n++;
    }
    return n;
}

#define TR_HOSTILE_CONF \
    "[clearml]\nproject = Github CICD Video\n\n" \
    "[report]\ncomment = update\nstatus = on\n\n" \
    "[check stats]\nplugin = stats-comment\ntag = main_branch\n\n" \
    "[check compare]\nplugin = compare\n" \
    "metric = Performance Metric / Series 1\n\n" \
    "[check remote]\nplugin = remote-run\nqueue = default\n" \
    "script = task.py\niterations = 1\npoll = 0.2s\n\n" \
    "[check remote2]\nplugin = remote-run\nqueue = default\n" \
    "script = task.py\niterations = 5\npoll = 0.2s\n"

/* What it must show (1): a hostile server's task id, name, metric name,
 * status message and log lines inject nothing into any channel, and the
 * remote task is still stopped and archived. */
START_TEST(test_hostile_server)
{
    static const char *const hostile_id =
        "a1b2c3d4e5f60718293a4b5c6d7e8f90\n::error::pwned-id";
    static const char *const vv[] = { "-vv", NULL };
    struct sbx s;
    struct crun r;
    cJSON *st;
    const cJSON *c, *list, *t;
    char *text;
    int marked = 0;

    ck_sbx_start(&s, "trust-hostile.json");
    crun_prepare(&r, TR_HOSTILE_CONF);
    r.actions = 1;
    /* The most verbose level: every log line a server's text can reach. */
    crun_spawn(&r, &s, vv);
    crun_wait(&r);
    ck_assert_msg(r.exit_code == 1, "exit %d: stats %s, compare %s, remote "
                  "%s: %s, remote2 %s", r.exit_code,
                  crun_get(&r, "stats", "status"),
                  crun_get(&r, "compare", "status"),
                  crun_get(&r, "remote", "status"),
                  crun_get(&r, "remote", "summary"),
                  crun_get(&r, "remote2", "status"));
    ck_assert_str_eq(crun_get(&r, "remote", "status"), "pass");
    ck_assert_str_eq(crun_get(&r, "remote2", "status"), "fail");
    ck_assert_msg(strstr(crun_get(&r, "remote2", "summary"),
                         "pwned-status") != NULL, "%s",
                  crun_get(&r, "remote2", "summary"));
    /* The task id is not a ClearML id: found and reported, but never
     * sent back in a request (no tag). */
    ck_assert_str_eq(crun_get(&r, "stats", "status"), "warn");
    ck_assert_msg(strstr(crun_get(&r, "stats", "summary"),
                         "is not a ClearML id") != NULL, "%s",
                  crun_get(&r, "stats", "summary"));

    text = tr_read(&r, "out");
    tr_no_injection("stdout", text, 1, 0);
    ck_assert_ptr_nonnull(strstr(text, "pwned-status"));
    free(text);
    text = tr_read(&r, "err");
    tr_no_injection("stderr", text, 0, 0);
    free(text);
    text = tr_read(&r, "out.json");
    tr_no_injection("--json", text, 0, 0);
    free(text);
    text = tr_read(&r, "out.xml");
    tr_no_injection("--junit", text, 0, 0);
    ck_assert_ptr_nonnull(strstr(text, "pwned-status"));
    free(text);
    text = tr_read(&r, "github_output");
    tr_no_injection("GITHUB_OUTPUT", text, 0, 0);
    ck_assert_msg(strstr(text, "\nstats-task-id=a1b2c3d4e5f60718293a4b5c6d7e8f90"
                         " ::error::pwned-id\n") != NULL, "%s", text);
    free(text);
    text = tr_read(&r, "step_summary");
    tr_no_injection("GITHUB_STEP_SUMMARY", text, 0, 1);
    tr_no_mention("GITHUB_STEP_SUMMARY", text);
    free(text);

    st = sbx_state(&s);
    ck_assert_ptr_nonnull(st);
    list = tr_comments(st);
    cJSON_ArrayForEach(c, list) {
        const char *body = tr_str(c, "body");

        if (strstr(body, TR_MARKER) == NULL)
            continue;
        marked++;
        tr_no_injection("comment", body, 0, 1);
        tr_no_mention("comment", body);
    }
    ck_assert_int_eq(marked, 1);
    cJSON_ArrayForEach(list, cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(st, "github"), "statuses"))
        cJSON_ArrayForEach(c, list) {
            const unsigned char *d =
                (const unsigned char *)tr_str(c, "description");

            for (; *d; d++)
                ck_assert_msg(*d >= 0x20 && *d != 0x7f, "status %s: "
                              "control character", tr_str(c, "context"));
        }
    /* The remote task reached iteration 1 and was stopped and archived;
     * remote2's failed (hostile status) and was archived. */
    ck_assert_int_eq(tr_created(st, "stopped", 1), 1);
    ck_assert_int_eq(tr_created(st, "failed", 1), 1);
    t = ck_task(st, hostile_id);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(ck_count(t, "tags"), 0);
    cJSON_Delete(st);
    crun_free(&r);

    /* A hostile error message (line break, workflow command, C1 NEL,
     * terminal escape) that a check logs: one folded line on stderr. */
    ck_assert_int_eq(sbx_post(&s, "/__fault", "{\"match\": {\"service\": "
                              "\"github\", \"method\": \"GET\", \"path\": "
                              "\"/pulls/12$\"}, \"count\": 0, \"status\": 404, "
                              "\"body\": {\"message\": \"gone\\n::error::"
                              "pwned-msg\\u0085::warning::pwned-nel\\u001b]0;x"
                              "\\u0007 @acme/ml-team\"}}"), 200);
    crun_prepare(&r, "[clearml]\nproject = Github CICD Video\n\n"
                 "[report]\ncomment = off\nstatus = off\n\n"
                 "[check remote3]\nplugin = remote-run\nqueue = default\n"
                 "script = task.py\n");
    r.actions = 1;
    crun_spawn(&r, &s, vv);
    crun_wait(&r);
    ck_assert_int_eq(r.exit_code, 2);
    text = tr_read(&r, "err");
    tr_no_injection("stderr", text, 0, 0);
    ck_assert_msg(strstr(text, "mlgate: remote3: could not read PR #12: "
                         "github: GET /repos/acme/ml-repo/pulls/12: 404 gone "
                         "::error::pwned-msg ") != NULL, "%s", text);
    free(text);
    text = tr_read(&r, "out");
    tr_no_injection("stdout", text, 1, 0);
    free(text);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

#define TR_COMMENT_CONF \
    "[clearml]\nproject = Github CICD Video\ntask-name = cicd_test\n\n" \
    "[report]\ncomment = update\nstatus = off\n\n" \
    "[check stats]\nplugin = stats-comment\ntag =\n"

/* The comments carrying the marker: by login, and mallory's body. */
static void tr_marked(const cJSON *st, int *mallory, int *bot,
                      const char **mallory_body)
{
    const cJSON *c;

    *mallory = *bot = 0;
    cJSON_ArrayForEach(c, tr_comments(st)) {
        if (strstr(tr_str(c, "body"), TR_MARKER) == NULL)
            continue;
        if (strcmp(tr_login(c), "mallory") == 0) {
            (*mallory)++;
            *mallory_body = tr_str(c, "body");
        } else if (strcmp(tr_login(c), "github-actions[bot]") == 0) {
            (*bot)++;
        }
    }
}

/* What it must show (2): another user's marker comment is untouched
 * after two runs, exactly one mlgate-authored comment carries the
 * report, and -v says once per run that the other one was ignored. */
START_TEST(test_foreign_marker)
{
    static const char *const verbose[] = { "-v", NULL };
    struct sbx s;
    struct crun r;
    cJSON *st;
    const char *body = NULL;
    char *err;
    int run, mallory, bot;

    ck_sbx_start(&s, "trust-foreign-marker.json");
    for (run = 0; run < 2; run++) {
        crun_expect(&r, &s, TR_COMMENT_CONF, verbose, 0);
        err = crun_stderr(&r);
        ck_assert_msg(strstr(err, "ignored 1 comment carrying the mlgate "
                             "marker but not written by github-actions[bot] "
                             "(first: 1001 by mallory)") != NULL, "%s", err);
        ck_assert_ptr_null(strstr(strstr(err, "ignored 1 comment") + 1,
                                  "ignored 1 comment"));
        free(err);
        crun_free(&r);
    }
    st = sbx_state(&s);
    ck_assert_ptr_nonnull(st);
    tr_marked(st, &mallory, &bot, &body);
    ck_assert_int_eq(mallory, 1);
    ck_assert_str_eq(body, TR_MARKER "\nAll checks passed, merge away!");
    ck_assert_int_eq(bot, 1);
    /* One create, then the update (or nothing when unchanged); never a
     * write to mallory's comment; /user once per run. */
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);
    ck_assert_int_eq(sbx_count(&s, "PATCH", "/issues/comments/1001"), 0);
    ck_assert_int_eq(sbx_count(&s, "GET", "/github/user"), 2);
    cJSON_Delete(st);
    sbx_stop(&s);
}
END_TEST

/* A user token: GET /user names the author (mlgate-bot), whose marked
 * comment is updated; mallory's stays.  [report] author overrides the
 * lookup (no GET /user at all). */
START_TEST(test_user_token_and_author)
{
    struct sbx s;
    struct crun r;
    cJSON *st;
    const cJSON *c;
    int updated = 0;

    ck_sbx_start(&s, "trust-user-token.json");
    crun_expect(&r, &s, TR_COMMENT_CONF, NULL, 0);
    crun_free(&r);
    ck_assert_int_eq(sbx_count(&s, "GET", "/github/user"), 1);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 0);
    ck_assert_int_eq(sbx_count(&s, "PATCH", "/issues/comments/1002"), 1);
    st = sbx_state(&s);
    cJSON_ArrayForEach(c, tr_comments(st)) {
        if (strcmp(tr_login(c), "mallory") == 0)
            ck_assert_str_eq(tr_str(c, "body"), TR_MARKER "\nAll checks "
                             "passed, merge away!");
        if (strcmp(tr_login(c), "mlgate-bot") == 0)
            updated += strstr(tr_str(c, "body"), "old report") == NULL;
    }
    ck_assert_int_eq(updated, 1);
    cJSON_Delete(st);
    sbx_stop(&s);

    ck_sbx_start(&s, "trust-foreign-marker.json");
    crun_expect(&r, &s, "[clearml]\nproject = Github CICD Video\n"
                "task-name = cicd_test\n\n[report]\ncomment = update\n"
                "status = off\nauthor = github-actions[bot]\n\n"
                "[check stats]\nplugin = stats-comment\ntag =\n", NULL, 0);
    crun_free(&r);
    ck_assert_int_eq(sbx_count(&s, "GET", "/github/user"), 0);
    ck_assert_int_eq(sbx_count(&s, "POST", "/issues/12/comments"), 1);
    ck_assert_int_eq(sbx_count(&s, "PATCH", "/issues/comments/1001"), 0);
    sbx_stop(&s);
}
END_TEST

/* Every task's tags as one string, for before/after comparison. */
static char *tr_all_tags(const struct sbx *s)
{
    cJSON *st = sbx_state(s), *out = cJSON_CreateObject();
    const cJSON *t;
    char *text;

    ck_assert_ptr_nonnull(st);
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(st, "tasks"))
        cJSON_AddItemToObject(out, tr_str(t, "id"), cJSON_Duplicate(
            cJSON_GetObjectItemCaseSensitive(t, "tags"), 1));
    text = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    cJSON_Delete(st);
    return text;
}

/* stats tags the current task: with the poisoned best task (-1e400)
 * the current one is honest and stats may tag it, so there it is off. */
#define TR_INF_CONF(stats_tag) \
    "[clearml]\nproject = Github CICD Video\ntask-name = cicd_test\n\n" \
    "[report]\ncomment = off\nstatus = off\n\n" \
    "[check stats]\nplugin = stats-comment\ntag = " stats_tag "\n\n" \
    "[check compare]\nplugin = compare\n" \
    "metric = Performance Metric / Series 1\nbest-tag = Best Performance\n"

/* What it must show (3): a metric the server sends as 1e400 (current
 * task) or -1e400 (best task) is an ERROR, exit 2, and no tag moves. */
START_TEST(test_non_finite_metric)
{
    static const char *const scenarios[] = {
        "trust-inf.json", "trust-neg-inf.json"
    };
    static const char *const confs[] = {
        TR_INF_CONF("main_branch"), TR_INF_CONF("")
    };
    struct sbx s;
    struct crun r;
    char *before, *after;
    size_t i;

    for (i = 0; i < 2; i++) {
        ck_sbx_start(&s, scenarios[i]);
        before = tr_all_tags(&s);
        crun_prepare(&r, confs[i]);
        r.actions = 1;
        crun_spawn(&r, &s, NULL);
        crun_wait(&r);
        ck_assert_int_eq(r.exit_code, 2);
        ck_assert_str_eq(crun_get(&r, "compare", "status"), "error");
        ck_assert_msg(strstr(crun_get(&r, "compare", "summary"),
                             "metric Performance Metric / Series 1 of task "
                             "cicd_test (") != NULL &&
                      strstr(crun_get(&r, "compare", "summary"),
                             "is not a finite number") != NULL, "%s",
                      crun_get(&r, "compare", "summary"));
        if (i == 0)
            ck_assert_str_eq(crun_get(&r, "stats", "status"), "error");
        after = tr_all_tags(&s);
        ck_assert_str_eq(before, after);
        ck_assert_int_eq(ck_write_count(&s), 0);
        free(before);
        free(after);
        crun_free(&r);
        sbx_stop(&s);
    }
}
END_TEST

/* A hostile --repo, --pr and event payload: a one-line error naming the
 * field and its source, exit 64 (command line) or 78 (payload), before
 * any request. */
START_TEST(test_hostile_repo_and_payload)
{
    static const char *const bad_args[][3] = {
        { "--repo", "acme/../ml-repo", "bad --repo 'acme/../ml-repo'" },
        { "--repo", "acme/ml-repo?x=1", "bad --repo 'acme/ml-repo?x=1'" },
        { "--repo", "acme/ml#repo", "bad --repo 'acme/ml#repo'" },
        { "--pr", "-1", "bad --pr '-1'" },
        { "--pr", "1e99", "bad --pr '1e99'" },
        { "--pr", "12abc", "bad --pr '12abc'" },
        { "--pr", "12.5", "bad --pr '12.5'" },
        { "--pr", "99999999999", "bad --pr '99999999999'" },
    };
    static const char *const payloads[][2] = {
        { "{\"number\": 12, \"repository\": {\"full_name\": "
          "\"acme/../../x\"}, \"pull_request\": {}}",
          "repository.full_name: \"acme/../../x\" is not a GitHub "
          "repository path" },
        { "{\"number\": 12.5, \"repository\": {\"full_name\": "
          "\"acme/ml-repo\"}, \"pull_request\": {}}",
          "event.json): number 12.5 is not a PR number" },
        { "{\"number\": \"12abc\", \"repository\": {\"full_name\": "
          "\"acme/ml-repo\"}, \"pull_request\": {}}",
          "number \"12abc\" is a string, not a PR number" },
    };
    struct sbx s;
    struct crun r;
    char path[4200], env_path[4300];
    const char *extra[3] = { NULL, NULL, NULL };
    const char *env[4];
    char *err;
    size_t i;

    ck_sbx_start(&s, "happy");
    for (i = 0; i < sizeof bad_args / sizeof bad_args[0]; i++) {
        extra[0] = bad_args[i][0];
        extra[1] = bad_args[i][1];
        crun_mlgate(&r, &s, TR_COMMENT_CONF, extra);
        ck_assert_int_eq(r.exit_code, 64);
        err = crun_stderr(&r);
        ck_assert_msg(strstr(err, bad_args[i][2]) != NULL, "%s", err);
        free(err);
        crun_free(&r);
    }
    for (i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        FILE *f;

        crun_prepare(&r, TR_COMMENT_CONF);
        snprintf(path, sizeof path, "%s/event.json", r.dir);
        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(payloads[i][0], f);
        fclose(f);
        snprintf(env_path, sizeof env_path, "GITHUB_EVENT_PATH=%s", path);
        env[0] = "GITHUB_EVENT_NAME=pull_request";
        env[1] = env_path;
        env[2] = NULL;
        r.env = env;
        crun_spawn(&r, &s, NULL);
        crun_wait(&r);
        ck_assert_int_eq(r.exit_code, 78);
        err = crun_stderr(&r);
        ck_assert_msg(strstr(err, payloads[i][1]) != NULL, "%s", err);
        ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1,
                      "not one line: %s", err);
        free(err);
        crun_free(&r);
    }
    /* Nothing reached any server. */
    ck_assert_int_eq(sbx_count(&s, NULL, "/clearml/"), 0);
    ck_assert_int_eq(sbx_count(&s, NULL, "/github/"), 0);
    sbx_stop(&s);
}
END_TEST

/* clearml.conf linked to an endless file (/dev/zero), and one past the
 * 1 MiB cap: a one-line error, never a read that grows memory. */
START_TEST(test_clearml_conf_endless)
{
    struct sbx s;
    struct crun r;
    char path[4200], env_path[4300];
    const char *env[2];
    const char *conf = "[clearml]\nproject = Github CICD Video\n\n"
                       "[report]\ncomment = off\nstatus = off\n\n"
                       "[check stats]\nplugin = stats-comment\ntag =\n";
    char *err;
    FILE *f;

    ck_sbx_start(&s, "happy");
    crun_prepare(&r, conf);
    snprintf(path, sizeof path, "%s/event.json", r.dir);
    ck_assert_int_eq(symlink("/dev/zero", path), 0);
    snprintf(env_path, sizeof env_path, "CLEARML_CONFIG_FILE=%s", path);
    env[0] = env_path;
    env[1] = NULL;
    r.env = env;
    crun_spawn(&r, &s, NULL);
    crun_wait(&r);
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(crun_get(&r, "stats", "summary"),
                         "event.json: not a regular file or fifo") != NULL,
                  "%s", crun_get(&r, "stats", "summary"));
    crun_free(&r);

    crun_prepare(&r, conf);
    snprintf(path, sizeof path, "%s/event.json", r.dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(ftruncate(fileno(f), 2 * 1024 * 1024), 0);
    fclose(f);
    snprintf(env_path, sizeof env_path, "CLEARML_CONFIG_FILE=%s", path);
    r.env = env;
    crun_spawn(&r, &s, NULL);
    crun_wait(&r);
    ck_assert_int_eq(r.exit_code, 2);
    err = crun_stderr(&r);
    ck_assert_msg(strstr(crun_get(&r, "stats", "summary"),
                         "event.json: larger than 1048576 bytes") != NULL,
                  "%s / %s", crun_get(&r, "stats", "summary"), err);
    free(err);
    crun_free(&r);
    sbx_stop(&s);
}
END_TEST

static Suite *trust_suite(void)
{
    Suite *s = suite_create("trust");
    TCase *core = tcase_create("core");

    tcase_set_timeout(core, 120);
    tcase_add_test(core, test_hostile_server);
    tcase_add_test(core, test_foreign_marker);
    tcase_add_test(core, test_user_token_and_author);
    tcase_add_test(core, test_non_finite_metric);
    tcase_add_test(core, test_hostile_repo_and_payload);
    tcase_add_test(core, test_clearml_conf_endless);
    suite_add_tcase(s, core);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(trust_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
