/*
 * cli.h - the mlgate command line (design §3).
 */
#ifndef MLG_CLI_H
#define MLG_CLI_H

/* Run mlgate with argv; returns the process exit code (0, 1, 2, 64, 78).
 * Writes the report to stdout and diagnostics to stderr. */
int cli_main(int argc, char **argv);

#endif
