/*
 * lookahead.h - one function run ahead in a forked helper process while
 * the runner goes on; its answer, one JSON document, comes back over a
 * pipe and is collected later (prefetch.c: the sticky comment's lookup
 * beside the checks).
 *
 * Start it before exec_run(): exec_run's reaper ends at its end every
 * child that did not exist at its start, and leaves the others alone.
 * The helper gets the parent-death signal, the default SIGINT, SIGTERM
 * and SIGHUP (a signal may simply end it: the caller then does the work
 * itself), no file descriptor but 0, 1, 2 and its pipe, and ends with
 * _exit.  The caller reaps it: lookahead_collect() or lookahead_free().
 */
#ifndef MLG_LOOKAHEAD_H
#define MLG_LOOKAHEAD_H

struct cJSON;
struct lookahead;

/* Runs in the helper: returns the answer (the helper frees it), or NULL
 * to say nothing (the collector then sees "no answer").  arg is the
 * parent's, as fork() copied it. */
typedef struct cJSON *(*lookahead_fn)(void *arg);

/* Fork the helper running fn(arg).  NULL when it cannot start (logged
 * at -v).  Caller frees with lookahead_free(). */
struct lookahead *lookahead_start(const char *what, lookahead_fn fn,
                                  void *arg);

/* The helper's answer: waits until it is complete, or until deadline
 * (absolute now_mono() seconds), or until a signal is caught
 * (http_cancelled: then only an answer complete by now is taken).  Once
 * the wait ends the helper is ended if still running (SIGKILL) and
 * reaped.  Returns the answer (caller frees with cJSON_Delete), or NULL
 * with *why (a static string) saying why there is none.  Once only:
 * later calls return NULL. */
struct cJSON *lookahead_collect(struct lookahead *la, double deadline,
                                const char **why);

/* Ends (SIGKILL) and reaps the helper if still running; frees la.
 * NULL is fine. */
void lookahead_free(struct lookahead *la);

#endif
