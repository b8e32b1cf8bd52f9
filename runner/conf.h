/*
 * conf.h - the mlgate.conf INI reader and validator (design §4).
 *
 * Sections: [clearml], [github], [gitlab], [report], [run] and
 * [check NAME].  Values have ${VAR} / ${VAR:-default} expanded at parse
 * time.  Keys of runner sections are validated by conf_parse(); keys of
 * [check NAME] sections by conf_validate_checks() once the plugins are
 * loaded (their option tables name the keys).
 */
#ifndef MLG_CONF_H
#define MLG_CONF_H

#include <stddef.h>

struct mlg_option;

struct conf_kv {
    char *key;
    char *value; /* expanded */
    int line;
};

struct conf_section {
    char *kind; /* "clearml", "github", "gitlab", "report", "run", "check" */
    char *name; /* the check name for kind "check", else NULL */
    int line;
    struct conf_kv *kv;
    size_t nkv;
};

struct conf {
    char *path;
    struct conf_section *sec;
    size_t nsec;
};

/* Parse path into *c.  On error returns -1 with "FILE:LINE: reason" in
 * err.  Caller frees *c with conf_free() in both cases. */
int conf_parse(const char *path, struct conf *c, char *err, size_t errlen);
/* Same, from a string (tests, fuzzing); name is used in messages. */
int conf_parse_string(const char *name, const char *text, struct conf *c,
                      char *err, size_t errlen);
void conf_free(struct conf *c);

/* The first section of a kind (not "check"), or NULL.  Borrowed. */
const struct conf_section *conf_find(const struct conf *c, const char *kind);
/* A key's value in a section (sec may be NULL), or NULL.  Borrowed. */
const char *conf_get(const struct conf_section *sec, const char *key);
const struct conf_kv *conf_get_kv(const struct conf_section *sec,
                                  const char *key);

/* Validate one [check NAME] section against the options its plugin
 * declares (opts: NULL-name terminated, may be NULL): unknown keys, bad
 * values, enum choices, missing required options.  The runner's own keys
 * (plugin, timeout, enabled) are always accepted; a plugin that declares
 * "timeout" owns its type.  plugin_name is used in messages.  Returns 0,
 * or -1 with "FILE:LINE: reason" in err. */
int conf_validate_check(const struct conf *c, const struct conf_section *sec,
                        const char *plugin_name,
                        const struct mlg_option *opts, char *err,
                        size_t errlen);

/* Value parsers shared with the host's option accessors.  Return 0 and
 * set *out, or -1 when the text is not a valid value. */
int conf_parse_bool(const char *s, int *out);
int conf_parse_int(const char *s, long long *out);
int conf_parse_number(const char *s, double *out);
int conf_parse_duration(const char *s, double *out); /* seconds */

#endif
