/*
 * markdown.c - renders the combined Markdown report (verdict, table,
 * one section per check, footer, hidden marker), escapes foreign text so
 * it cannot break it, and sheds detail sections to fit a size limit.
 */
#include <config.h>

#include "markdown.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MD_FFFD "\xef\xbf\xbd"  /* U+FFFD REPLACEMENT CHARACTER */
#define MD_ZWSP "\xe2\x80\x8b"  /* U+200B ZERO WIDTH SPACE */
#define MD_ZWJ "\xe2\x80\x8d"   /* U+200D ZERO WIDTH JOINER */
#define MD_ELLIPSIS "\xe2\x80\xa6"

/* HTML tags plugin details may keep; all inline or harmless when left
 * unclosed (no type-1 HTML block, nothing that nests sections). */
static const char *const md_allowed_tags[] = {
    "a", "b", "br", "code", "del", "em", "i", "img", "ins", "kbd", "p",
    "s", "span", "strong", "sub", "sup", NULL
};

/* Length of the valid UTF-8 sequence at p, or 0 when it is invalid
 * (overlong forms, surrogates and values past U+10FFFF included).  Never
 * reads past a NUL: a NUL is not a continuation byte. */
static size_t md_seq(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        return (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (p[0] >= 0xe0 && p[0] <= 0xef) {
        if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return 0;
        if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))
            return 0;
        return 3;
    }
    if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
            (p[3] & 0xc0) != 0x80)
            return 0;
        if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

/* Skip a terminal escape sequence starting at the ESC at p (log lines
 * carry colours); returns the first byte after it. */
static const unsigned char *md_skip_esc(const unsigned char *p)
{
    p++;
    if (*p == '[') {
        for (p++; *p && !(*p >= 0x40 && *p <= 0x7e); p++)
            ;
        return *p ? p + 1 : p;
    }
    if (*p == ']') {
        for (p++; *p && *p != 0x07; p++)
            if (p[0] == 0x1b && p[1] == '\\')
                return p + 2;
        return *p ? p + 1 : p;
    }
    return *p ? p + 1 : p;
}

/*
 * Clean text into b: invalid UTF-8 becomes U+FFFD, CR LF and lone CR
 * become LF, terminal escapes and control characters other than LF and
 * TAB are dropped.
 */
static void md_clean(struct buf *b, const char *text)
{
    const unsigned char *p = (const unsigned char *)(text ? text : "");

    while (*p) {
        size_t n = md_seq(p);

        if (n == 0) {
            buf_adds(b, MD_FFFD);
            p++;
        } else if (n == 2 && p[0] == 0xc2 && p[1] <= 0x9f) {
            p += 2; /* a C1 control (U+0080..U+009F) */
        } else if (n > 1) {
            buf_add(b, (const char *)p, n);
            p += n;
        } else if (*p == 0x1b) {
            p = md_skip_esc(p);
        } else if (*p == '\r') {
            buf_addc(b, '\n');
            p += p[1] == '\n' ? 2 : 1;
        } else if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
            p++;
        } else {
            buf_addc(b, (char)*p++);
        }
    }
    if (!b->p)
        buf_adds(b, "");
}

size_t md_length(const char *s)
{
    size_t n = 0;

    for (; s && *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

char *md_cut(const char *s, size_t max)
{
    const char *p = s ? s : "";
    size_t cps = 0, keep;

    if (md_length(p) <= max)
        return xstrdup(p);
    if (max == 0)
        return xstrdup("");
    /* Keep max - 1 code points and add the ellipsis. */
    for (keep = 0; p[keep]; keep++) {
        if (((unsigned char)p[keep] & 0xc0) != 0x80) {
            if (cps == max - 1)
                break;
            cps++;
        }
    }
    return xasprintf("%.*s" MD_ELLIPSIS, (int)keep, p);
}

/* Does the line at s open or close a code fence?  Returns the run length
 * of fence characters (>= 3) and its character in *ch, else 0. */
static size_t md_fence_at(const char *s, char *ch, const char **after)
{
    size_t sp = 0, run = 0;

    while (sp < 3 && s[sp] == ' ')
        sp++;
    if (s[sp] != '`' && s[sp] != '~')
        return 0;
    while (s[sp + run] == s[sp])
        run++;
    if (run < 3)
        return 0;
    *ch = s[sp];
    *after = s + sp + run;
    return run;
}

/* An '@' that GitHub or GitLab could read as a mention (@user,
 * @org/team, @all): followed by a name character.  Dependabot's way to
 * defuse it is kept: a zero-width joiner after the '@' (the text still
 * reads as typed, but pings no one). */
static int md_mention_at(const char *p)
{
    char c = p[1];

    return p[0] == '@' && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '_' || c == '-');
}

static void md_escape_into(struct buf *b, const char *clean, int mode)
{
    const char *p;
    int bol = 1;

    for (p = clean; *p; p++) {
        char ch;
        const char *after;

        if (mode == MLG_MD_CODE) {
            /* A line of ``` or ~~~ could close the plugin's fence; a
             * zero-width space in front makes it plain text. */
            if (bol && md_fence_at(p, &ch, &after))
                buf_adds(b, MD_ZWSP);
            buf_addc(b, *p);
            bol = *p == '\n';
            continue;
        }
        if (*p == '\n' || *p == '\t') {
            buf_addc(b, mode == MLG_MD_CELL ? ' ' : *p);
        } else if (*p == ':' && bol) {
            /* Renders as ':', but no line of the report starts with a
             * workflow command ("::error::...") a server slipped in. */
            buf_adds(b, "\\:");
        } else if (*p == '<') {
            buf_adds(b, "&lt;");
        } else if (*p == '>') {
            buf_adds(b, "&gt;");
        } else if (*p == '&') {
            buf_adds(b, "&amp;");
        } else if (md_mention_at(p)) {
            buf_adds(b, "@" MD_ZWJ);
        } else {
            if (strchr("\\`*_{}[]#+-!|~", *p))
                buf_addc(b, '\\');
            buf_addc(b, *p);
        }
        bol = *p == '\n';
    }
}

char *md_escape(const char *text, int mode)
{
    struct buf clean = {0}, out = {0};

    md_clean(&clean, text);
    md_escape_into(&out, clean.p, mode);
    buf_free(&clean);
    return buf_take(&out);
}

/* For text inside an HTML block (<summary>), where Markdown escapes do
 * not apply. */
static void md_html_into(struct buf *b, const char *text)
{
    struct buf clean = {0};
    const char *p;

    md_clean(&clean, text);
    for (p = clean.p; *p; p++) {
        switch (*p) {
        case '<': buf_adds(b, "&lt;"); break;
        case '>': buf_adds(b, "&gt;"); break;
        case '&': buf_adds(b, "&amp;"); break;
        case '"': buf_adds(b, "&quot;"); break;
        case '\n': case '\t': buf_addc(b, ' '); break;
        case '@':
            buf_adds(b, md_mention_at(p) ? "@" MD_ZWJ : "@");
            break;
        default: buf_addc(b, *p);
        }
    }
    buf_free(&clean);
}

char *md_marker(const char *id)
{
    char *m = xasprintf("<!-- mlgate:%s -->", id && *id ? id : "mlgate");
    char *p;

    for (p = m + strlen("<!-- mlgate:"); *p && strcmp(p, " -->"); p++) {
        unsigned char c = (unsigned char)*p;

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            *p = '-';
    }
    return m;
}

static int md_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Is the '<' at s the start of something HTML would act on that is not
 * on the allow-list? */
static int md_unsafe_lt(const char *s)
{
    const char *name, *e;
    size_t i, n;

    if (s[1] == '!' || s[1] == '?')
        return 1;
    name = s + 1 + (s[1] == '/');
    if (!md_is_alpha(*name))
        return 0;
    for (e = name; md_is_alpha(*e) || (*e >= '0' && *e <= '9') || *e == '-';
         e++)
        ;
    if (*e && !strchr(" \t\n/>", *e))
        return 0; /* e.g. an autolink <https://...> */
    n = (size_t)(e - name);
    for (i = 0; md_allowed_tags[i]; i++) {
        const char *t = md_allowed_tags[i];
        size_t k;

        if (strlen(t) != n)
            continue;
        for (k = 0; k < n; k++)
            if ((name[k] | 0x20) != t[k])
                break;
        if (k == n)
            return 0;
    }
    return 1;
}

/* Is s "<NAME" or "</NAME" followed by a tag delimiter (any case)?
 * *closing says which. */
static int md_tag_is(const char *s, const char *name, int *closing)
{
    size_t n = strlen(name), k;

    *closing = s[1] == '/';
    s += 1 + *closing;
    for (k = 0; k < n; k++)
        if ((s[k] | 0x20) != name[k])
            return 0;
    return !s[n] || strchr(" \t\n/>", s[n]) != NULL;
}

/* Length of the run of backticks at s. */
static size_t md_ticks(const char *s)
{
    size_t n = 0;

    while (s[n] == '`')
        n++;
    return n;
}

/* Does a run of exactly n backticks follow on this line (closing an
 * inline code span)? */
static int md_span_closes(const char *s, size_t n)
{
    while (*s && *s != '\n') {
        size_t r = md_ticks(s);

        if (r == n)
            return 1;
        s += r ? r : 1;
    }
    return 0;
}

char *md_neutralise(const char *details)
{
    struct buf clean = {0}, out = {0};
    const char *p;
    size_t open_len = 0, span = 0, depth = 0;
    char open_ch = 0;
    int bol = 1;

    md_clean(&clean, details);
    for (p = clean.p; *p; p++) {
        int closing;

        if (bol) {
            char ch;
            const char *after;
            size_t run = md_fence_at(p, &ch, &after);

            span = 0; /* spans are tracked within a line */
            if (run && !open_len) {
                size_t eol = strcspn(after, "\n");

                /* A backtick in the info string makes it inline code. */
                if (ch == '~' || strcspn(after, "`") >= eol) {
                    open_len = run;
                    open_ch = ch;
                }
            } else if (run && ch == open_ch && run >= open_len) {
                after += strspn(after, " \t");
                if (*after == '\n' || !*after)
                    open_len = 0;
            }
        }
        bol = *p == '\n';
        if (*p == '`' && !open_len) {
            size_t r = md_ticks(p);

            if (span == r)
                span = 0;
            else if (!span && md_span_closes(p + r, r))
                span = r;
            buf_add(&out, p, r);
            p += r - 1;
            continue;
        }
        buf_addc(&out, *p);
        /* Mentions ping only outside code. */
        if (!open_len && !span && md_mention_at(p))
            buf_adds(&out, MD_ZWJ);
        if (*p != '<')
            continue;
        /* Outside code, a plugin may nest its own collapsible sections
         * as long as they balance: a </details> with nothing open would
         * close the check's section, so it is neutralised, and what is
         * left open is closed at the end.  In code the tags are text. */
        if (!open_len && !span && md_tag_is(p, "details", &closing)) {
            if (!closing)
                depth++;
            else if (depth)
                depth--;
            else
                buf_adds(&out, MD_ZWSP);
        } else if (!open_len && !span && md_tag_is(p, "summary", &closing)) {
            if (!depth)
                buf_adds(&out, MD_ZWSP);
        } else if (md_unsafe_lt(p)) {
            buf_adds(&out, MD_ZWSP);
        }
    }
    if (open_len) {
        size_t i;

        if (out.len && out.p[out.len - 1] != '\n')
            buf_addc(&out, '\n');
        for (i = 0; i < open_len; i++)
            buf_addc(&out, open_ch);
        buf_addc(&out, '\n');
    }
    for (; depth; depth--)
        buf_adds(&out, out.len && out.p[out.len - 1] == '\n' ?
                 "\n</details>\n" : "\n\n</details>\n");
    buf_free(&clean);
    return buf_take(&out);
}

static const char *md_icon(int status)
{
    switch (status) {
    case MLG_PASS: return "\xe2\x9c\x85";              /* ✅ */
    case MLG_WARN: return "\xe2\x9a\xa0\xef\xb8\x8f";  /* ⚠️ */
    case MLG_FAIL: return "\xe2\x9d\x8c";              /* ❌ */
    case MLG_ERROR: return "\xf0\x9f\x9b\x91";         /* 🛑 */
    case MLG_SKIP: return "\xe2\x8f\xad\xef\xb8\x8f";  /* ⏭️ */
    default: return "\xe2\x9d\x93";                    /* ❓ */
    }
}

/* "< 0.1 s", "1.2 s", "42 s", "2 min 5 s", "1 h 3 min". */
static void md_duration(struct buf *b, double s)
{
    long t;

    if (!(s >= 0))
        s = 0;
    if (s < 0.05) {
        buf_adds(b, "&lt; 0.1 s"); /* "0.0 s" would read as unmeasured */
        return;
    }
    if (s < 9.95) {
        buf_printf(b, "%.1f s", s);
        return;
    }
    t = (long)(s + 0.5);
    if (t < 60)
        buf_printf(b, "%ld s", t);
    else if (t < 3600)
        buf_printf(b, "%ld min %ld s", t / 60, t % 60);
    else
        buf_printf(b, "%ld h %ld min", t / 3600, t % 3600 / 60);
}

/* 12345 -> "12,345". */
static void md_thousands(struct buf *b, size_t n)
{
    char digits[32];
    size_t len, i;

    len = (size_t)snprintf(digits, sizeof digits, "%zu", n);
    for (i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            buf_addc(b, ',');
        buf_addc(b, digits[i]);
    }
}

static void md_verdict(struct buf *b, const struct run_result *rr)
{
    static const struct { int status; const char *one, *many; } words[] = {
        { MLG_FAIL, "failed", "failed" },
        { MLG_ERROR, "error", "errors" },
        { MLG_WARN, "warning", "warnings" },
        { MLG_PASS, "passed", "passed" },
        { MLG_SKIP, "skipped", "skipped" },
    };
    size_t i, j, count;
    int first = 1;

    buf_printf(b, "%s **mlgate: ", md_icon(rr->n ? rr->overall : MLG_PASS));
    for (i = 0; i < sizeof words / sizeof words[0]; i++) {
        for (count = 0, j = 0; j < rr->n; j++)
            count += rr->checks[j].status == words[i].status;
        if (!count)
            continue;
        buf_printf(b, "%s%zu %s", first ? "" : ", ", count,
                   count == 1 ? words[i].one : words[i].many);
        first = 0;
    }
    if (first)
        buf_adds(b, "no checks ran");
    buf_adds(b, "**\n");
}

/* One check's section, full or as the one-line note that replaces it. */
struct md_sec {
    char *full;
    char *shed;
    size_t full_len, shed_len;
    int is_shed;
};

static void md_sections(const struct run_result *rr, const char *full_at,
                        struct md_sec *secs)
{
    size_t i;

    for (i = 0; i < rr->n; i++) {
        const struct check_result *r = &rr->checks[i];
        struct buf b = {0};
        char *det = md_neutralise(r->details);
        size_t len = strlen(det);
        char *name;

        while (len && strchr(" \t\n", det[len - 1]))
            det[--len] = '\0';
        if (!*det) {
            free(det);
            continue;
        }
        buf_adds(&b, r->status == MLG_FAIL || r->status == MLG_ERROR ?
                 "<details open>\n" : "<details>\n");
        buf_adds(&b, "<summary><b>");
        md_html_into(&b, r->name);
        buf_printf(&b, "</b> \xe2\x80\x94 %s</summary>\n\n%s\n\n</details>\n",
                   result_status_name(r->status), det);
        secs[i].full = buf_take(&b);
        secs[i].full_len = md_length(secs[i].full);

        name = md_escape(r->name, MLG_MD_TEXT);
        buf_printf(&b, "**%s** (%s): details omitted (", name,
                   result_status_name(r->status));
        md_thousands(&b, md_length(det));
        buf_printf(&b, " characters) \xe2\x80\x94 full report in %s.\n",
                   full_at);
        secs[i].shed = buf_take(&b);
        secs[i].shed_len = md_length(secs[i].shed);
        free(name);
        free(det);
    }
}

char *md_url(const char *url)
{
    struct buf b = {0};
    const char *p;

    for (p = url ? url : ""; *p; p++) {
        if (strchr(" ()<>\"'\\`[]", *p) || (unsigned char)*p < 0x20 ||
            *p == 0x7f)
            buf_printf(&b, "%%%02X", (unsigned)(unsigned char)*p);
        else
            buf_addc(&b, *p);
    }
    return buf_take(&b);
}

struct md_layout {
    size_t sumlim;   /* max code points of a summary in the table */
    size_t maxrows;  /* table rows shown */
    int drop_notes;  /* leave out the per-check shed notes */
};

static char *md_render(const struct run_result *rr,
                       const struct run_context *ctx,
                       const struct md_opts *o, const struct md_sec *secs,
                       const struct md_layout *lay)
{
    struct buf b = {0};
    const char *full_at = o && o->full_at ? o->full_at : "the job summary";
    const char *version = o && o->version ? o->version : PACKAGE_VERSION;
    char *marker = md_marker(o ? o->id : NULL);
    size_t i, nshed = 0;

    md_verdict(&b, rr);
    if (rr->n) {
        buf_adds(&b, "\n| | Check | Result | Duration |\n"
                     "| :-: | --- | --- | --: |\n");
    }
    for (i = 0; i < rr->n && i < lay->maxrows; i++) {
        const struct check_result *r = &rr->checks[i];
        char *name = md_escape(r->name, MLG_MD_CELL);
        char *cut = md_cut(r->summary, lay->sumlim);
        char *sum = md_escape(cut, MLG_MD_CELL);

        buf_printf(&b, "| %s | %s | %s | ", md_icon(r->status), name, sum);
        md_duration(&b, r->duration);
        buf_adds(&b, " |\n");
        free(name);
        free(cut);
        free(sum);
    }
    if (lay->maxrows < rr->n) {
        buf_printf(&b, "| | \xe2\x80\xa6 | %zu more checks \xe2\x80\x94 "
                   "full report in %s | |\n", rr->n - lay->maxrows, full_at);
    }
    if (lay->sumlim != SIZE_MAX)
        buf_printf(&b, "\nSummaries shortened to fit \xe2\x80\x94 "
                   "full report in %s.\n", full_at);
    for (i = 0; i < rr->n; i++) {
        if (!secs[i].full)
            continue;
        if (!secs[i].is_shed) {
            buf_printf(&b, "\n%s", secs[i].full);
        } else if (!lay->drop_notes) {
            buf_printf(&b, "\n%s", secs[i].shed);
        }
        nshed += secs[i].is_shed;
    }
    if (nshed && lay->drop_notes)
        buf_printf(&b, "\nDetails of %zu checks omitted \xe2\x80\x94 "
                   "full report in %s.\n", nshed, full_at);

    buf_printf(&b, "\nmlgate %s", version);
    if (ctx && ctx->head_sha && *ctx->head_sha) {
        char *sha = xstrndup(ctx->head_sha, 7);

        buf_adds(&b, " \xc2\xb7 head <code>");
        md_html_into(&b, sha);
        buf_adds(&b, "</code>");
        free(sha);
    }
    if (ctx && ctx->run_url && *ctx->run_url) {
        char *url = md_url(ctx->run_url);

        buf_printf(&b, " \xc2\xb7 [CI run](%s)", url);
        free(url);
    }
    buf_printf(&b, "\n\n%s\n", marker);
    free(marker);
    return buf_take(&b);
}

char *markdown_report(const struct run_result *rr,
                      const struct run_context *ctx,
                      const struct md_opts *o)
{
    static const size_t sumlims[] = { SIZE_MAX, 200, 80, 30, 0 };
    struct md_layout lay;
    struct md_sec *secs;
    size_t limit = o ? o->limit : 0, level = 0, i;
    char *out;

    secs = xcalloc(rr->n ? rr->n : 1, sizeof *secs);
    md_sections(rr, o && o->full_at ? o->full_at : "the job summary", secs);
    lay.sumlim = SIZE_MAX;
    lay.maxrows = rr->n;
    lay.drop_notes = 0;
    out = md_render(rr, ctx, o, secs, &lay);

    /* Shed what readers need least first: the largest detail sections,
     * then summary length, then the notes, and the rows only when
     * nothing else is left.  The verdict, footer and marker stay. */
    while (limit && md_length(out) > limit) {
        struct md_sec *big = NULL;

        for (i = 0; i < rr->n; i++) {
            struct md_sec *s = &secs[i];

            /* A note longer than its section is no gain, unless the
             * notes are dropped. */
            if (s->full && !s->is_shed &&
                (s->full_len > s->shed_len || lay.drop_notes) &&
                (!big || s->full_len > big->full_len))
                big = s;
        }
        if (big)
            big->is_shed = 1;
        else if (level + 1 < sizeof sumlims / sizeof sumlims[0])
            lay.sumlim = sumlims[++level];
        else if (!lay.drop_notes)
            lay.drop_notes = 1;
        else if (lay.maxrows > 0)
            lay.maxrows -= lay.maxrows / 8 ? lay.maxrows / 8 : 1;
        else
            break; /* cannot get smaller */
        free(out);
        out = md_render(rr, ctx, o, secs, &lay);
    }
    for (i = 0; i < rr->n; i++) {
        free(secs[i].full);
        free(secs[i].shed);
    }
    free(secs);
    return out;
}
