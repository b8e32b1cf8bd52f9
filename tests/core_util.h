/*
 * core_util.h - helpers shared by the runner core's Check programs: test
 * plugin paths, temporary directories, files, and running the mlgate
 * binary with its output captured.
 */
#ifndef MLG_CORE_UTIL_H
#define MLG_CORE_UTIL_H

/* $MLG_BUILDDIR/tests/plugins/.libs (the test plugins).  Caller frees. */
char *cu_plugin_dir(void);
/* The test plugin NAME.so.  Caller frees. */
char *cu_plugin(const char *name);
/* A new private directory under $TMPDIR or /tmp.  Caller frees the
 * string and removes the directory with cu_rmrf(). */
char *cu_tmpdir(void);
/* Remove dir and the files directly in it. */
void cu_rmrf(const char *dir);
/* Write text to dir/name; returns the path (caller frees). */
char *cu_write(const char *dir, const char *name, const char *text);
/* The whole file, or NULL when it cannot be read.  Caller frees. */
char *cu_read(const char *path);

struct cu_proc {
    int pid;
    int out_fd;
    int err_fd;
};

/* Start $MLG_BUILDDIR/mlgate with args (NULL-terminated) in a minimal
 * environment (PATH, HOME=home, NO_COLOR=1, plus env: NULL-terminated
 * "NAME=value" strings, may be NULL).  Returns 0 or -1. */
int cu_spawn(struct cu_proc *p, const char *home, const char *const *args,
             const char *const *env);
/* Collect stdout/stderr (caller frees both) and the exit code (-signal
 * when killed by a signal). */
int cu_wait(struct cu_proc *p, char **out, char **err);
/* cu_spawn + cu_wait. */
int cu_mlgate(const char *home, const char *const *args,
              const char *const *env, char **out, char **err);

#endif
