/*
 * forge.h - helpers shared by the sandbox's GitHub and GitLab handlers.
 */
#ifndef SBX_FORGE_H
#define SBX_FORGE_H

#include "sandbox.h"

/* Splits the raw path below `prefix` characters into decoded segments
 * (at most max).  Returns the count; free them with forge_free(). */
int forge_split(const struct sbx_req *q, size_t prefix, char **segs,
                int max);
void forge_free(char **segs, int n);
/* Number of UTF-8 code points in s. */
size_t forge_codepoints(const char *s);
/* A numeric query argument, or def when absent or not a number. */
long forge_arg_long(const struct sbx_req *q, const char *name, long def);
/* o[k] when it is a string (borrowed), else NULL. */
const char *forge_str(const cJSON *o, const char *k);
/* "http://HOST" of this request.  Caller frees. */
char *forge_origin(const struct sbx_req *q);
/* Sandbox time as GitHub prints it ("...T12:00:00Z").  Caller frees. */
char *forge_now_z(void);

#endif
