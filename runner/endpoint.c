/*
 * endpoint.c - the ClearML read/write table.  First matching row wins;
 * the last row makes everything unknown a write, so a new endpoint is
 * never retried or let through --dry-run by accident.
 */
#include <config.h>

#include "endpoint.h"

#include <ctype.h>
#include <string.h>

/* Keep in step with the list above clearml_call in sdk/mlgate/plugin.h
 * and the --dry-run text of doc/mlgate.1 (tests/check_exec pins each
 * row). */
const struct endpoint_rule endpoint_rules[] = {
    {NULL, "get_*", 1},        /* tasks.get_all, events.get_task_log */
    {NULL, "info", 1},         /* server.info */
    {"auth", "login", 1},      /* a token, no state changed */
    {"events", "add*", 0},     /* events.add, events.add_batch */
    {"events", "delete*", 0},  /* events.delete_for_task */
    {"events", "clear*", 0},   /* events.clear_task_log */
    {"events", NULL, 1},       /* plots, debug_images, *_iter_raw, ... */
    {NULL, NULL, 0},           /* everything else writes */
    {NULL, NULL, -1}
};

int endpoint_ok(const char *e)
{
    const char *dot = e != NULL ? strchr(e, '.') : NULL;
    const char *p;

    if (dot == NULL || dot == e || dot[1] == '\0' || strchr(dot + 1, '.'))
        return 0;
    for (p = e; *p != '\0'; p++)
        if (*p != '.' && *p != '_' && !isalnum((unsigned char)*p))
            return 0;
    return 1;
}

/* Does pattern (exact, or a prefix ending in '*') match the n bytes of s
 * (s is NUL-terminated after them)? */
static int endpoint_match(const char *pattern, const char *s, size_t n)
{
    size_t m;

    if (pattern == NULL)
        return 1;
    m = strlen(pattern);
    if (m > 0 && pattern[m - 1] == '*')
        return n >= m - 1 && strncmp(s, pattern, m - 1) == 0;
    return n == m && strncmp(s, pattern, n) == 0;
}

int endpoint_is_read(const char *e)
{
    const struct endpoint_rule *r;
    const char *dot;

    if (!endpoint_ok(e))
        return 0;
    dot = strchr(e, '.');
    for (r = endpoint_rules; r->read >= 0; r++)
        if (endpoint_match(r->service, e, (size_t)(dot - e)) &&
            endpoint_match(r->action, dot + 1, strlen(dot + 1)))
            return r->read;
    return 0;
}
