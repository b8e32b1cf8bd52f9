/*
 * result.h - one check's result and the merged run, as every sink sees
 * them (text, JSON, JUnit, Markdown, comment, statuses, outputs).
 */
#ifndef MLG_RESULT_H
#define MLG_RESULT_H

#include <stddef.h>

#include "mlgate/plugin.h"

struct result_annot {
    int level;      /* enum mlg_annot_level */
    char *file;     /* or NULL */
    long line;      /* 0 = none */
    char *message;
};

struct result_kv {
    char *key;
    char *value;
};

struct check_result {
    char *name;      /* the [check NAME] */
    char *plugin;    /* plugin name as loaded */
    int status;      /* enum mlg_status */
    char *summary;   /* one line, never NULL */
    char *details;   /* Markdown, never NULL ("" when none) */
    double duration; /* seconds, wall */
    struct result_annot *annots;
    size_t nannots;
    struct result_kv *outputs;
    size_t noutputs;
};

/* The merged run.  Owns its results. */
struct run_result {
    struct check_result *checks;
    size_t n;
    int overall;       /* merged status */
    double duration;   /* seconds, wall, whole run */
};

/* Merge order PASS = SKIP < WARN < ERROR < FAIL. */
int result_merge(int a, int b);
/* The process exit code for a merged status (0, 1 or 2). */
int result_exit_code(int overall);
/* "PASS", "WARN", "FAIL", "ERROR", "SKIP" (or "?"). */
const char *result_status_name(int status);
/* Lower-case forms for JSON/outputs: "pass", ... */
const char *result_status_word(int status);

/* Recompute rr->overall from its checks. */
void result_finish(struct run_result *rr);
void check_result_free(struct check_result *r);
void run_result_free(struct run_result *rr);

#endif
