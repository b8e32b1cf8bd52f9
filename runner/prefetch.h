/*
 * prefetch.h - the sticky comment's lookup (forge_find_comment), started
 * before the checks in a helper process (lookahead.h) because it
 * depends on none of them, and used by publish_comment after them
 * instead of listing the comments again.
 */
#ifndef MLG_PREFETCH_H
#define MLG_PREFETCH_H

#include "forge.h"

/* Seconds an answer stays usable: past that, a comment may have
 * appeared meanwhile (a concurrent run of the same PR that the lookup
 * could not see), and publish looks again itself. */
#define PREFETCH_FRESH 30.0

struct prefetch;

/* What the helper found: the comment to update (id 0: none of ours). */
struct prefetch_hit {
    long long id;
    char *body;   /* its body, or NULL; owned */
    char *url;    /* its link, or NULL; owned */
    int pages;    /* list requests the helper made */
};

/* Start looking up the comment of pr carrying marker (copied) with f,
 * every call bounded by deadline (absolute now_mono() seconds).  Call
 * before exec_run (lookahead.h).  NULL when the helper cannot start.
 * Caller frees with prefetch_free(), after the last prefetch_take. */
struct prefetch *prefetch_start(struct forge *f, long pr,
                                const char *marker, double deadline);

/* The helper's answer for marker, waiting for it until deadline (a
 * signal caught ends the wait: an answer complete by then is still
 * taken).  Returns 0 with *hit (caller frees with prefetch_hit_free)
 * when publish may use it; -1 (the reason logged at -v) when publish
 * must look up itself: no helper, another marker, the helper failed,
 * died, timed out, was cut by the cancellation, or the answer is older
 * than PREFETCH_FRESH.  Either way what the helper learnt (the author,
 * the foreign-marker line said) goes into f.  Once per prefetch. */
int prefetch_take(struct prefetch *pf, struct forge *f, const char *marker,
                  double deadline, struct prefetch_hit *hit);

void prefetch_hit_free(struct prefetch_hit *hit);

/* Ends the helper if it still runs (SIGKILL) and reaps it.  NULL is
 * fine. */
void prefetch_free(struct prefetch *pf);

/* Whether an answer made at `at` may still be used at `now` (both
 * now_mono() seconds): not older than PREFETCH_FRESH.  Exposed for
 * tests. */
int prefetch_fresh(double at, double now);

#endif
