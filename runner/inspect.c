/*
 * inspect.c - prints a plugin's descriptor (identity, ABI built with and
 * needed, flags, options with types and defaults) and the loader's
 * verdict.  Never calls init or run.
 */
#include <config.h>

#include "inspect.h"

#include "loader.h"
#include "utf8.h"
#include "util.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#define INSPECT_EX_CONFIG 78

/* Plugin text, printable: valid UTF-8, "(none)" for NULL. */
static void inspect_str(FILE *out, const char *label, const char *s)
{
    char *c = utf8_clean(s != NULL ? s : "(none)");

    fprintf(out, "%-13s %s\n", label, c);
    free(c);
}

static void inspect_options(FILE *out, const struct mlg_option *o)
{
    if (o == NULL || o->name == NULL) {
        fprintf(out, "%-13s none\n", "options:");
        return;
    }
    fprintf(out, "options:\n");
    for (; o->name != NULL; o++) {
        fprintf(out, "  %-18s %s", o->name, loader_opt_type_name(o->type));
        if (o->type == MLG_OPT_ENUM && o->choices != NULL)
            fprintf(out, " (%s)", o->choices);
        if (o->flags & MLG_OPT_REQUIRED)
            fputs(", required", out);
        else if (o->def != NULL)
            fprintf(out, ", default '%s'", o->def);
        else
            fputs(", no default", out);
        fprintf(out, "\n      %s\n", o->help != NULL ? o->help : "");
    }
}

/* The flags as words, and the head fields a 1.3 plugin asks for. */
static void inspect_flags(FILE *out, const struct mlg_plugin *d)
{
    static const struct { unsigned bit; const char *word; } names[] = {
        {MLG_PLUGIN_NEEDS_PR, "needs-pr"},
        {MLG_PLUGIN_NEEDS_CLEARML, "needs-clearml"},
        {MLG_PLUGIN_USES_PROJECT, "uses-project"},
        {MLG_PLUGIN_USES_HEAD_TASK, "uses-head-task"}
    };
    const char *sep = "";
    size_t i;

    fprintf(out, "%-13s", "flags:");
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (d->flags & names[i].bit) {
            fprintf(out, "%s%s", *sep ? sep : " ", names[i].word);
            sep = " ";
        }
    fputs(*sep ? "\n" : " none\n", out);
    if (d->head_fields != NULL && d->head_fields[0] != NULL) {
        fprintf(out, "%-13s", "head fields:");
        for (i = 0; d->head_fields[i] != NULL; i++)
            fprintf(out, " %s", d->head_fields[i]);
        fputc('\n', out);
    }
}

/* What a refused plugin's descriptor still tells (the frozen head, and
 * the rest as far as struct_size reaches). */
static void inspect_raw(FILE *out, const struct mlg_plugin *d)
{
    struct mlg_plugin c;
    size_t n = d->struct_size < sizeof(c) ? d->struct_size : sizeof(c);

    memset(&c, 0, sizeof(c));
    if (n < offsetof(struct mlg_plugin, flags))
        n = offsetof(struct mlg_plugin, flags);
    memcpy(&c, d, n);
    if (n >= offsetof(struct mlg_plugin, name) + sizeof(c.name))
        inspect_str(out, "name:", c.name);
    fprintf(out, "%-13s built with %u.%u, needs %u.%u (this mlgate: %d.%d)\n",
            "ABI:", (unsigned)c.abi_major, (unsigned)c.abi_minor,
            (unsigned)c.abi_major, loader_needed_minor(&c), MLG_ABI_MAJOR,
            MLG_ABI_MINOR);
    fprintf(out, "%-13s %u bytes\n", "descriptor:", (unsigned)c.struct_size);
}

int inspect_plugin(const char *file, FILE *out)
{
    char err[1024], scratch[1024];
    /* dlopen searches the library path for a bare name: a file is meant. */
    char *path = strchr(file, '/') != NULL ? xstrdup(file)
                                           : xasprintf("./%s", file);
    struct plugin *p = loader_open(path, err, sizeof(err));
    const struct mlg_plugin *raw;
    void *dl;

    inspect_str(out, "file:", path);
    if (p == NULL) {
        raw = loader_descriptor(path, &dl, scratch, sizeof(scratch));
        if (raw != NULL)
            inspect_raw(out, raw);
        fprintf(out, "%-13s refused: %s\n", "loads:", err);
        free(path);
        return INSPECT_EX_CONFIG;
    }
    free(path);
    inspect_str(out, "name:", p->d.name);
    inspect_str(out, "version:", p->d.version);
    inspect_str(out, "description:", p->d.description);
    fprintf(out, "%-13s built with %u.%u, needs %u.%u (this mlgate: %d.%d)\n",
            "ABI:", (unsigned)p->d.abi_major, (unsigned)p->d.abi_minor,
            (unsigned)p->d.abi_major, loader_needed_minor(&p->d),
            MLG_ABI_MAJOR, MLG_ABI_MINOR);
    inspect_flags(out, &p->d);
    inspect_options(out, p->d.options);
    fprintf(out, "%-13s yes\n", "loads:");
    loader_free(p);
    return 0;
}
