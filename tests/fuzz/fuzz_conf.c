/*
 * fuzz_conf.c - libFuzzer target for the mlgate.conf reader: parse any
 * text, then run every value through the typed parsers and every check
 * section through the option validator.
 */
#include <config.h>

#include "conf.h"
#include "fuzz.h"
#include "log.h"
#include "mlgate/plugin.h"

/* One option of every type, so the validator's paths all run. */
static const struct mlg_option fuzz_conf_opts[] = {
    { "s", MLG_OPT_STRING, NULL, "text", 0, NULL },
    { "i", MLG_OPT_INT, "3", "integer", 0, NULL },
    { "n", MLG_OPT_NUMBER, NULL, "number", 0, NULL },
    { "b", MLG_OPT_BOOL, "no", "flag", 0, NULL },
    { "d", MLG_OPT_DURATION, "10m", "duration", 0, NULL },
    { "e", MLG_OPT_ENUM, "max", "choice", 0, "max|min" },
    { "r", MLG_OPT_STRING, NULL, "required", MLG_OPT_REQUIRED, NULL },
    { NULL, 0, NULL, NULL, 0, NULL }
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_init(0);
    setenv("FUZZ_VAR", "value from the environment", 1);
    return 0;
}

static void fuzz_conf_section(const struct conf *c,
                              const struct conf_section *sec)
{
    char err[512];
    size_t k;

    FZ_CHECK(sec->kind != NULL);
    FZ_CHECK((strcmp(sec->kind, "check") == 0) == (sec->name != NULL));
    for (k = 0; k < sec->nkv; k++) {
        const struct conf_kv *kv = &sec->kv[k];
        long long i;
        double d;
        int b;

        FZ_CHECK(kv->key && kv->value);
        FZ_CHECK(conf_get_kv(sec, kv->key) != NULL);
        if (conf_parse_duration(kv->value, &d) == 0)
            FZ_CHECK(d >= 0 && d == d);
        (void)conf_parse_bool(kv->value, &b);
        (void)conf_parse_int(kv->value, &i);
        (void)conf_parse_number(kv->value, &d);
    }
    if (sec->name) {
        err[0] = '\0';
        if (conf_validate_check(c, sec, "fuzz", fuzz_conf_opts, err,
                                sizeof err) < 0)
            FZ_CHECK(fz_one_line(err));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    char err[512];
    struct conf c;
    size_t s;

    err[0] = '\0';
    if (conf_parse_string("fuzz.conf", text, &c, err, sizeof err) == 0) {
        for (s = 0; s < c.nsec; s++)
            fuzz_conf_section(&c, &c.sec[s]);
        (void)conf_find(&c, "clearml");
    } else {
        /* "FILE:LINE: reason", one line. */
        FZ_CHECK(strncmp(err, "fuzz.conf:", 10) == 0);
        FZ_CHECK(fz_one_line(err));
    }
    conf_free(&c);
    free(text);
    return 0;
}
