/*
 * hostile.c - test plugin that misbehaves at the host boundary: it
 * printf()s to its stdout, hands the host invalid UTF-8 (summary,
 * details, outputs, annotation, request bodies) and leaves behind a
 * grandchild that called setsid(), whose pid it writes to the file named
 * by its "pidfile" option.  The runner must keep its outputs valid and
 * end the grandchild.
 */
#include <config.h>

#include "mlgate/plugin.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const struct mlg_option hostile_options[] = {
    {"pidfile", MLG_OPT_STRING, NULL, "where the grandchild's pid goes",
     MLG_OPT_REQUIRED, NULL},
    {NULL, 0, NULL, NULL, 0, NULL}
};

/* A grandchild in its own session, out of the check's process group.
 * Returns its pid once it has called setsid(), or -1. */
static pid_t hostile_escape(void)
{
    int p[2];
    char c;
    pid_t pid;

    if (pipe(p) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        setsid();
        if (write(p[1], "s", 1) != 1)
            _exit(1);
        close(p[1]);
        for (;;)
            pause();
    }
    close(p[1]);
    if (pid < 0 || read(p[0], &c, 1) != 1)
        pid = -1;
    close(p[0]);
    return pid;
}

static int hostile_run(void *state, struct mlg_check *check)
{
    const struct mlg_host *h = state;
    const char *pidfile = h->opt_str(check, "pidfile");
    cJSON *body = cJSON_CreateObject();
    cJSON *comment = cJSON_CreateObject();
    const cJSON *data = NULL;
    struct mlg_error e = MLG_ERROR_INIT;
    int st = 0;
    pid_t pid;
    FILE *f;

    printf("{\"printed\": \"to stdout by a plugin\"\n");
    fflush(stdout);
    /* Requests with hostile text (fields the APIs know): \xff, a lone
     * continuation byte, a truncated sequence. */
    cJSON_AddStringToObject(body, "name", "bad \xff name \x80 \xe2\x82");
    h->clearml_call(check, "tasks.get_all", body, &data, &e);
    cJSON_AddStringToObject(comment, "body", "bad \xff name \x80 \xe2\x82");
    h->forge_call(check, "POST", "/repos/acme/ml-repo/issues/12/comments",
                  comment, &st, &data, &e);
    cJSON_Delete(body);
    cJSON_Delete(comment);
    h->detail(check, "detail \xc3\x28 bytes\n");
    h->output(check, "bad\xff", "value \xed\xa0\x80 surrogate");
    h->annotate(check, MLG_ANNOT_WARNING, "file\xff.c", 3, "note \xf8");
    h->log(check, MLG_LOG_INFO, "log \xff line");
    pid = hostile_escape();
    if (pid < 0 || pidfile == NULL || (f = fopen(pidfile, "w")) == NULL) {
        h->result(check, MLG_ERROR, "could not start the grandchild");
        return MLG_ERROR;
    }
    fprintf(f, "%ld\n", (long)pid);
    fclose(f);
    h->result(check, MLG_PASS, "summary \xff\xfe with bad bytes \xc0\xaf");
    return MLG_PASS;
}

static int hostile_init(const struct mlg_host *host, struct mlg_check *check,
                        void **state, char *err)
{
    (void)check;
    (void)err;
    *state = (void *)host;
    return 0;
}

static const struct mlg_plugin hostile_plugin = {
    MLG_PLUGIN_HEAD, 0,
    "hostile", "1.0", "misbehaves at the host boundary", hostile_options,
    hostile_init, hostile_run, NULL, {NULL}, MLG_PLUGIN_TAIL(0)
};

const struct mlg_plugin *mlg_plugin_entry(void)
{
    return &hostile_plugin;
}
