/*
 * inspect.h - `mlgate plugin inspect FILE.so`: what a plugin declares and
 * whether this mlgate would load it, without running it (gst-inspect).
 */
#ifndef MLG_INSPECT_H
#define MLG_INSPECT_H

#include <stdio.h>

/* Print the report for the plugin file path to out.  Returns 0 when the
 * loader accepts it, 78 when it refuses it (the reason is printed). */
int inspect_plugin(const char *path, FILE *out);

#endif
