/*
 * endpoint.h - the one rule for ClearML endpoints: is "service.action"
 * well formed, and is it a read or a write?  --dry-run (host.c), retries
 * (clearml.c) and plugin.h all follow endpoint.c's table.
 */
#ifndef MLG_ENDPOINT_H
#define MLG_ENDPOINT_H

/* Non-zero when e is service.action with letters, digits and '_' only. */
int endpoint_ok(const char *e);

/* Non-zero when the well-formed endpoint e only reads (allowed under
 * --dry-run, retried after a server error); 0 for writes and for
 * malformed endpoints. */
int endpoint_is_read(const char *e);

/* One row of the rule, for tests and documentation: service NULL matches
 * any service; action is a prefix when it ends with '*', else exact;
 * NULL matches any action. */
struct endpoint_rule {
    const char *service;
    const char *action;
    int read;
};

/* The table, ending with a row whose read is -1. */
extern const struct endpoint_rule endpoint_rules[];

#endif
