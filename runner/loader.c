/*
 * loader.c - finds plugin files, opens them with dlopen and refuses any
 * whose ABI does not match this runner, with messages naming the file
 * and both versions.
 */
/* realpath() is in POSIX.1-2008's XSI option (base only since 2024):
 * kept under --enable-strict-posix (runner/strict-posix.h). */
#define MLG_WANT_XSI 1
#include <config.h>

#include "loader.h"

#include "util.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PLUGINDIR
#define PLUGINDIR "/usr/local/lib/mlgate"
#endif

/* ABI 1.0 plugins carry at least everything before the reserved slots. */
#define LOADER_MIN_SIZE offsetof(struct mlg_plugin, reserved)
/* Descriptors this big carry min_host_minor and option_size (1.2). */
#define LOADER_12_SIZE (offsetof(struct mlg_plugin, option_size) + \
                        sizeof(uint32_t))
/* Most head_fields a descriptor may list, and the longest name. */
#define LOADER_MAX_FIELDS 32
#define LOADER_MAX_FIELD_LEN 64
/* The option struct of 1.0 and 1.1, the stride of their tables. */
#define LOADER_OPT_10_SIZE sizeof(struct mlg_option)
/* The cJSON whose trees plugins receive: the layout of every 1.x from 1.7
 * (configure asks 1.7.13 for the functions the runner itself calls, and
 * the .pc's cjson_requires says the same to plugin authors). */
#define LOADER_CJSON_MAJOR 1
#define LOADER_CJSON_MINOR 7
/* Option tables longer than this are refused (a missing terminator). */
#define LOADER_MAX_OPTIONS 256

static void loader_dirs_add(char ***v, size_t *n, const char *dir,
                            size_t len)
{
    if (len == 0)
        return;
    *v = xrealloc(*v, (*n + 2) * sizeof(**v));
    (*v)[(*n)++] = xstrndup(dir, len);
    (*v)[*n] = NULL;
}

char **loader_dirs(const char *plugin_dir)
{
    char **v = xcalloc(1, sizeof(*v));
    size_t n = 0;
    const char *path = getenv("MLGATE_PLUGIN_PATH");

    if (plugin_dir != NULL)
        loader_dirs_add(&v, &n, plugin_dir, strlen(plugin_dir));
    while (path != NULL && *path != '\0') {
        const char *colon = strchr(path, ':');
        size_t len = colon != NULL ? (size_t)(colon - path) : strlen(path);

        loader_dirs_add(&v, &n, path, len);
        path = colon != NULL ? colon + 1 : NULL;
    }
    loader_dirs_add(&v, &n, PLUGINDIR, strlen(PLUGINDIR));
    return v;
}

void loader_dirs_free(char **dirs)
{
    size_t i;

    if (dirs == NULL)
        return;
    for (i = 0; dirs[i] != NULL; i++)
        free(dirs[i]);
    free(dirs);
}

/* One plugin file of the search path and the name its descriptor
 * declares. */
struct loader_entry {
    char *name;
    char *path;     /* as found: DIR/FILE.so */
    char *real;     /* realpath, to tell one file reached twice */
    int builtin;    /* declares the name of one of mlgate's own */
};

/* The plugins mlgate ships (plugins/): their names are taken. */
static const char *const loader_builtins[] = {
    "stats-comment", "compare", "remote-run", NULL
};

static int loader_is_builtin(const char *name)
{
    size_t i;

    for (i = 0; loader_builtins[i] != NULL; i++)
        if (strcmp(loader_builtins[i], name) == 0)
            return 1;
    return 0;
}

static void loader_entries_free(struct loader_entry *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].path);
        free(v[i].real);
    }
    free(v);
}

/* Every loadable *.so of dirs with its descriptor name, in search order.
 * Files that do not load are left out (`mlgate plugin inspect` says why). */
static struct loader_entry *loader_catalog(char **dirs, size_t *n)
{
    struct loader_entry *v = NULL;
    size_t i;

    *n = 0;
    for (i = 0; dirs[i] != NULL; i++) {
        DIR *d = opendir(dirs[i]);
        struct dirent *e;

        if (d == NULL)
            continue;
        while ((e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);
            char err[1024], *path, *real;
            struct plugin *p;

            if (len <= 3 || strcmp(e->d_name + len - 3, ".so") != 0)
                continue;
            path = xasprintf("%s/%s", dirs[i], e->d_name);
            real = realpath(path, NULL);
            p = real != NULL ? loader_open(path, err, sizeof(err)) : NULL;
            if (p == NULL) {
                free(real);
                free(path);
                continue;
            }
            v = xrealloc(v, (*n + 1) * sizeof(*v));
            v[*n].name = xstrdup(p->d.name);
            v[*n].path = path;
            v[*n].real = real;
            v[*n].builtin = loader_is_builtin(p->d.name);
            (*n)++;
            loader_free(p);
        }
        closedir(d);
    }
    return v;
}

/* The catalog entry called name other than the file real, preferring a
 * built-in; NULL when none. */
static const struct loader_entry *loader_other(const struct loader_entry *v,
                                               size_t n, const char *name,
                                               const char *real)
{
    const struct loader_entry *found = NULL;
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0 &&
            (real == NULL || strcmp(v[i].real, real) != 0) &&
            (found == NULL || (v[i].builtin && !found->builtin)))
            found = &v[i];
    return found;
}

/* A path value: the file, unless it takes a built-in's name from the
 * built-in found in the search path. */
static char *loader_find_path(const char *value, char **dirs, char *err,
                              size_t errlen)
{
    struct loader_entry *v;
    const struct loader_entry *o;
    struct plugin *p;
    char *real, *out = NULL;
    size_t n;

    if (access(value, R_OK) != 0) {
        snprintf(err, errlen, "%s: plugin file not found or not readable",
                 value);
        return NULL;
    }
    p = loader_open(value, err, errlen);
    real = realpath(value, NULL);
    if (p == NULL || real == NULL) {
        /* Refused: loader_open in the caller says why, same text. */
        loader_free(p);
        free(real);
        return xstrdup(value);
    }
    v = loader_catalog(dirs, &n);
    o = loader_other(v, n, p->d.name, real);
    if (o != NULL && o->builtin)
        snprintf(err, errlen, "%s: plugin name '%s' shadows the built-in "
                 "plugin %s: rename the plugin (its descriptor's name)",
                 value, p->d.name, o->path);
    else
        out = xstrdup(value);
    loader_entries_free(v, n);
    loader_free(p);
    free(real);
    return out;
}

char *loader_find(const char *name, const char *plugin_dir, char *err,
                  size_t errlen)
{
    char **dirs = loader_dirs(plugin_dir);
    struct loader_entry *v;
    const struct loader_entry *first = NULL, *o;
    struct buf tried = {0};
    char *out = NULL;
    size_t n, i;

    if (strchr(name, '/') != NULL) {
        out = loader_find_path(name, dirs, err, errlen);
        loader_dirs_free(dirs);
        return out;
    }
    v = loader_catalog(dirs, &n);
    for (i = 0; i < n && first == NULL; i++)
        if (strcmp(v[i].name, name) == 0)
            first = &v[i];
    o = first != NULL ? loader_other(v, n, name, first->real) : NULL;
    /* No loadable plugin has the name; a NAME.so that does not load is
     * returned so that loader_open says why. */
    for (i = 0; first == NULL && out == NULL && dirs[i] != NULL; i++) {
        char *p = xasprintf("%s/%s.so", dirs[i], name);
        size_t k;

        for (k = 0; k < n && strcmp(v[k].path, p) != 0; k++)
            ;
        if (k == n && access(p, R_OK) == 0)
            out = p;
        else
            free(p);
    }
    if (out != NULL) {
        /* as found */
    } else if (first == NULL) {
        for (i = 0; dirs[i] != NULL; i++)
            buf_printf(&tried, "%s%s", i > 0 ? ":" : "", dirs[i]);
        snprintf(err, errlen, "plugin '%s' not found: no plugin of that "
                 "name in %s", name, tried.p != NULL ? tried.p : "");
    } else if (o != NULL) {
        snprintf(err, errlen, "plugin name '%s' is declared by both %s and "
                 "%s: remove or rename one", name, first->path, o->path);
    } else {
        out = xstrdup(first->path);
    }
    loader_entries_free(v, n);
    loader_dirs_free(dirs);
    buf_free(&tried);
    return out;
}

unsigned loader_needed_minor(const struct mlg_plugin *d)
{
    if (d->struct_size >= LOADER_12_SIZE &&
        (d->min_host_minor & MLG_NEEDS_MINOR(0)) != 0)
        return d->min_host_minor & ~MLG_NEEDS_MINOR(0);
    return d->abi_minor;
}

/* Copy the plugin's option table into host structs, stepping by the
 * plugin's option_size.  Returns 0, or -1 with a reason in err. */
static int loader_copy_options(struct plugin *p, const struct mlg_plugin *d,
                               char *err, size_t errlen)
{
    size_t stride = LOADER_OPT_10_SIZE, n = 0, i;
    const unsigned char *base = (const unsigned char *)d->options;
    struct mlg_option *v;

    if (d->options == NULL)
        return 0;
    if (d->struct_size >= LOADER_12_SIZE && d->option_size != 0) {
        stride = d->option_size;
        if (stride < offsetof(struct mlg_option, choices) + sizeof(char *)) {
            snprintf(err, errlen, "%s: descriptor option_size %u is smaller "
                     "than the 1.0 option struct (%zu)", p->path,
                     (unsigned)stride, LOADER_OPT_10_SIZE);
            return -1;
        }
    }
    while (((const struct mlg_option *)(const void *)(base + n * stride))
           ->name != NULL)
        if (++n > LOADER_MAX_OPTIONS) {
            snprintf(err, errlen, "%s: option table has more than %d "
                     "entries (missing the NULL-name terminator?)", p->path,
                     LOADER_MAX_OPTIONS);
            return -1;
        }
    v = xcalloc(n + 1, sizeof(*v));
    for (i = 0; i < n; i++)
        memcpy(&v[i], base + i * stride,
               stride < sizeof(*v) ? stride : sizeof(*v));
    p->options = v;
    p->d.options = v;
    return 0;
}

/* head_fields (1.3) go into the runner's tasks.get_all as only_fields:
 * field paths only, a bounded list.  Returns 0 or -1 with err. */
static int loader_check_fields(const char *path, const char *const *v,
                               char *err, size_t errlen)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
    size_t i, n;

    for (i = 0; v != NULL && v[i] != NULL; i++) {
        if (i >= LOADER_MAX_FIELDS) {
            snprintf(err, errlen, "%s: descriptor head_fields has more than "
                     "%d names (missing the NULL terminator?)", path,
                     LOADER_MAX_FIELDS);
            return -1;
        }
        n = strlen(v[i]);
        if (n == 0 || n > LOADER_MAX_FIELD_LEN || strspn(v[i], ok) != n ||
            v[i][0] == '.' || v[i][n - 1] == '.') {
            snprintf(err, errlen, "%s: descriptor head_fields[%zu] is not a "
                     "field name (letters, digits, '_', '-', '.'; at most "
                     "%d)", path, i, LOADER_MAX_FIELD_LEN);
            return -1;
        }
    }
    return 0;
}

/* The checks of design §6 on a descriptor copy d read up to its size. */
static int loader_check(const char *path, const struct mlg_plugin *d,
                        const struct mlg_plugin *raw, unsigned host_minor,
                        char *err, size_t errlen)
{
    size_t i;

    if (d->abi_major != MLG_ABI_MAJOR) {
        snprintf(err, errlen,
                 "%s: plugin ABI %u.%u is not compatible with this mlgate "
                 "(ABI %d.%u): major version differs", path,
                 (unsigned)d->abi_major, (unsigned)d->abi_minor,
                 MLG_ABI_MAJOR, host_minor);
        return -1;
    }
    if (d->struct_size < LOADER_MIN_SIZE) {
        snprintf(err, errlen,
                 "%s: descriptor struct_size %u is smaller than the %d.0 "
                 "minimum %zu", path, (unsigned)d->struct_size,
                 MLG_ABI_MAJOR, (size_t)LOADER_MIN_SIZE);
        return -1;
    }
    if (loader_needed_minor(d) > host_minor) {
        snprintf(err, errlen,
                 "%s: plugin needs ABI %u.%u, this mlgate provides %d.%u "
                 "(minor newer)", path, (unsigned)d->abi_major,
                 loader_needed_minor(d), MLG_ABI_MAJOR, host_minor);
        return -1;
    }
    /* Only slots the plugin's struct has: a 1.0 descriptor built without
     * them (struct_size short) is refused above. */
    for (i = 0; i < sizeof(d->reserved) / sizeof(d->reserved[0]); i++)
        if (offsetof(struct mlg_plugin, reserved) +
            (i + 1) * sizeof(void *) <= raw->struct_size &&
            d->reserved[i] != NULL) {
            snprintf(err, errlen,
                     "%s: descriptor reserved[%zu] is not NULL (the slots are "
                     "kept for future ABI versions; rebuild the plugin "
                     "against mlgate/plugin.h)", path, i);
            return -1;
        }
    if (d->run == NULL) {
        snprintf(err, errlen, "%s: run callback is NULL", path);
        return -1;
    }
    if (loader_check_fields(path, d->head_fields, err, errlen) != 0)
        return -1;
    if (d->name == NULL || *d->name == '\0') {
        snprintf(err, errlen, "%s: descriptor has no name", path);
        return -1;
    }
    return 0;
}

const struct mlg_plugin *loader_descriptor(const char *path, void **dlp,
                                           char *err, size_t errlen)
{
    void *dl;
    union {
        void *obj;
        mlg_plugin_entry_fn fn;
    } entry;
    const struct mlg_plugin *d;
    const char *e;

    *dlp = NULL;
    dlerror();
    dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        e = dlerror();
        snprintf(err, errlen, "%s: cannot load: %s", path,
                 e != NULL ? e : "unknown dlopen error");
        return NULL;
    }
    dlerror();
    /* dlsym returns an object pointer; a union converts it without the
     * cast C99 leaves undefined. */
    entry.obj = dlsym(dl, "mlg_plugin_entry");
    e = dlerror();
    if (entry.obj == NULL) {
        snprintf(err, errlen, "%s: no mlg_plugin_entry symbol (%s)", path,
                 e != NULL ? e : "symbol is NULL");
        dlclose(dl);
        return NULL;
    }
    d = entry.fn();
    if (d == NULL) {
        snprintf(err, errlen, "%s: mlg_plugin_entry returned NULL", path);
        dlclose(dl);
        return NULL;
    }
    *dlp = dl;
    return d;
}

struct plugin *loader_open_minor(const char *path, unsigned host_minor,
                                 char *err, size_t errlen)
{
    void *dl;
    const struct mlg_plugin *d;
    struct mlg_plugin copy;
    struct plugin *p;
    size_t n;

    d = loader_descriptor(path, &dl, err, errlen);
    if (d == NULL)
        return NULL;
    /* Read only what the plugin says it has; the rest stays zero. */
    memset(&copy, 0, sizeof(copy));
    n = d->struct_size < sizeof(copy) ? d->struct_size : sizeof(copy);
    if (n < offsetof(struct mlg_plugin, flags))
        n = offsetof(struct mlg_plugin, flags);
    memcpy(&copy, d, n);
    if (loader_check(path, &copy, d, host_minor, err, errlen) != 0) {
        dlclose(dl);
        return NULL;
    }
    p = xcalloc(1, sizeof(*p));
    p->path = xstrdup(path);
    p->d = copy;
    p->d.options = NULL;
    if (loader_copy_options(p, &copy, err, errlen) != 0) {
        loader_free(p);
        dlclose(dl);
        return NULL;
    }
    if (p->d.version == NULL)
        p->d.version = "";
    if (p->d.description == NULL)
        p->d.description = "";
    return p;
}

struct plugin *loader_open(const char *path, char *err, size_t errlen)
{
    return loader_open_minor(path, MLG_ABI_MINOR, err, errlen);
}

int loader_cjson_ok(char *err, size_t errlen)
{
    const char *v = cJSON_Version();
    unsigned major = 0, minor = 0;

    /* The trees handed to plugins are this library's: its layout is part
     * of the ABI (plugin.h), pinned at the build floor. */
    if (v == NULL || sscanf(v, "%u.%u", &major, &minor) != 2 ||
        major != LOADER_CJSON_MAJOR || minor < LOADER_CJSON_MINOR) {
        snprintf(err, errlen, "libcjson %s is not compatible with the plugin "
                 "ABI: it needs libcjson %d.x >= %d.%d", v != NULL ? v : "?",
                 LOADER_CJSON_MAJOR, LOADER_CJSON_MAJOR, LOADER_CJSON_MINOR);
        return -1;
    }
    return 0;
}

void loader_free(struct plugin *p)
{
    if (p == NULL)
        return;
    free(p->path);
    free(p->options);
    free(p);
}

const char *loader_opt_type_name(int type)
{
    switch (type) {
    case MLG_OPT_STRING:
        return "string";
    case MLG_OPT_INT:
        return "int";
    case MLG_OPT_NUMBER:
        return "number";
    case MLG_OPT_BOOL:
        return "bool";
    case MLG_OPT_DURATION:
        return "duration";
    case MLG_OPT_ENUM:
        return "enum";
    default:
        return "?";
    }
}
