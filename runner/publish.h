/*
 * publish.h - every sink of the one report (design §7): the job summary,
 * GITHUB_OUTPUT, Actions annotations, the sticky PR/MR comment and the
 * commit statuses.
 */
#ifndef MLG_PUBLISH_H
#define MLG_PUBLISH_H

#include "conf.h"
#include "context.h"
#include "forge.h"
#include "prefetch.h"
#include "result.h"

/* Start looking up the sticky comment in a helper process, beside the
 * checks (prefetch.h), when publishing will want it: a forge client f, a
 * PR, [report] comment = update (the default), no signal caught yet.
 * Every call of the helper is bounded by deadline (the run's, absolute
 * now_mono() seconds, 0 = none).  Call before exec_run.  NULL when not
 * started.  Caller frees with prefetch_free() after publish_run. */
struct prefetch *publish_prefetch(const struct run_context *ctx,
                                  const struct conf *c, struct forge *f,
                                  double deadline);

/* Publish to every sink the context and conf enable.  f may be NULL (no
 * forge configured).  Every forge call is bounded by deadline (absolute
 * now_mono() seconds, 0 = each call's own bound only); a signal caught
 * meanwhile (http_interrupt) cuts the call under way and leaves the rest
 * PUBLISH_CANCEL_BUDGET seconds: the comment, then the statuses.  pf
 * (borrowed, may be NULL): the comment looked up beside the checks,
 * waited for within the same bounds; publish lists the comments itself
 * when its answer cannot be used.  Never changes the run's exit code;
 * failures become ::warning:: lines / log warnings.  Returns the number
 * of sinks that could not be written. */
int publish_run(const struct run_result *rr, const struct run_context *ctx,
                const struct conf *c, struct forge *f, int dry_run,
                double deadline, struct prefetch *pf);

/* Where the full report can be read, for the job summary's notes on what
 * it cut (Markdown, a static string): "the job log" only when the job
 * log holds the Markdown report (--format markdown).  Default: the
 * --format markdown output, which this job did not log. */
void publish_full_report_at(const char *where);

/* Seconds publishing gets once the run is cancelled or past its
 * deadline. */
#define PUBLISH_CANCEL_BUDGET 3.0

#endif
