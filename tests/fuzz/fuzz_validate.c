/*
 * fuzz_validate.c - libFuzzer target for the identifier and number rules
 * (runner/validate.c) and the output rule (log_fold): whatever the input,
 * an accepted value has only the characters its rule allows, a number is
 * finite and in range, and folded text has no control character.
 */
#include <config.h>

#include <math.h>

#include "fuzz.h"
#include "log.h"
#include "validate.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_init(0);
    return 0;
}

/* Only characters of set, or '/' when slash. */
static int fz_only(const char *s, const char *set, int slash)
{
    for (; *s; s++)
        if (!strchr(set, *s) && !(slash && *s == '/'))
            return 0;
    return 1;
}

#define FZ_NAME "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
                "0123456789"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };
    char *s = fz_str(&f), *folded;
    const unsigned char *u;
    long pr = -1;
    double d = -1;

    if (validate_clearml_id(s))
        FZ_CHECK(*s && strlen(s) <= 64 && fz_only(s, FZ_NAME "_-", 0));
    if (validate_repo(s, 0)) {
        const char *slash = strchr(s, '/');

        FZ_CHECK(slash && slash != s && slash[1] && !strchr(slash + 1, '/'));
        FZ_CHECK(fz_only(s, FZ_NAME "_-.", 1));
        FZ_CHECK(!strstr(s, "/../") && strncmp(s, "../", 3) != 0);
    }
    if (validate_repo(s, 1)) {
        FZ_CHECK(strchr(s, '/') && fz_only(s, FZ_NAME "_-.", 1));
        FZ_CHECK(!strstr(s, "//") && s[0] != '/' && s[strlen(s) - 1] != '/');
        FZ_CHECK(!strstr(s, "/.") && s[0] != '.');
    }
    if (validate_sha(s))
        FZ_CHECK(strlen(s) == 40 && fz_only(s, "0123456789abcdefABCDEF", 0));
    if (validate_login(s))
        FZ_CHECK(*s && fz_only(s, FZ_NAME "_-.[]", 0));
    if (validate_pr_number(s, &pr)) {
        char back[32];

        FZ_CHECK(pr >= 1 && pr <= 2147483647L);
        snprintf(back, sizeof back, "%ld", pr);
        FZ_CHECK(strcmp(back, s) == 0); /* no sign, zeros, spaces, tail */
    }
    if (validate_duration(s, VALIDATE_DURATION_MAX, &d))
        FZ_CHECK(isfinite(d) && d >= 0 && d <= VALIDATE_DURATION_MAX);

    folded = log_fold(s);
    for (u = (const unsigned char *)folded; *u; u++) {
        FZ_CHECK(*u >= 0x20 && *u != 0x7f);
        FZ_CHECK(!(u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f));
    }
    FZ_CHECK(strlen(folded) <= strlen(s));
    free(folded);
    free(s);
    return 0;
}
