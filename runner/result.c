/*
 * result.c - status names, the one merge function and result lifetimes.
 */
#include <config.h>

#include "result.h"

#include <stdlib.h>

/* Rank for merging: SKIP counts as PASS; ERROR outranks WARN so a gate
 * never passes quietly when a check could not run; FAIL is worst. */
static int rank(int status)
{
    switch (status) {
    case MLG_PASS:
    case MLG_SKIP:
        return 0;
    case MLG_WARN:
        return 1;
    case MLG_ERROR:
        return 2;
    case MLG_FAIL:
        return 3;
    default:
        return 2; /* an unknown status could not be evaluated */
    }
}

int result_merge(int a, int b)
{
    int ra = rank(a), rb = rank(b);

    if (ra == rb)
        return a == MLG_SKIP ? b : a;
    return ra > rb ? a : b;
}

int result_exit_code(int overall)
{
    switch (overall) {
    case MLG_FAIL:
        return 1;
    case MLG_ERROR:
        return 2;
    case MLG_PASS:
    case MLG_WARN:
    case MLG_SKIP:
        return 0;
    default:
        return 2;
    }
}

const char *result_status_name(int status)
{
    switch (status) {
    case MLG_PASS:
        return "PASS";
    case MLG_WARN:
        return "WARN";
    case MLG_FAIL:
        return "FAIL";
    case MLG_ERROR:
        return "ERROR";
    case MLG_SKIP:
        return "SKIP";
    default:
        return "?";
    }
}

const char *result_status_word(int status)
{
    switch (status) {
    case MLG_PASS:
        return "pass";
    case MLG_WARN:
        return "warn";
    case MLG_FAIL:
        return "fail";
    case MLG_ERROR:
        return "error";
    case MLG_SKIP:
        return "skip";
    default:
        return "error";
    }
}

void result_finish(struct run_result *rr)
{
    size_t i;
    int overall = MLG_PASS;

    for (i = 0; i < rr->n; i++)
        overall = result_merge(overall, rr->checks[i].status);
    /* A run whose every check was skipped is still a pass. */
    rr->overall = overall == MLG_SKIP ? MLG_PASS : overall;
}

void check_result_free(struct check_result *r)
{
    size_t i;

    free(r->name);
    free(r->plugin);
    free(r->summary);
    free(r->details);
    for (i = 0; i < r->nannots; i++) {
        free(r->annots[i].file);
        free(r->annots[i].message);
    }
    free(r->annots);
    for (i = 0; i < r->noutputs; i++) {
        free(r->outputs[i].key);
        free(r->outputs[i].value);
    }
    free(r->outputs);
}

void run_result_free(struct run_result *rr)
{
    size_t i;

    for (i = 0; i < rr->n; i++)
        check_result_free(&rr->checks[i]);
    free(rr->checks);
    rr->checks = NULL;
    rr->n = 0;
}
