/*
 * fuzz_clearml.c - libFuzzer target for the ClearML readers: the
 * meta/data envelope of any response (status, content type and body from
 * the input), then the task-list reader on the data it yields.
 */
#include <config.h>

#include <cjson/cJSON.h>

#include "clearml.h"
#include "fuzz.h"
#include "http.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_init(0);
    return 0;
}

/* The first clean task really is clean: script.diff absent, null or "". */
static int fz_clean(const cJSON *t)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(t, "script"), "diff");

    return !d || cJSON_IsNull(d) ||
           (cJSON_IsString(d) && d->valuestring[0] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long statuses[] = { 200, 200, 201, 400, 401, 403, 404,
                                     500, 502, 503 };
    struct fz f = { data, size };
    unsigned sel = fz_byte(&f);
    struct http_resp resp;
    struct mlg_error err;
    cJSON *d = NULL;
    int rc;

    memset(&resp, 0, sizeof resp);
    resp.status = statuses[sel % (sizeof statuses / sizeof statuses[0])];
    resp.headers = sel & 0x80 ? fz_str(&f) :
        xstrdup("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n");
    /* An exact-size, NUL-terminated copy, as http.c hands it over. */
    resp.len = f.n;
    resp.body = xmalloc(f.n + 1);
    memcpy(resp.body, f.p, f.n);
    resp.body[f.n] = '\0';
    memset(&err, 0, sizeof err);

    rc = clearml_parse_envelope(&resp, "http://127.0.0.1:8008/v2.23/"
                                "tasks.get_all?x=1", "tasks.get_all", &d,
                                &err);
    if (rc == 0) {
        cJSON *task = NULL, *dirty = NULL;

        FZ_CHECK(d != NULL);
        FZ_CHECK(clearml_pick_task(d, &task, &dirty) >= 0);
        FZ_CHECK(!task || fz_clean(task));
        FZ_CHECK(!dirty || !fz_clean(dirty));
        cJSON_Delete(task);
        cJSON_Delete(dirty);
    } else {
        FZ_CHECK(d == NULL);
        FZ_CHECK(fz_one_line(err.message));
    }
    cJSON_Delete(d);
    http_resp_free(&resp);
    return 0;
}
