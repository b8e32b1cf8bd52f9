/*
 * prefetch.c - the sticky comment looked up beside the checks: the
 * helper (lookahead.c) runs forge_find_comment and writes what it found
 * as JSON ({"id", "body", "url", "pages"} or {"error": {"kind",
 * "status", "message"}}, with "author", "foreign_said" and "at"); the
 * parent decides after the checks whether publish may use it.
 */
#include <config.h>

#include "prefetch.h"

#include "log.h"
#include "lookahead.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

struct prefetch {
    struct lookahead *la;
    struct forge *f;    /* the parent's; the helper uses its copy */
    long pr;
    char *marker;
    double deadline;
    int taken;
};

int prefetch_fresh(double at, double now)
{
    return now - at <= PREFETCH_FRESH;
}

/* The helper's work (lookahead_fn): its answer, whatever happened. */
static cJSON *prefetch_child(void *arg)
{
    struct prefetch *pf = arg;
    struct mlg_error err;
    char *body = NULL, *url = NULL;
    long long id = 0;
    int pages = 0;
    cJSON *a = cJSON_CreateObject(), *e;
    const char *author;

    memset(&err, 0, sizeof err);
    if (forge_find_comment(pf->f, pf->pr, pf->marker, &id, &body, &url,
                           &pages, pf->deadline, &err) == 0) {
        cJSON_AddNumberToObject(a, "id", (double)id);
        if (body)
            cJSON_AddStringToObject(a, "body", body);
        if (url)
            cJSON_AddStringToObject(a, "url", url);
        cJSON_AddNumberToObject(a, "pages", pages);
    } else {
        e = cJSON_AddObjectToObject(a, "error");
        cJSON_AddNumberToObject(e, "kind", err.kind);
        cJSON_AddNumberToObject(e, "status", err.status);
        cJSON_AddStringToObject(e, "message", err.message);
    }
    author = forge_author_known(pf->f);
    if (author)
        cJSON_AddStringToObject(a, "author", author);
    cJSON_AddBoolToObject(a, "foreign_said", forge_foreign_said(pf->f));
    /* CLOCK_MONOTONIC is the machine's: the parent reads the same. */
    cJSON_AddNumberToObject(a, "at", now_mono());
    free(body);
    free(url);
    return a;
}

struct prefetch *prefetch_start(struct forge *f, long pr,
                                const char *marker, double deadline)
{
    struct prefetch *pf = xcalloc(1, sizeof *pf);

    pf->f = f;
    pf->pr = pr;
    pf->marker = xstrdup(marker);
    pf->deadline = deadline;
    pf->la = lookahead_start("the comment lookup", prefetch_child, pf);
    if (!pf->la) {
        prefetch_free(pf);
        return NULL;
    }
    return pf;
}

static const char *prefetch_str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A number member of o, or dflt when missing or not a number. */
static double prefetch_num(const cJSON *o, const char *k, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

int prefetch_take(struct prefetch *pf, struct forge *f, const char *marker,
                  double deadline, struct prefetch_hit *hit)
{
    const cJSON *e;
    const char *why = NULL;
    cJSON *a;
    double at, id;
    int rc = -1;

    memset(hit, 0, sizeof *hit);
    if (!pf || pf->taken)
        return -1;
    pf->taken = 1;
    if (strcmp(marker, pf->marker) != 0) {
        log_msg(LOG_DEBUG, NULL, "the comment lookup made beside the "
                "checks looked for another marker: not used");
        return -1;
    }
    a = lookahead_collect(pf->la, deadline, &why);
    if (!a) {
        log_msg(LOG_DEBUG, NULL, "the comment lookup made beside the "
                "checks is not used: %s", why);
        return -1;
    }
    forge_learn(f, prefetch_str(a, "author"), cJSON_IsTrue(
        cJSON_GetObjectItemCaseSensitive(a, "foreign_said")));
    e = cJSON_GetObjectItemCaseSensitive(a, "error");
    at = prefetch_num(a, "at", -1e300);
    id = prefetch_num(a, "id", -1);
    if (e) {
        log_msg(LOG_DEBUG, NULL, "the comment lookup made beside the "
                "checks failed: %s", prefetch_str(e, "message") ?
                prefetch_str(e, "message") : "?");
    } else if (!prefetch_fresh(at, now_mono())) {
        log_msg(LOG_DEBUG, NULL, "the comment lookup made beside the "
                "checks is %.0f s old: looking again", now_mono() - at);
    } else if (!(id >= 0 && id < 9007199254740992.0)) {
        log_msg(LOG_DEBUG, NULL, "the comment lookup made beside the "
                "checks gave no comment id: not used");
    } else {
        hit->id = (long long)id;
        hit->body = xstrdup(prefetch_str(a, "body"));
        hit->url = xstrdup(prefetch_str(a, "url"));
        hit->pages = (int)prefetch_num(a, "pages", 0);
        log_msg(LOG_DEBUG, NULL, "the comment lookup made beside the "
                "checks is used (%d page%s, %.1f s old)", hit->pages,
                hit->pages == 1 ? "" : "s", now_mono() - at);
        rc = 0;
    }
    cJSON_Delete(a);
    return rc;
}

void prefetch_hit_free(struct prefetch_hit *hit)
{
    free(hit->body);
    free(hit->url);
    memset(hit, 0, sizeof *hit);
}

void prefetch_free(struct prefetch *pf)
{
    if (!pf)
        return;
    lookahead_free(pf->la);
    free(pf->marker);
    free(pf);
}
