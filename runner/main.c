/*
 * main.c - the mlgate program: everything else lives in librunner so
 * that tests link the same code.
 */
#include <config.h>

#include "cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
