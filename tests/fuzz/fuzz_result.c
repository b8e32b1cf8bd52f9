/*
 * fuzz_result.c - libFuzzer target for the reader of the result a check's
 * child process sends its parent (a plugin may write anything there):
 * whatever it accepts is a valid result, and survives a round trip
 * through the writer unchanged.
 */
#include <config.h>

#include <cjson/cJSON.h>

#include "exec.h"
#include "fuzz.h"
#include "log.h"
#include "result.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_init(0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct check_result r, back;
    char *json;
    size_t i;

    memset(&r, 0, sizeof r);
    memset(&back, 0, sizeof back);
    if (exec_result_from_json((const char *)data, size, &r) == 0) {
        FZ_CHECK(r.status >= MLG_PASS && r.status <= MLG_SKIP);
        FZ_CHECK(r.summary && r.details);
        for (i = 0; i < r.nannots; i++)
            FZ_CHECK(r.annots[i].message && r.annots[i].line >= 0);
        for (i = 0; i < r.noutputs; i++)
            FZ_CHECK(r.outputs[i].key && r.outputs[i].value);

        json = exec_result_to_json(&r);
        FZ_CHECK(json != NULL);
        FZ_CHECK(exec_result_from_json(json, strlen(json), &back) == 0);
        FZ_CHECK(back.status == r.status);
        FZ_CHECK(strcmp(back.summary, r.summary) == 0);
        FZ_CHECK(strcmp(back.details, r.details) == 0);
        FZ_CHECK(back.nannots == r.nannots && back.noutputs == r.noutputs);
        for (i = 0; i < r.nannots; i++) {
            FZ_CHECK(back.annots[i].line == r.annots[i].line);
            FZ_CHECK(strcmp(back.annots[i].message,
                            r.annots[i].message) == 0);
        }
        for (i = 0; i < r.noutputs; i++)
            FZ_CHECK(strcmp(back.outputs[i].value, r.outputs[i].value) ==
                     0);
        free(json);
    }
    check_result_free(&r);
    check_result_free(&back);
    return 0;
}
