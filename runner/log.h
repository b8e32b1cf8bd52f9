/*
 * log.h - the runner's only way to write diagnostics, with secret masking.
 * Every token or key the runner learns is registered here first; every
 * line written through log_* (and every report, via log_mask) has them
 * replaced by "***".
 */
#ifndef MLG_LOG_H
#define MLG_LOG_H

#include <stdarg.h>
#include <stdio.h>

#include "mlgate/plugin.h"

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3,
                 LOG_TRACE = 4 };

/* verbosity: 0 = -q (errors only), 2 = default, 3 = -v, 4 = -vv. */
void log_init(int verbosity);

/* Register a secret (copied); the list has no size limit.  Values
 * shorter than 4 characters are not registered (they would mask ordinary
 * text).  A multi-line secret is registered whole and line by line.  In
 * GitHub Actions prints "::add-mask::LINE" to stdout once per line of
 * each secret, before anything else could print it. */
void log_secret_add(const char *secret);
/* How many values are registered (for tests). */
size_t log_secret_count(void);

/* The one output rule: every C0 control character (CR, LF, TAB, ESC...),
 * DEL and UTF-8-encoded C1 control becomes a space, so a text from a
 * server, plugin, payload or conf stays on its line and cannot start a
 * workflow command.  log_fold returns a folded copy (caller frees; ""
 * for NULL); log_fold_inplace folds s itself. */
char *log_fold(const char *s);
void log_fold_inplace(char *s);

/* Replace every registered secret in s with "***".  Returns a new string;
 * caller frees. */
char *log_mask(const char *s);
/* Non-zero when s contains a registered secret. */
int log_has_secret(const char *s);

/* "mlgate: " prefixed, masked, folded, one line to stderr when level <= verbosity.
 * prefix (may be NULL) is e.g. a check name. */
void log_msg(int level, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Fill *err (when not NULL): kind, HTTP status, ClearML subcode and a
 * printf message folded (log_fold) with every secret masked — the one
 * way every client builds the errors plugins and users see. */
void log_seterr(struct mlg_error *err, int kind, int status, int subcode,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Write s to f masked (for reports and files). Returns 0 or -1. */
int log_fputs_masked(const char *s, FILE *f);

#endif
