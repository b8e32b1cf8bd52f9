/*
 * fuzz_markdown.c - libFuzzer target for the Markdown escaper, the
 * neutraliser of plugin details and the report with shedding.  Aborts
 * when an invariant of design §7 breaks: the report fits the limit
 * (unless even the smallest layout does not), the marker is there
 * exactly once, <details> tags balance, escaped text is valid UTF-8 and
 * cannot open a tag, a table cell or a code fence.
 */
#include <config.h>

#include <ctype.h>
#include <strings.h>

#include "fuzz.h"
#include "log.h"
#include "markdown.h"

#define FZ_SHA "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345"
#define FZ_MAX_CHECKS 12

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_init(0);
    return 0;
}

/* Independent of markdown.c: well-formed, shortest-form UTF-8 without
 * surrogates. */
static int fz_utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        unsigned long cp;
        size_t n, i;

        if (*p < 0x80) {
            p++;
            continue;
        }
        if ((*p & 0xe0) == 0xc0) {
            n = 2;
            cp = *p & 0x1fu;
        } else if ((*p & 0xf0) == 0xe0) {
            n = 3;
            cp = *p & 0x0fu;
        } else if ((*p & 0xf8) == 0xf0) {
            n = 4;
            cp = *p & 0x07u;
        } else {
            return 0;
        }
        for (i = 1; i < n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i] & 0x3fu);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
            (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        p += n;
    }
    return 1;
}

static size_t fz_count(const char *hay, const char *needle)
{
    size_t n = 0;
    const char *p;

    for (p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* "<details" or "</details" as an HTML tag at s (any case). */
static int fz_details_tag(const char *s, int *closing)
{
    *closing = s[1] == '/';
    s += 1 + *closing;
    return strncasecmp(s, "details", 7) == 0 &&
           (!s[7] || strchr(" \t\n/>", s[7]));
}

/* Every <details> is closed, and no </details> closes what it did not
 * open. */
static int fz_details_balanced(const char *md)
{
    long depth = 0;
    const char *p;
    int closing;

    for (p = strchr(md, '<'); p; p = strchr(p + 1, '<')) {
        if (!fz_details_tag(p, &closing))
            continue;
        depth += closing ? -1 : 1;
        if (depth < 0)
            return 0;
    }
    return depth == 0;
}

/* Does any line of s open a code fence (up to 3 spaces, then 3 or more
 * backticks or tildes)? */
static int fz_has_fence(const char *s)
{
    const char *line = s;

    while (line) {
        size_t sp = strspn(line, " ");

        if (sp <= 3 && (strncmp(line + sp, "```", 3) == 0 ||
                        strncmp(line + sp, "~~~", 3) == 0))
            return 1;
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return 0;
}

static void fz_escape(const char *text)
{
    char *e;
    const char *p;

    e = md_escape(text, MLG_MD_TEXT);
    FZ_CHECK(fz_utf8_ok(e));
    FZ_CHECK(!strchr(e, '<') && !strchr(e, '>') && !strchr(e, '\r'));
    free(e);

    e = md_escape(text, MLG_MD_CELL);
    FZ_CHECK(fz_utf8_ok(e));
    FZ_CHECK(!strchr(e, '<') && !strchr(e, '\n') && !strchr(e, '\r'));
    for (p = strchr(e, '|'); p; p = strchr(p + 1, '|'))
        FZ_CHECK(p > e && p[-1] == '\\');
    free(e);

    e = md_escape(text, MLG_MD_CODE);
    FZ_CHECK(fz_utf8_ok(e));
    FZ_CHECK(!fz_has_fence(e));
    free(e);

    e = md_neutralise(text);
    FZ_CHECK(fz_utf8_ok(e));
    FZ_CHECK(!strstr(e, "<!") && !strstr(e, "<?"));
    FZ_CHECK(fz_details_balanced(e));
    free(e);
}

static void fz_check_report(const char *md, const char *marker)
{
    FZ_CHECK(fz_utf8_ok(md));
    FZ_CHECK(fz_count(md, marker) == 1);
    FZ_CHECK(fz_count(md, "<!--") == 1);
    FZ_CHECK(fz_details_balanced(md));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };
    unsigned lim = fz_byte(&f), rep = 1 + fz_byte(&f) % 64;
    unsigned nchecks = fz_byte(&f) % (FZ_MAX_CHECKS + 1);
    static char fz_sha[] = FZ_SHA,
        fz_run_url[] = "https://github.com/acme/ml-repo/actions/runs/1";
    struct run_result rr;
    struct run_context ctx;
    struct md_opts o, o1;
    char *id, *marker, *md, *floor_md;
    unsigned i, k;

    memset(&rr, 0, sizeof rr);
    memset(&ctx, 0, sizeof ctx);
    memset(&o, 0, sizeof o);
    id = fz_str(&f);
    if (strlen(id) > 40)
        id[40] = '\0';
    marker = md_marker(id);
    {
        /* The marker is "<!-- mlgate:ID -->" with ID made safe. */
        size_t ml = strlen(marker);

        FZ_CHECK(ml >= 17 && strncmp(marker, "<!-- mlgate:", 12) == 0 &&
                 strcmp(marker + ml - 4, " -->") == 0);
        FZ_CHECK(strspn(marker + 12, "abcdefghijklmnopqrstuvwxyz"
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
                 ml - 16);
    }
    rr.checks = xcalloc(FZ_MAX_CHECKS, sizeof *rr.checks);
    for (i = 0; i < nchecks; i++) {
        struct check_result *r = &rr.checks[rr.n++];
        struct buf b = { 0 };
        char *det;

        r->status = (int)(fz_byte(&f) % 5);
        r->duration = fz_byte(&f) * 7.3;
        r->name = fz_str(&f);
        r->plugin = xstrdup("fuzz");
        r->summary = fz_str(&f);
        det = fz_str(&f);
        fz_escape(r->name);
        fz_escape(det);
        /* Repeat the details so that small inputs still need shedding. */
        for (k = 0; k < rep; k++)
            buf_adds(&b, det);
        if (!b.p)
            buf_adds(&b, "");
        r->details = buf_take(&b);
        free(det);
    }
    result_finish(&rr);

    ctx.head_sha = fz_sha;
    ctx.run_url = fz_run_url;
    o.id = id;
    o.version = "0.0-fuzz";
    o.full_at = lim & 1 ? "[the job summary](https://example.com/s)" : NULL;
    o.limit = lim < 16 ? MD_LIMIT_GITHUB : 200 + (size_t)lim * 40;

    /* The smallest layout: what shedding ends at when nothing fits. */
    o1 = o;
    o1.limit = 1;
    floor_md = markdown_report(&rr, &ctx, &o1);
    fz_check_report(floor_md, marker);

    md = markdown_report(&rr, &ctx, &o);
    fz_check_report(md, marker);
    FZ_CHECK(md_length(md) <= o.limit || strcmp(md, floor_md) == 0);

    free(md);
    free(floor_md);
    free(marker);
    free(id);
    run_result_free(&rr);
    return 0;
}
