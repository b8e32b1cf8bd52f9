/*
 * relay.h - a check's stdout, read by the runner and written to stderr
 * line by line under the check's name, so a plugin's printf never
 * reaches mlgate's own stdout (the --format json/markdown output).
 */
#ifndef MLG_RELAY_H
#define MLG_RELAY_H

#include "util.h"

struct relay {
    int fd;             /* read end of the check's stdout pipe, or -1 */
    struct buf partial; /* a line not ended yet */
};

/* An idle relay (fd -1). */
void relay_init(struct relay *r);

/* Read what is available (fd is non-blocking) and log each complete
 * line as "mlgate: NAME: LINE" (valid UTF-8, secrets masked).  Closes the
 * fd at EOF. */
void relay_read(struct relay *r, const char *name);

/* relay_read, then log an unfinished last line and close the fd. */
void relay_close(struct relay *r, const char *name);

#endif
