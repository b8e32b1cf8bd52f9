/*
 * conf.c - reads mlgate.conf (design §4): INI syntax, ${VAR} expansion,
 * and validation of every key with "FILE:LINE: reason" errors.
 */
#include <config.h>

#include "conf.h"

#include "mlgate/plugin.h"
#include "util.h"
#include "validate.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* A conf larger than this is not a conf. */
#define CONF_MAX_SIZE (1024 * 1024)

/* Keys of the runner's own sections, with how their values are checked. */
/* CV_VERIFY: a boolean, or the path of a readable CA bundle. */
/* CV_TASK_NAME: a ClearML task name, at least 3 characters after
 * stripping white space (Task.name min_length in the server's
 * database/model/task/task.py): a shorter one never matches a task and
 * tasks.create refuses it. */
enum conf_vtype { CV_STR, CV_BOOL, CV_INT_POS, CV_DURATION, CV_ENUM,
                  CV_VERIFY, CV_LOGIN, CV_TASK_NAME };

struct conf_key {
    const char *section;
    const char *key;
    enum conf_vtype type;
    const char *choices;
};

static const struct conf_key conf_keys[] = {
    {"clearml", "api-host", CV_STR, NULL},
    {"clearml", "web-host", CV_STR, NULL},
    {"clearml", "verify", CV_VERIFY, NULL},
    {"clearml", "project", CV_STR, NULL},
    {"clearml", "task-name", CV_TASK_NAME, NULL},
    {"github", "api-url", CV_STR, NULL},
    {"github", "verify", CV_VERIFY, NULL},
    {"gitlab", "api-url", CV_STR, NULL},
    {"gitlab", "verify", CV_VERIFY, NULL},
    {"report", "id", CV_STR, NULL},
    {"report", "comment", CV_ENUM, "update|new|off"},
    {"report", "status", CV_BOOL, NULL},
    {"report", "author", CV_LOGIN, NULL},
    {"run", "jobs", CV_INT_POS, NULL},
    {"run", "timeout", CV_DURATION, NULL},
    {"run", "grace", CV_DURATION, NULL},
    {"run", "trigger", CV_STR, NULL},
    {"run", "deadline", CV_DURATION, NULL},
    {NULL, NULL, CV_STR, NULL}
};

static const char *const conf_kinds[] = {
    "clearml", "github", "gitlab", "report", "run", NULL
};

static void conf_err(char *err, size_t errlen, const char *file, int line,
                     const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void conf_err(char *err, size_t errlen, const char *file, int line,
                     const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s:%d: %s", file, line, msg);
    free(msg);
}

int conf_parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1", NULL};
    static const char *const no[] = {"no", "false", "off", "0", NULL};
    size_t i;

    if (s == NULL)
        return -1;
    for (i = 0; yes[i] != NULL; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

int conf_parse_int(const char *s, long long *out)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

int conf_parse_number(const char *s, double *out)
{
    char *end;
    double v;

    if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* "90", or a sequence of NUMBER UNIT parts: "1h30m", "1.5s"; at most a
 * year (validate.c has the one rule). */
int conf_parse_duration(const char *s, double *out)
{
    return validate_duration(s, VALIDATE_DURATION_MAX, out) ? 0 : -1;
}

/* Is word one of the '|'-separated choices? */
static int conf_in_choices(const char *word, const char *choices)
{
    size_t n = strlen(word);
    const char *p = choices;

    while (p != NULL && *p != '\0') {
        const char *bar = strchr(p, '|');
        size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);

        if (len == n && strncmp(p, word, n) == 0)
            return 1;
        p = bar != NULL ? bar + 1 : NULL;
    }
    return 0;
}

/* Expand ${VAR}, ${VAR:-default} and $$ in s.  Returns a new string
 * (caller frees), or NULL with the reason in err. */
static char *conf_expand(const char *s, const char *file, int line,
                         char *err, size_t errlen)
{
    struct buf b = {0};
    const char *p = s;

    while (*p != '\0') {
        const char *close, *dflt, *val;
        char *name;
        size_t i, namelen;

        if (p[0] != '$') {
            buf_addc(&b, *p++);
            continue;
        }
        if (p[1] == '$') {
            buf_addc(&b, '$');
            p += 2;
            continue;
        }
        if (p[1] != '{') {
            /* A lone '$' is just text. */
            buf_addc(&b, *p++);
            continue;
        }
        close = strchr(p + 2, '}');
        if (close == NULL) {
            conf_err(err, errlen, file, line, "unterminated '${' in value");
            buf_free(&b);
            return NULL;
        }
        dflt = strstr(p + 2, ":-");
        if (dflt != NULL && dflt > close)
            dflt = NULL;
        namelen = (size_t)((dflt != NULL ? dflt : close) - (p + 2));
        name = xstrndup(p + 2, namelen);
        for (i = 0; i < namelen; i++)
            if (!isalnum((unsigned char)name[i]) && name[i] != '_')
                break;
        if (namelen == 0 || i < namelen ||
            isdigit((unsigned char)name[0])) {
            conf_err(err, errlen, file, line,
                     "bad variable name '%s' in '${...}'", name);
            free(name);
            buf_free(&b);
            return NULL;
        }
        val = getenv(name);
        if (dflt != NULL) {
            /* Shell semantics: the default also replaces an empty value. */
            if (val == NULL || *val == '\0')
                buf_add(&b, dflt + 2, (size_t)(close - (dflt + 2)));
            else
                buf_adds(&b, val);
        } else if (val == NULL) {
            conf_err(err, errlen, file, line,
                     "environment variable '%s' is not set "
                     "(use ${%s:-default} for a default)", name, name);
            free(name);
            buf_free(&b);
            return NULL;
        } else {
            buf_adds(&b, val);
        }
        free(name);
        p = close + 1;
    }
    return buf_take(&b);
}

/* Split the text after '=' into the raw value: quotes kept verbatim
 * inside, a comment starts at '#' or ';' after whitespace. */
static char *conf_raw_value(const char *v, const char *file, int line,
                            char *err, size_t errlen)
{
    size_t n;

    while (*v == ' ' || *v == '\t')
        v++;
    if (*v == '"') {
        struct buf b = {0};
        const char *p = v + 1;

        while (*p != '\0' && *p != '"') {
            if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                p++;
            buf_addc(&b, *p++);
        }
        if (*p != '"') {
            conf_err(err, errlen, file, line, "unterminated quoted value");
            buf_free(&b);
            return NULL;
        }
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '\0' && *p != '#' && *p != ';') {
            conf_err(err, errlen, file, line,
                     "text after the closing quote");
            buf_free(&b);
            return NULL;
        }
        return buf_take(&b);
    }
    for (n = 0; v[n] != '\0'; n++)
        if ((v[n] == '#' || v[n] == ';') && n > 0 &&
            (v[n - 1] == ' ' || v[n - 1] == '\t'))
            break;
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    return xstrndup(v, n);
}

static int conf_valid_name(const char *s, int allow_dot)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
            !(allow_dot && *s == '.'))
            return 0;
    return 1;
}

static struct conf_section *conf_add_section(struct conf *c)
{
    struct conf_section *s;

    c->sec = xrealloc(c->sec, (c->nsec + 1) * sizeof(*c->sec));
    s = &c->sec[c->nsec++];
    memset(s, 0, sizeof(*s));
    return s;
}

/* Parse "[...]" at p.  Returns 0 or -1 with err. */
static int conf_section_line(struct conf *c, const char *p,
                             const char *file, int line, char *err,
                             size_t errlen)
{
    const char *close = strchr(p, ']');
    char *inner, *name, *rest;
    const char *q;
    struct conf_section *s;
    size_t i;
    int known = 0;

    if (close == NULL) {
        conf_err(err, errlen, file, line, "missing ']' in section header");
        return -1;
    }
    for (q = close + 1; *q == ' ' || *q == '\t'; q++)
        ;
    if (*q != '\0' && *q != '#' && *q != ';') {
        conf_err(err, errlen, file, line,
                 "text after the section header");
        return -1;
    }
    inner = xstrndup(p + 1, (size_t)(close - p - 1));
    /* Trim and split "check NAME". */
    name = inner;
    while (*name == ' ' || *name == '\t')
        name++;
    rest = name + strlen(name);
    while (rest > name && (rest[-1] == ' ' || rest[-1] == '\t'))
        *--rest = '\0';
    rest = name + strcspn(name, " \t");
    if (*rest != '\0') {
        *rest++ = '\0';
        while (*rest == ' ' || *rest == '\t')
            rest++;
        if (*rest == '"' && strlen(rest) >= 2 &&
            rest[strlen(rest) - 1] == '"') {
            rest[strlen(rest) - 1] = '\0';
            rest++;
        }
    }
    if (strcmp(name, "check") == 0) {
        if (*rest == '\0') {
            conf_err(err, errlen, file, line,
                     "[check] needs a name: [check NAME]");
            free(inner);
            return -1;
        }
        if (!conf_valid_name(rest, 1)) {
            conf_err(err, errlen, file, line,
                     "bad check name '%s' (letters, digits, '-', '_', "
                     "'.')", rest);
            free(inner);
            return -1;
        }
        for (i = 0; i < c->nsec; i++)
            if (c->sec[i].name != NULL && strcmp(c->sec[i].name, rest) == 0)
                break;
        if (i < c->nsec) {
            conf_err(err, errlen, file, line,
                     "duplicate check name '%s' (first at line %d)", rest,
                     c->sec[i].line);
            free(inner);
            return -1;
        }
        s = conf_add_section(c);
        s->kind = xstrdup("check");
        s->name = xstrdup(rest);
        s->line = line;
        free(inner);
        return 0;
    }
    for (i = 0; conf_kinds[i] != NULL; i++)
        if (strcmp(name, conf_kinds[i]) == 0)
            known = 1;
    if (!known || *rest != '\0') {
        conf_err(err, errlen, file, line,
                 "unknown section [%s%s%s] (sections: clearml, github, "
                 "gitlab, report, run, check NAME)", name,
                 *rest != '\0' ? " " : "", rest);
        free(inner);
        return -1;
    }
    for (i = 0; i < c->nsec; i++)
        if (strcmp(c->sec[i].kind, name) == 0)
            break;
    if (i < c->nsec) {
        conf_err(err, errlen, file, line,
                 "duplicate section [%s] (first at line %d)", name,
                 c->sec[i].line);
        free(inner);
        return -1;
    }
    s = conf_add_section(c);
    s->kind = xstrdup(name);
    s->line = line;
    free(inner);
    return 0;
}

/* Check a runner section's key and value. */
static int conf_check_runner_key(const char *file, const char *kind,
                                 const char *key, const char *value,
                                 int line, char *err, size_t errlen)
{
    const struct conf_key *k;
    struct buf accepts = {0};
    int b;
    long long ll;
    double d;

    for (k = conf_keys; k->section != NULL; k++) {
        if (strcmp(k->section, kind) != 0)
            continue;
        if (strcmp(k->key, key) == 0)
            break;
        buf_printf(&accepts, "%s%s", accepts.len > 0 ? ", " : "", k->key);
    }
    if (k->section == NULL) {
        conf_err(err, errlen, file, line,
                 "unknown key '%s' in [%s] (accepts: %s)", key, kind,
                 accepts.p);
        buf_free(&accepts);
        return -1;
    }
    buf_free(&accepts);
    switch (k->type) {
    case CV_STR:
        return 0;
    case CV_TASK_NAME: {
        size_t n;
        const char *v = value;

        while (*v == ' ' || *v == '\t')
            v++;
        n = strlen(v);
        while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            n--;
        if (n >= 3)
            return 0;
        conf_err(err, errlen, file, line, "task-name '%s' is shorter than 3 "
                 "characters (ClearML refuses it)", value);
        return -1;
    }
    case CV_BOOL:
        if (conf_parse_bool(value, &b) == 0)
            return 0;
        conf_err(err, errlen, file, line,
                 "bad boolean '%s' for %s (yes/no, true/false, on/off, "
                 "1/0)", value, key);
        return -1;
    case CV_VERIFY:
        if (conf_parse_bool(value, &b) == 0)
            return 0;
        if (strchr(value, '/') != NULL && access(value, R_OK) == 0)
            return 0;
        conf_err(err, errlen, file, line,
                 "bad value '%s' for %s (yes/no, or a readable CA bundle "
                 "path)", value, key);
        return -1;
    case CV_INT_POS:
        if (conf_parse_int(value, &ll) == 0 && ll >= 1 && ll <= 10000)
            return 0;
        conf_err(err, errlen, file, line,
                 "bad number '%s' for %s (an integer from 1)", value, key);
        return -1;
    case CV_DURATION:
        if (conf_parse_duration(value, &d) == 0)
            return 0;
        conf_err(err, errlen, file, line, "bad duration '%s' for %s", value,
                 key);
        return -1;
    case CV_LOGIN:
        if (validate_login(value))
            return 0;
        conf_err(err, errlen, file, line, "bad login '%s' for %s (letters, "
                 "digits, '-', '_', '.', an optional \"[bot]\")", value, key);
        return -1;
    case CV_ENUM:
        if (conf_in_choices(value, k->choices))
            return 0;
        conf_err(err, errlen, file, line, "bad value '%s' for %s (one of %s)",
                 value, key, k->choices);
        return -1;
    }
    return 0;
}

/* Parse one "key = value" line into the current section. */
static int conf_key_line(struct conf *c, const char *p, const char *file,
                         int line, char *err, size_t errlen)
{
    const char *eq = strchr(p, '=');
    struct conf_section *s;
    struct conf_kv *kv;
    char *key, *raw, *val;
    size_t i, klen;

    if (eq == NULL) {
        conf_err(err, errlen, file, line,
                 "expected 'key = value' or '[section]'");
        return -1;
    }
    klen = (size_t)(eq - p);
    while (klen > 0 && (p[klen - 1] == ' ' || p[klen - 1] == '\t'))
        klen--;
    key = xstrndup(p, klen);
    if (!conf_valid_name(key, 0)) {
        conf_err(err, errlen, file, line, "bad key name '%s'", key);
        free(key);
        return -1;
    }
    if (c->nsec == 0) {
        conf_err(err, errlen, file, line,
                 "key '%s' outside a section", key);
        free(key);
        return -1;
    }
    s = &c->sec[c->nsec - 1];
    for (i = 0; i < s->nkv; i++)
        if (strcmp(s->kv[i].key, key) == 0)
            break;
    if (i < s->nkv) {
        conf_err(err, errlen, file, line,
                 "duplicate key '%s' (first at line %d)", key,
                 s->kv[i].line);
        free(key);
        return -1;
    }
    raw = conf_raw_value(eq + 1, file, line, err, errlen);
    if (raw == NULL) {
        free(key);
        return -1;
    }
    val = conf_expand(raw, file, line, err, errlen);
    free(raw);
    if (val == NULL) {
        free(key);
        return -1;
    }
    if (strcmp(s->kind, "check") != 0 &&
        conf_check_runner_key(file, s->kind, key, val, line, err,
                              errlen) != 0) {
        free(key);
        free(val);
        return -1;
    }
    s->kv = xrealloc(s->kv, (s->nkv + 1) * sizeof(*s->kv));
    kv = &s->kv[s->nkv++];
    kv->key = key;
    kv->value = val;
    kv->line = line;
    return 0;
}

int conf_parse_string(const char *name, const char *text, struct conf *c,
                      char *err, size_t errlen)
{
    const char *p = text;
    int line = 0;
    size_t i;

    memset(c, 0, sizeof(*c));
    c->path = xstrdup(name);
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
        char *l = xstrndup(p, len);
        char *q = l;
        int rc;

        line++;
        p = nl != NULL ? nl + 1 : p + len;
        if (len > 0 && l[len - 1] == '\r')
            l[len - 1] = '\0';
        if (line == 1 && (unsigned char)q[0] == 0xEF &&
            (unsigned char)q[1] == 0xBB && (unsigned char)q[2] == 0xBF)
            q += 3;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '\0' || *q == '#' || *q == ';') {
            free(l);
            continue;
        }
        if (*q == '[')
            rc = conf_section_line(c, q, name, line, err, errlen);
        else
            rc = conf_key_line(c, q, name, line, err, errlen);
        free(l);
        if (rc != 0)
            return -1;
    }
    for (i = 0; i < c->nsec; i++)
        if (strcmp(c->sec[i].kind, "check") == 0 &&
            conf_get(&c->sec[i], "plugin") == NULL) {
            conf_err(err, errlen, name, c->sec[i].line,
                     "[check %s] has no 'plugin =' key", c->sec[i].name);
            return -1;
        } else if (strcmp(c->sec[i].kind, "check") == 0 &&
                   *conf_get(&c->sec[i], "plugin") == '\0') {
            conf_err(err, errlen, name,
                     conf_get_kv(&c->sec[i], "plugin")->line,
                     "empty 'plugin =' in [check %s]", c->sec[i].name);
            return -1;
        }
    return 0;
}

int conf_parse(const char *path, struct conf *c, char *err, size_t errlen)
{
    char *text;
    size_t len;
    int rc;

    memset(c, 0, sizeof(*c));
    if (util_read_file(path, CONF_MAX_SIZE, &text, &len) != 0) {
        util_read_error(path, CONF_MAX_SIZE, err, errlen);
        return -1;
    }
    if (memchr(text, '\0', len) != NULL) {
        snprintf(err, errlen, "%s: not a text file (NUL byte)", path);
        free(text);
        return -1;
    }
    rc = conf_parse_string(path, text, c, err, errlen);
    free(text);
    return rc;
}

void conf_free(struct conf *c)
{
    size_t i, j;

    for (i = 0; i < c->nsec; i++) {
        for (j = 0; j < c->sec[i].nkv; j++) {
            free(c->sec[i].kv[j].key);
            free(c->sec[i].kv[j].value);
        }
        free(c->sec[i].kv);
        free(c->sec[i].kind);
        free(c->sec[i].name);
    }
    free(c->sec);
    free(c->path);
    memset(c, 0, sizeof(*c));
}

const struct conf_section *conf_find(const struct conf *c, const char *kind)
{
    size_t i;

    for (i = 0; i < c->nsec; i++)
        if (strcmp(c->sec[i].kind, kind) == 0)
            return &c->sec[i];
    return NULL;
}

const struct conf_kv *conf_get_kv(const struct conf_section *sec,
                                  const char *key)
{
    size_t i;

    if (sec == NULL)
        return NULL;
    for (i = 0; i < sec->nkv; i++)
        if (strcmp(sec->kv[i].key, key) == 0)
            return &sec->kv[i];
    return NULL;
}

const char *conf_get(const struct conf_section *sec, const char *key)
{
    const struct conf_kv *kv = conf_get_kv(sec, key);

    return kv != NULL ? kv->value : NULL;
}

/* Check a value against a declared option type.  Returns 0 or -1 with
 * the reason (no location) in err. */
static int conf_check_value(const struct mlg_option *o, const char *v,
                            char *err, size_t errlen)
{
    long long ll;
    double d;
    int b;

    switch (o->type) {
    case MLG_OPT_INT:
        if (conf_parse_int(v, &ll) == 0)
            return 0;
        snprintf(err, errlen, "bad integer '%s' for %s", v, o->name);
        return -1;
    case MLG_OPT_NUMBER:
        if (conf_parse_number(v, &d) == 0)
            return 0;
        snprintf(err, errlen, "bad number '%s' for %s", v, o->name);
        return -1;
    case MLG_OPT_BOOL:
        if (conf_parse_bool(v, &b) == 0)
            return 0;
        snprintf(err, errlen,
                 "bad boolean '%s' for %s (yes/no, true/false, on/off, "
                 "1/0)", v, o->name);
        return -1;
    case MLG_OPT_DURATION:
        if (conf_parse_duration(v, &d) == 0)
            return 0;
        snprintf(err, errlen, "bad duration '%s' for %s", v, o->name);
        return -1;
    case MLG_OPT_ENUM:
        if (o->choices != NULL && conf_in_choices(v, o->choices))
            return 0;
        snprintf(err, errlen, "bad value '%s' for %s (one of %s)", v,
                 o->name, o->choices != NULL ? o->choices : "");
        return -1;
    default:
        return 0;
    }
}

int conf_validate_check(const struct conf *c, const struct conf_section *sec,
                        const char *plugin_name,
                        const struct mlg_option *opts, char *err,
                        size_t errlen)
{
    const char *file = c->path != NULL ? c->path : "conf";
    char why[512];
    size_t i;
    double d;
    int b;

    for (i = 0; i < sec->nkv; i++) {
        const struct conf_kv *kv = &sec->kv[i];
        const struct mlg_option *o = NULL;
        size_t j;

        for (j = 0; opts != NULL && opts[j].name != NULL; j++)
            if (strcmp(opts[j].name, kv->key) == 0)
                o = &opts[j];
        if (strcmp(kv->key, "plugin") == 0)
            continue;
        if (strcmp(kv->key, "enabled") == 0) {
            if (conf_parse_bool(kv->value, &b) == 0)
                continue;
            conf_err(err, errlen, file, kv->line,
                     "bad boolean '%s' for enabled", kv->value);
            return -1;
        }
        if (o == NULL && strcmp(kv->key, "timeout") == 0) {
            if (conf_parse_duration(kv->value, &d) == 0)
                continue;
            conf_err(err, errlen, file, kv->line,
                     "bad duration '%s' for timeout", kv->value);
            return -1;
        }
        if (o == NULL) {
            struct buf acc = {0};

            for (j = 0; opts != NULL && opts[j].name != NULL; j++)
                buf_printf(&acc, "%s, ", opts[j].name);
            buf_adds(&acc, "plugin, timeout, enabled");
            conf_err(err, errlen, file, kv->line,
                     "unknown key '%s' in [check %s] (plugin %s accepts: "
                     "%s)", kv->key, sec->name, plugin_name, acc.p);
            buf_free(&acc);
            return -1;
        }
        if (conf_check_value(o, kv->value, why, sizeof(why)) != 0) {
            conf_err(err, errlen, file, kv->line, "%s", why);
            return -1;
        }
    }
    for (i = 0; opts != NULL && opts[i].name != NULL; i++)
        if ((opts[i].flags & MLG_OPT_REQUIRED) &&
            conf_get(sec, opts[i].name) == NULL) {
            conf_err(err, errlen, file, sec->line,
                     "[check %s] needs '%s' (plugin %s: %s)", sec->name,
                     opts[i].name, plugin_name,
                     opts[i].help != NULL ? opts[i].help : "required");
            return -1;
        }
    return 0;
}
