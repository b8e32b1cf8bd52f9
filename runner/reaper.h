/*
 * reaper.h - no process a check started outlives the run.  The runner
 * becomes a child subreaper (Linux PR_SET_CHILD_SUBREAPER, FreeBSD
 * procctl(PROC_REAP_ACQUIRE)), so a descendant that left the check's
 * process group (setsid) is re-parented to the runner when its parent
 * exits; at the end of the run every such child is killed and reaped.
 */
#ifndef MLG_REAPER_H
#define MLG_REAPER_H

#include <stddef.h>
#include <sys/types.h>

struct reaper {
    int active;     /* the subreaper role was acquired */
    pid_t *before;  /* our children when the run started (not ours to
                       end: e.g. a test's server); owned */
    size_t nbefore;
};

/* Become a subreaper and remember the children we already have. */
void reaper_begin(struct reaper *r);

/* SIGKILL and reap every child that is not in r->before, repeating while
 * killing one re-parents its own children to us.  Returns how many were
 * ended.  Frees r's memory. */
size_t reaper_end(struct reaper *r);

/* In a child the runner just forked (a check, a helper): the kernel
 * sends it SIGTERM when the runner dies (Linux prctl, FreeBSD procctl),
 * and if the runner died before that was set it leaves now (_exit 1).
 * parent: the runner's pid, taken before fork(). */
void reaper_bind_child(pid_t parent);

#endif
