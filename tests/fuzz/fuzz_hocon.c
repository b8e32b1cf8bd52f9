/*
 * fuzz_hocon.c - libFuzzer target for the clearml.conf (HOCON subset)
 * reader.
 */
#include <config.h>

#include "clearml.h"
#include "fuzz.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_init(0);
    setenv("FUZZ_VAR", "https://api.example.com", 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct clearml_conf cc;
    char err[512];

    memset(&cc, 0, sizeof cc);
    err[0] = '\0';
    /* Not NUL-terminated on purpose: the reader must respect len. */
    if (clearml_conf_parse_hocon((const char *)data, size, &cc, err,
                                 sizeof err) < 0)
        FZ_CHECK(fz_one_line(err));
    clearml_conf_free(&cc);
    return 0;
}
