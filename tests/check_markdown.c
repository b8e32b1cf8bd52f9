/*
 * check_markdown.c - unit tests of the Markdown report: escaping in every
 * mode, the layout of the report, neutralising of hostile text, and
 * shedding to a size limit.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"
#include "util.h"

#define HOSTILE "a|b</details><!-- mlgate:mlgate -->"
#define SHA "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345"
#define RUN_URL "https://github.com/acme/ml-repo/actions/runs/99"

static void add_check(struct run_result *rr, const char *name, int status,
                      const char *summary, const char *details,
                      double duration)
{
    struct check_result *r;

    rr->checks = xrealloc(rr->checks, (rr->n + 1) * sizeof *rr->checks);
    r = &rr->checks[rr->n++];
    memset(r, 0, sizeof *r);
    r->name = xstrdup(name);
    r->plugin = xstrdup(name);
    r->status = status;
    r->summary = xstrdup(summary);
    r->details = xstrdup(details);
    r->duration = duration;
    result_finish(rr);
}

/* The happy run: three passing checks of the sandbox scenario. */
static void happy(struct run_result *rr)
{
    memset(rr, 0, sizeof *rr);
    add_check(rr, "stats", MLG_PASS, "task cicd_test found, tagged "
              "main_branch", "| Title | Series | Last |\n| --- | --- | --- |"
              "\n| Performance Metric | Series 1 | 0.93 |\n", 1.23);
    add_check(rr, "compare", MLG_PASS, "0.93 >= best 0.91 (+0.02)",
              "```mermaid\nxychart-beta\n  line [0.5, 0.93]\n```\n", 0.8);
    add_check(rr, "remote", MLG_PASS, "remote run reached 1 iteration",
              "", 72.4);
}

static struct run_context *github_ctx(void)
{
    static struct run_context ctx;
    static char forge[] = "github", event[] = "pull_request",
        repo[] = "acme/ml-repo", sha[] = SHA, url[] = RUN_URL, empty[] = "";

    ctx.forge = forge;
    ctx.event = event;
    ctx.repo = repo;
    ctx.project_id = empty;
    ctx.pr = 12;
    ctx.head_sha = sha;
    ctx.run_url = url;
    return &ctx;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    const char *p;

    for (p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* The table row of a check, as a new string. */
static char *row_of(const char *md, const char *name)
{
    char *key = xasprintf("| %s |", name);
    const char *p = strstr(md, key), *e;

    free(key);
    if (!p)
        return NULL;
    while (p > md && p[-1] != '\n')
        p--;
    e = strchr(p, '\n');
    return xstrndup(p, (size_t)(e - p));
}

/* Table-splitting pipes: not escaped with a backslash. */
static int cell_pipes(const char *row)
{
    int n = 0;
    const char *p;

    for (p = row; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        n += *p == '|';
    }
    return n;
}

START_TEST(escape_text)
{
    char *s = md_escape("*a* _b_ [c](d) #1 <i>x</i> & `e` a|b ~f~ \\", 0);

    ck_assert_str_eq(s, "\\*a\\* \\_b\\_ \\[c\\](d) \\#1 &lt;i&gt;x&lt;/i&gt;"
                     " &amp; \\`e\\` a\\|b \\~f\\~ \\\\");
    free(s);
    s = md_escape("line1\nline2", MLG_MD_TEXT);
    ck_assert_str_eq(s, "line1\nline2");
    free(s);
    s = md_escape(NULL, MLG_MD_TEXT);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

START_TEST(escape_cell)
{
    char *s = md_escape("a|b\r\nc\nd\te", MLG_MD_CELL);

    ck_assert_str_eq(s, "a\\|b c d e");
    ck_assert_int_eq(cell_pipes(s), 0);
    free(s);
}
END_TEST

START_TEST(escape_code)
{
    char *s = md_escape("x = a<b && c|d\n```\n  ~~~~\n``not a fence",
                        MLG_MD_CODE);

    /* Content stays literal; only fence lines get a zero-width space. */
    ck_assert_str_eq(s, "x = a<b && c|d\n\xe2\x80\x8b```\n"
                     "\xe2\x80\x8b  ~~~~\n``not a fence");
    free(s);
}
END_TEST

START_TEST(escape_utf8_and_controls)
{
    char *s = md_escape("ok \xc3\xa9 bad \xff\xc3 \x1b[31mred\x1b[0m\a!",
                        MLG_MD_CELL);

    ck_assert_str_eq(s, "ok \xc3\xa9 bad \xef\xbf\xbd\xef\xbf\xbd red\\!");
    free(s);
    /* Overlong '/' and a UTF-16 surrogate are invalid too. */
    s = md_escape("\xc0\xaf\xed\xa0\x80", MLG_MD_CODE);
    ck_assert_uint_eq(md_length(s), 5);
    ck_assert_ptr_null(strstr(s, "/"));
    free(s);
}
END_TEST

START_TEST(length_and_cut)
{
    char *s;

    ck_assert_uint_eq(md_length("a\xc3\xa9\xe2\x9c\x85\xf0\x9f\x9b\x91"), 4);
    s = md_cut("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3);
    ck_assert_str_eq(s, "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
    ck_assert_uint_eq(md_length(s), 3);
    free(s);
    s = md_cut("abc", 3);
    ck_assert_str_eq(s, "abc");
    free(s);
}
END_TEST

START_TEST(marker_id)
{
    char *m = md_marker(NULL);

    ck_assert_str_eq(m, "<!-- mlgate:mlgate -->");
    free(m);
    m = md_marker("nightly --> x");
    ck_assert_str_eq(m, "<!-- mlgate:nightly-----x -->");
    free(m);
}
END_TEST

START_TEST(report_happy)
{
    struct run_result rr;
    struct md_opts o = { NULL, "0.1.0", 0, NULL };
    char *md, *row;

    happy(&rr);
    md = markdown_report(&rr, github_ctx(), &o);
    ck_assert_msg(strncmp(md, "\xe2\x9c\x85 **mlgate: 3 passed**\n",
                          strlen("\xe2\x9c\x85 **mlgate: 3 passed**\n")) == 0,
                  "first line: %.40s", md);
    ck_assert_ptr_nonnull(strstr(md, "| | Check | Result | Duration |\n"));
    row = row_of(md, "stats");
    ck_assert_ptr_nonnull(row);
    ck_assert_str_eq(row, "| \xe2\x9c\x85 | stats | task cicd\\_test found, "
                     "tagged main\\_branch | 1.2 s |");
    free(row);
    row = row_of(md, "remote");
    ck_assert_ptr_nonnull(strstr(row, "| 1 min 12 s |"));
    free(row);
    row = row_of(md, "compare");
    ck_assert_ptr_nonnull(strstr(row, "| 0.8 s |"));
    free(row);
    /* Two sections (remote has no details), closed, not open on PASS. */
    ck_assert_uint_eq(count(md, "<details>\n"), 2);
    ck_assert_uint_eq(count(md, "</details>"), 2);
    ck_assert_ptr_nonnull(strstr(md, "<summary><b>compare</b> \xe2\x80\x94 "
                                     "PASS</summary>\n\n```mermaid\n"));
    ck_assert_ptr_nonnull(strstr(md, "mlgate 0.1.0 \xc2\xb7 head <code>"
                                     "3f9a1c2</code> \xc2\xb7 [CI run]("
                                     RUN_URL ")"));
    /* The marker is the last line. */
    ck_assert_str_eq(md + strlen(md) - strlen("<!-- mlgate:mlgate -->\n"),
                     "<!-- mlgate:mlgate -->\n");
    ck_assert_uint_eq(count(md, "<!--"), 1);
    free(md);
    run_result_free(&rr);
}
END_TEST

START_TEST(report_failed)
{
    struct run_result rr;
    struct md_opts o = { "ci", "0.1.0", 0, NULL };
    char *md;

    happy(&rr);
    free(rr.checks[1].summary);
    rr.checks[1].summary = xstrdup("0.80 < best 0.91 (-0.11)");
    rr.checks[1].status = MLG_FAIL;
    result_finish(&rr);
    md = markdown_report(&rr, NULL, &o);
    ck_assert_msg(strncmp(md, "\xe2\x9d\x8c **mlgate: 1 failed, 2 passed**\n",
                          strlen("\xe2\x9d\x8c **mlgate: 1 failed, 2 passed"))
                  == 0, "first line: %.50s", md);
    ck_assert_ptr_nonnull(strstr(md, "<details open>\n<summary><b>compare"));
    ck_assert_ptr_nonnull(strstr(md, "<details>\n<summary><b>stats"));
    ck_assert_ptr_nonnull(strstr(md, "<!-- mlgate:ci -->\n"));
    rr.checks[2].duration = 0.01;
    free(md);
    md = markdown_report(&rr, NULL, &o);
    ck_assert_ptr_nonnull(strstr(md, "| &lt; 0.1 s |\n"));
    /* No context: no head, no run link, still a footer. */
    ck_assert_ptr_null(strstr(md, "head <code>"));
    ck_assert_ptr_null(strstr(md, "[CI run]"));
    free(md);

    rr.checks[0].status = MLG_ERROR;
    rr.checks[1].status = MLG_WARN;
    rr.checks[2].status = MLG_WARN;
    result_finish(&rr);
    md = markdown_report(&rr, NULL, &o);
    ck_assert_msg(strncmp(md, "\xf0\x9f\x9b\x91 **mlgate: 1 error, "
                          "2 warnings**\n", 20) == 0, "%.50s", md);
    free(md);
    run_result_free(&rr);
}
END_TEST

/* The hostile metric name arrives escaped, raw in details and raw in the
 * summary; none of them may add a marker, close a section or split a
 * table cell. */
START_TEST(report_hostile)
{
    struct run_result rr;
    struct md_opts o = { NULL, "0.1.0", 0, NULL };
    char *esc = md_escape(HOSTILE, MLG_MD_CELL), *det, *md, *row;

    memset(&rr, 0, sizeof rr);
    det = xasprintf("| Metric |\n| --- |\n| %s |\n\nraw: " HOSTILE "\n"
                    "<details><summary>x</summary>\n<script>alert(1)"
                    "</script>\n", esc);
    add_check(&rr, HOSTILE, MLG_FAIL, "metric " HOSTILE " regressed", det,
              1);
    add_check(&rr, "ok", MLG_PASS, "fine", "fine <b>bold</b> "
              "<https://example.com>", 1);
    md = markdown_report(&rr, github_ctx(), &o);

    ck_assert_uint_eq(count(md, "<!-- mlgate:"), 1);
    ck_assert_uint_eq(count(md, "<!--"), 1);
    /* The raw </details> is neutralised; the plugin's own nested
     * section stays and is closed inside the check's section. */
    ck_assert_uint_eq(count(md, "</details>"), 3);
    ck_assert_uint_eq(count(md, "<details"), 3);
    ck_assert_ptr_nonnull(strstr(md, "<details><summary>x</summary>"));
    ck_assert_ptr_nonnull(strstr(md, "/script>\n\n</details>\n\n"
                                     "</details>\n"));
    ck_assert_ptr_null(strstr(md, "<script"));
    /* The allow-list and autolinks are left alone. */
    ck_assert_ptr_nonnull(strstr(md, "fine <b>bold</b> "
                                     "<https://example.com>"));
    row = row_of(md, "a\\|b&lt;/details&gt;&lt;\\!\\-\\- mlgate:mlgate "
                 "\\-\\-&gt;");
    ck_assert_ptr_nonnull(row);
    ck_assert_int_eq(cell_pipes(row), 5);
    ck_assert_ptr_nonnull(strstr(row, "metric a\\|b&lt;/details&gt;"));
    free(row);
    /* The section's own summary line shows the name as text. */
    ck_assert_ptr_nonnull(strstr(md, "<summary><b>a|b&lt;/details&gt;&lt;!"
                                     "-- mlgate:mlgate --&gt;</b>"));
    free(md);
    free(det);
    free(esc);
    run_result_free(&rr);
}
END_TEST

START_TEST(neutralise_fences)
{
    char *s = md_neutralise("text\n```python\nprint('</details>')\n");

    /* The unclosed fence is closed; the tag inside is neutralised. */
    ck_assert_str_eq(s, "text\n```python\nprint('<\xe2\x80\x8b/details>')\n"
                     "```\n");
    free(s);
    s = md_neutralise("~~~~\n```\n~~~~\nafter\n");
    ck_assert_str_eq(s, "~~~~\n```\n~~~~\nafter\n");
    free(s);
    /* Nested sections must balance; in code the tags are only text. */
    s = md_neutralise("</details> <details><summary>a</summary>\n\nx\n"
                      "</details>\n</summary>`<details>` </details>\n");
    ck_assert_str_eq(s, "<\xe2\x80\x8b/details> <details><summary>a"
                     "</summary>\n\nx\n</details>\n<\xe2\x80\x8b/summary>"
                     "`<\xe2\x80\x8b" "details>` <\xe2\x80\x8b/details>\n");
    free(s);
    s = md_neutralise("<DETAILS open>\n~~~\n</details>\n");
    ck_assert_str_eq(s, "<DETAILS open>\n~~~\n<\xe2\x80\x8b/details>\n"
                     "~~~\n\n</details>\n");
    free(s);
    /* ``` with a backtick in the info string is inline code. */
    s = md_neutralise("```a`b``` x\n");
    ck_assert_str_eq(s, "```a`b``` x\n");
    free(s);
}
END_TEST

static char *filler(size_t n, char c)
{
    char *s = xmalloc(n + 1);

    memset(s, c, n);
    s[n] = '\0';
    return s;
}

START_TEST(shed_largest_first)
{
    struct run_result rr;
    struct md_opts o = { NULL, "0.1.0", MD_LIMIT_GITHUB, NULL };
    char *big = filler(40000, 'x'), *mid = filler(25000, 'y'),
        *small = filler(3000, 'z'), *md;

    memset(&rr, 0, sizeof rr);
    add_check(&rr, "big", MLG_PASS, "big one", big, 1);
    add_check(&rr, "mid", MLG_FAIL, "mid one", mid, 1);
    add_check(&rr, "small", MLG_PASS, "small one", small, 1);
    o.limit = 0;
    md = markdown_report(&rr, github_ctx(), &o);
    ck_assert_uint_gt(md_length(md), 68000);
    free(md);

    o.limit = MD_LIMIT_GITHUB;
    md = markdown_report(&rr, github_ctx(), &o);
    ck_assert_uint_le(md_length(md), MD_LIMIT_GITHUB);
    /* Only the largest had to go. */
    ck_assert_ptr_nonnull(strstr(md, "**big** (PASS): details omitted "
                                     "(40,000 characters) \xe2\x80\x94 full "
                                     "report in the job summary."));
    ck_assert_ptr_null(strstr(md, "xxxxxxxxxx"));
    ck_assert_ptr_nonnull(strstr(md, mid));
    ck_assert_ptr_nonnull(strstr(md, small));
    ck_assert_ptr_nonnull(strstr(md, "| big | big one |"));
    ck_assert_ptr_nonnull(strstr(md, "<!-- mlgate:mlgate -->\n"));
    free(md);

    /* A lower limit (the 422 retry) sheds the next largest too. */
    o.limit = 20000;
    md = markdown_report(&rr, github_ctx(), &o);
    ck_assert_uint_le(md_length(md), 20000);
    ck_assert_ptr_null(strstr(md, mid));
    ck_assert_ptr_nonnull(strstr(md, small));
    free(md);
    free(big);
    free(mid);
    free(small);
    run_result_free(&rr);
}
END_TEST

/* Code points, not bytes, are counted: 40,000 three-byte characters fit. */
START_TEST(shed_counts_code_points)
{
    struct run_result rr;
    struct md_opts o = { NULL, "0.1.0", MD_LIMIT_GITHUB, NULL };
    struct buf b = {0};
    size_t i;
    char *md;

    memset(&rr, 0, sizeof rr);
    for (i = 0; i < 40000; i++)
        buf_adds(&b, "\xe2\x9c\x93");
    add_check(&rr, "wide", MLG_PASS, "wide", b.p, 1);
    md = markdown_report(&rr, NULL, &o);
    ck_assert_uint_gt(strlen(md), MD_LIMIT_GITHUB);
    ck_assert_ptr_null(strstr(md, "details omitted"));
    free(md);
    buf_free(&b);
    run_result_free(&rr);
}
END_TEST

START_TEST(shed_summaries_when_table_too_big)
{
    struct run_result rr;
    struct md_opts o = { NULL, "0.1.0", 4000, NULL };
    char *sum = filler(1000, 's'), *md, *row;
    size_t i;

    memset(&rr, 0, sizeof rr);
    for (i = 0; i < 20; i++) {
        char name[16];

        snprintf(name, sizeof name, "c%02zu", i);
        add_check(&rr, name, MLG_PASS, sum, "some details", 1);
    }
    md = markdown_report(&rr, github_ctx(), &o);
    ck_assert_uint_le(md_length(md), 4000);
    ck_assert_ptr_nonnull(strstr(md, "| | Check | Result | Duration |"));
    ck_assert_ptr_nonnull(strstr(md, "Summaries shortened to fit"));
    row = row_of(md, "c19");
    ck_assert_ptr_nonnull(row);
    ck_assert_ptr_nonnull(strstr(row, "\xe2\x80\xa6"));
    free(row);
    ck_assert_ptr_nonnull(strstr(md, "<!-- mlgate:mlgate -->\n"));
    free(md);

    /* Far too small: rows go, the verdict and marker stay. */
    o.limit = 600;
    md = markdown_report(&rr, github_ctx(), &o);
    ck_assert_uint_le(md_length(md), 600);
    ck_assert_ptr_nonnull(strstr(md, "more checks"));
    ck_assert_ptr_nonnull(strstr(md, "**mlgate: 20 passed**"));
    ck_assert_ptr_nonnull(strstr(md, "<!-- mlgate:mlgate -->\n"));
    free(md);
    free(sum);
    run_result_free(&rr);
}
END_TEST

static Suite *markdown_suite(void)
{
    Suite *s = suite_create("markdown");
    TCase *tc = tcase_create("core");
    TCase *lim = tcase_create("limits");

    tcase_add_test(tc, escape_text);
    tcase_add_test(tc, escape_cell);
    tcase_add_test(tc, escape_code);
    tcase_add_test(tc, escape_utf8_and_controls);
    tcase_add_test(tc, length_and_cut);
    tcase_add_test(tc, marker_id);
    tcase_add_test(tc, report_happy);
    tcase_add_test(tc, report_failed);
    tcase_add_test(tc, report_hostile);
    tcase_add_test(tc, neutralise_fences);
    suite_add_tcase(s, tc);
    tcase_add_test(lim, shed_largest_first);
    tcase_add_test(lim, shed_counts_code_points);
    tcase_add_test(lim, shed_summaries_when_table_too_big);
    suite_add_tcase(s, lim);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(markdown_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
