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
    struct mlg_plugin d;  /* descriptor copy, zero past its struct_size */
};

/* Directories searched for `plugin = NAME`, in order: plugin_dir (may be
 * NULL), each entry of MLGATE_PLUGIN_PATH, then PLUGINDIR.  Returns a
 * NULL-terminated array; caller frees with loader_dirs_free(). */
char **loader_dirs(const char *plugin_dir);
void loader_dirs_free(char **dirs);

/* Resolve a `plugin =` value: a value with '/' is a path, else NAME.so
 * in loader_dirs().  Returns the path (caller frees) or NULL with a
 * one-line reason in err naming the directories searched. */
char *loader_find(const char *name, const char *plugin_dir, char *err,
                  size_t errlen);

/* dlopen(RTLD_NOW|RTLD_LOCAL) and validate.  Returns the plugin (caller
 * frees with loader_free(), which keeps the object mapped) or NULL with a
 * one-line refusal "PATH: reason" in err. */
struct plugin *loader_open(const char *path, char *err, size_t errlen);
void loader_free(struct plugin *p);

/* Text name of an option type: "string", "int", ... */
const char *loader_opt_type_name(int type);

#endif
