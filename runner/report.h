/*
 * report.h - the merged report as text (stdout), JSON and JUnit XML, and
 * atomic, masked report files.
 */
#ifndef MLG_REPORT_H
#define MLG_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "context.h"
#include "result.h"

/* Non-zero when f is a terminal and NO_COLOR is unset or empty. */
int report_use_color(FILE *f);

/* One line per check (status, name, summary, duration), then a totals
 * line such as "mlgate: 1 failed, 2 passed in 1.2s".  ANSI colours on
 * status words when color is non-zero.  Caller frees. */
char *report_text(const struct run_result *rr, int color);

/* The JSON report (ctx may be NULL).  Caller frees. */
char *report_json(const struct run_result *rr,
                  const struct run_context *ctx);

/* The JUnit XML report: one testcase per check.  Caller frees. */
char *report_junit(const struct run_result *rr);

/* Text escaped for XML attributes and character data; control
 * characters other than TAB/LF/CR dropped, invalid UTF-8 bytes become
 * '?'.  Caller frees. */
char *report_xml_escape(const char *s);

/* Write content masked (log_mask) to path.  A regular file (or a new
 * one) is replaced atomically: a mkstemp file in the target's directory,
 * fsync, rename; when path is a symlink the file it points to is
 * replaced and the link stays.  A path that is not a regular file (fifo,
 * device, /dev/stdout, anything under /dev or /proc) is written in
 * place.  Returns 0, or -1 with a one-line reason in err. */
int report_write_file(const char *path, const char *content, char *err,
                      size_t errlen);

/* Write content masked to f.  Returns 0 or -1. */
int report_print(const char *content, FILE *f);

#endif
