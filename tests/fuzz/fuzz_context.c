/*
 * fuzz_context.c - libFuzzer target for the GitHub Actions event payload
 * reader (the run context).  The first byte picks the event name, the
 * rest is the payload.
 */
#include <config.h>

#include "context.h"
#include "fuzz.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_init(0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const events[] = {
        "pull_request", "pull_request_target", "issue_comment", "push",
        "workflow_dispatch", "merge_group", "workflow_run", ""
    };
    struct fz f = { data, size };
    const char *event = events[fz_byte(&f) % (sizeof events /
                                              sizeof events[0])];
    struct run_context ctx;
    char err[512];
    /* An exact-size copy: ASan sees any read past the payload. */
    char *payload = xmalloc(f.n ? f.n : 1);

    memcpy(payload, f.p, f.n);
    err[0] = '\0';
    if (context_from_github_event(&ctx, event, payload, f.n, err,
                                  sizeof err) == 0) {
        FZ_CHECK(ctx.forge && ctx.event && ctx.repo && ctx.project_id);
        FZ_CHECK(ctx.head_sha && ctx.head_ref && ctx.head_repo);
        FZ_CHECK(ctx.head_clone_url && ctx.base_ref && ctx.base_sha);
        FZ_CHECK(ctx.run_url && ctx.api_url && ctx.server_url);
        FZ_CHECK(ctx.pr >= 0);
    } else {
        FZ_CHECK(fz_one_line(err));
    }
    context_free(&ctx);
    free(payload);
    return 0;
}
