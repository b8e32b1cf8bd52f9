/*
 * markdown.h - the combined Markdown report (design §7): escaping of
 * foreign text, rendering of the verdict/table/details/footer/marker, and
 * shedding of detail sections to fit a size limit.
 *
 * Trust model.  Summaries, check names and everything a server says are
 * foreign text: they are escaped (md_escape) wherever they appear.
 * Details are Markdown built by plugins (tables, code fences, Mermaid),
 * so they are kept as Markdown, but before publishing md_neutralise()
 * makes them unable to break the report:
 * - every "<!" (HTML comments: no forged marker, no comment swallowing
 *   the rest of the report) and "<?" is neutralised;
 * - HTML tags outside a small allow-list (a b br code del em i img ins kbd
 *   p s span strong sub sup) are neutralised, in particular the block
 *   tags that run to the end of the document (pre, script, style,
 *   textarea);
 * - <details>/<summary> may nest inside a check's section only as far as
 *   they balance: a </details> with nothing open is neutralised, what is
 *   left open is closed; inside code they are text and neutralised;
 * - an unclosed code fence is closed at the end of the section.
 * Neutralising inserts U+200B ZERO WIDTH SPACE after the '<': the text
 * still reads as typed, but is no longer a tag or comment.
 * Mentions: an '@' followed by a name character, outside code fences and
 * code spans (and in every escaped text), gets U+200D ZERO WIDTH JOINER
 * after it, as Dependabot does, so "@org/team" in a task or metric name
 * pings no one.  C1 control characters are dropped like C0 ones.
 */
#ifndef MLG_MARKDOWN_H
#define MLG_MARKDOWN_H

#include <stddef.h>

#include "context.h"
#include "result.h"

/* GitHub's comment limit and GitLab's note limit, in code points. */
#define MD_LIMIT_GITHUB 65536
#define MD_LIMIT_GITLAB 1000000

struct md_opts {
    const char *id;       /* marker id, default "mlgate" */
    const char *version;  /* mlgate version for the footer */
    size_t limit;         /* max characters (code points); 0 = no limit */
    /* Where the full report can be read, for the note on shed details;
     * NULL = "the job summary".  Markdown, inserted as is. */
    const char *full_at;
};

/* Escape text from plugins/servers for Markdown (mode: enum mlg_md_mode
 * from plugin.h).  Invalid UTF-8 becomes U+FFFD, terminal escape
 * sequences and other control characters are dropped.  Caller frees. */
char *md_escape(const char *text, int mode);

/* The whole report. Caller frees. */
char *markdown_report(const struct run_result *rr,
                      const struct run_context *ctx,
                      const struct md_opts *o);

/* The hidden marker for id (NULL = "mlgate"), e.g. "<!-- mlgate:ci -->".
 * Characters outside [A-Za-z0-9._-] in id become '-'.  Caller frees. */
char *md_marker(const char *id);

/* Neutralise plugin details as described above (also cleans UTF-8 and
 * closes an unclosed fence).  Caller frees. */
char *md_neutralise(const char *details);

/* url made safe as a Markdown link destination ("[text](URL)").  Caller
 * frees. */
char *md_url(const char *url);

/* Length in code points (GitHub's "characters"). */
size_t md_length(const char *s);

/* s cut to at most max code points, ending in "…" when cut; never splits
 * a UTF-8 sequence.  Caller frees. */
char *md_cut(const char *s, size_t max);

#endif
