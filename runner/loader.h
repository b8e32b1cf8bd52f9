/*
 * loader.h - finding plugin files, dlopen, and the ABI check (design §6).
 */
#ifndef MLG_LOADER_H
#define MLG_LOADER_H

#include <stddef.h>

#include "mlgate/plugin.h"

/* A loaded plugin.  The shared object stays mapped until exit (plugins
 * are never dlclose'd: their static data may be referenced anywhere). */
struct plugin {
    char *path;           /* the file loaded */
    struct mlg_plugin d;  /* descriptor copy, zero past its struct_size;
                             d.options points at options below */
    struct mlg_option *options; /* the plugin's table re-laid in this
                                   host's struct, or NULL; owned */
};

/* Directories searched for `plugin = NAME`, in order: plugin_dir (may be
 * NULL), each entry of MLGATE_PLUGIN_PATH, then PLUGINDIR.  Returns a
 * NULL-terminated array; caller frees with loader_dirs_free(). */
char **loader_dirs(const char *plugin_dir);
void loader_dirs_free(char **dirs);

/* Resolve a `plugin =` value: a value with '/' is a path, else the name
 * a plugin's descriptor declares, looked up among the *.so files of
 * loader_dirs().  Two files declaring the name, or a path whose plugin
 * takes the name of a built-in found there (stats-comment, compare,
 * remote-run), are refused
 * naming both files.  Returns the path (caller frees) or NULL with a
 * one-line reason in err. */
char *loader_find(const char *name, const char *plugin_dir, char *err,
                  size_t errlen);

/* dlopen(RTLD_NOW|RTLD_LOCAL) and validate.  Returns the plugin (caller
 * frees with loader_free(), which keeps the object mapped) or NULL with a
 * one-line refusal "PATH: reason" in err. */
struct plugin *loader_open(const char *path, char *err, size_t errlen);
void loader_free(struct plugin *p);

/* loader_open as a host that provides ABI 1.host_minor would (tests
 * simulate older hosts with it). */
struct plugin *loader_open_minor(const char *path, unsigned host_minor,
                                 char *err, size_t errlen);

/* dlopen path and call its entry, without any check: the descriptor as
 * the plugin returns it (read at most struct_size bytes of it), with the
 * handle in *dl (the caller dlcloses it or keeps it mapped); NULL with
 * "PATH: reason" in err. */
const struct mlg_plugin *loader_descriptor(const char *path, void **dl,
                                           char *err, size_t errlen);

/* The host minor a descriptor needs: min_host_minor when it carries the
 * 1.2 fields, else the abi_minor it was built with. */
unsigned loader_needed_minor(const struct mlg_plugin *d);

/* 0 when the libcjson mlgate runs with has the tree layout the plugin
 * ABI fixes (1.x, >= 1.7); else -1 with a one-line reason in err. */
int loader_cjson_ok(char *err, size_t errlen);

/* Text name of an option type: "string", "int", ... */
const char *loader_opt_type_name(int type);

#endif
