/*
 * fuzz_github.c - libFuzzer target for the GitHub readers: the Link
 * header (rel="next") from a raw response header block, a page of issue
 * comments or notes (finding the marker by the run's author), and the
 * error text of error bodies.
 */
#include <config.h>

#include <cjson/cJSON.h>

#include "forge_impl.h"
#include "fuzz.h"
#include "http.h"
#include "log.h"

#define FZ_MARKER "<!-- mlgate:mlgate -->"
#define FZ_AUTHOR "github-actions[bot]"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_init(0);
    return 0;
}

static void fz_link(const char *link)
{
    char *next = http_link_next(link);

    /* The URL between '<' and '>' of one link-value, verbatim. */
    if (next) {
        FZ_CHECK(link && strstr(link, next) != NULL);
        FZ_CHECK(!strchr(next, '>'));
    }
    free(next);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };
    struct http_resp resp;
    char *link, *body = NULL, *url = NULL, *text;
    long long id = 0;
    struct forge_foreign fo;
    cJSON *j;

    memset(&resp, 0, sizeof resp);
    resp.status = 200;
    resp.headers = fz_str(&f);
    link = http_resp_header(&resp, "link");
    if (link)
        FZ_CHECK(!strchr(link, '\n'));
    fz_link(link);
    fz_link(resp.headers);
    free(link);

    j = cJSON_ParseWithLength((const char *)f.p, f.n);
    memset(&fo, 0, sizeof fo);
    if (github_pick_comment(j, FZ_MARKER, FZ_AUTHOR, &id, &body, &url,
                            &fo)) {
        FZ_CHECK(id > 0 && body && url);
        FZ_CHECK(strstr(body, FZ_MARKER) != NULL);
    } else {
        FZ_CHECK(!body && !url);
    }
    /* Someone else's marker comment is counted, never taken. */
    FZ_CHECK(fo.n == 0 || fo.first_id > 0);
    free(body);
    body = NULL;
    memset(&fo, 0, sizeof fo);
    id = 0;
    if (gitlab_pick_note(j, FZ_MARKER, FZ_AUTHOR, &id, &body, &fo))
        FZ_CHECK(id > 0 && body && strstr(body, FZ_MARKER) != NULL);
    else
        FZ_CHECK(!body);
    text = github_error_text(j);
    FZ_CHECK(text != NULL);
    free(text);
    text = gitlab_error_text(j);
    FZ_CHECK(text != NULL);
    free(text);

    free(body);
    free(url);
    cJSON_Delete(j);
    http_resp_free(&resp);
    return 0;
}
