/*
 * utf8.h - making text that crosses the plugin boundary valid UTF-8, once,
 * on entry: every invalid byte becomes U+FFFD.
 */
#ifndef MLG_UTF8_H
#define MLG_UTF8_H

#include <stddef.h>

struct cJSON;

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the bytes at
 * p are not one (overlong, surrogate, beyond U+10FFFF, truncated). */
size_t utf8_seq_len(const unsigned char *p);

/* Non-zero when s (NUL-terminated) is valid UTF-8. */
int utf8_valid(const char *s);

/* A copy of s with each invalid byte replaced by U+FFFD; NULL gives NULL.
 * Caller frees. */
char *utf8_clean(const char *s);

/* A deep copy of tree whose keys and strings are valid UTF-8, or NULL
 * when tree is NULL.  Caller frees with cJSON_Delete. */
struct cJSON *utf8_clean_json(const struct cJSON *tree);

#endif
