/*
 * validate.h - the one place that decides whether an identifier or a
 * number from a command line, a payload, a conf or a server may be used.
 * Every check is pure (no allocation, no I/O), so the fuzz target and the
 * callers share exactly one rule per kind of value.
 */
#ifndef MLG_VALIDATE_H
#define MLG_VALIDATE_H

#include <stddef.h>

/* A ClearML entity id (task, project, queue).  The server generates
 * str(uuid4()).replace("-", "") (clearml-server apiserver/database/
 * utils.py, id()): 32 lower-case hex digits.  Accepted: 1 to 64 ASCII
 * letters, digits, '_' or '-', which covers every generated id and ids
 * imported by hand, and can never carry a path, a query, a quote or a
 * line break. */
int validate_clearml_id(const char *s);

/* A repository path "owner/name".  forge "github": exactly two
 * segments; each of ASCII letters, digits, '-', '_', '.' (1 to 100
 * characters; never "." or "..").  forge "gitlab": two or more
 * segments (namespace/subgroups/project), same set, none starting with
 * '-' or '.' nor ending with ".git" or ".atom", at most 255 characters in
 * all.  Returns 1 when valid. */
int validate_repo(const char *s, int gitlab);

/* A forge login (GitHub user or app bot, GitLab username): 1 to 100
 * ASCII letters, digits, '-', '_' or '.', optionally ending in "[bot]"
 * (GitHub's app users, e.g. "github-actions[bot]"). */
int validate_login(const char *s);

/* Exactly 40 hex digits (upper or lower case). */
int validate_sha(const char *s);

/* A strict positive decimal integer (no sign, no spaces, no exponent,
 * no fraction, at most 2^31 - 1) into *out.  Returns 1 when valid. */
int validate_pr_number(const char *s, long *out);

/* A JSON number that is a PR/MR number: integral, 1 .. 2^31 - 1. */
int validate_pr_double(double v);

/* A finite double within [lo, hi]. */
int validate_finite(double v, double lo, double hi);

/* The longest duration any option accepts: one year.  Deadlines are
 * now + duration, and a year keeps every conversion to whole
 * milliseconds or time_t far from overflow. */
#define VALIDATE_DURATION_MAX (365.0 * 86400.0)

/* A duration: "90" (seconds) alone, or NUMBER UNIT parts ("1h30m",
 * "1.5s"; units s, m, h, d); NUMBER is decimal digits with an optional
 * fraction (no sign, exponent, hex, "inf" or "nan").  The total is at
 * most max_s.  Returns 1 with *out in seconds when valid. */
int validate_duration(const char *s, double max_s, double *out);

#endif
