/*
 * strict-posix.h - config.h includes this last under --enable-strict-posix.
 * AC_USE_SYSTEM_EXTENSIONS cannot be made conditional (autoconf hoists
 * it), so this takes back every extension it turned on: what remains is
 * C99 plus POSIX.1-2008, the interfaces every port (glibc, musl, the BSDs,
 * macOS) has.  A build that needs more fails to compile here.  (The
 * __STDC_WANT_* macros it also sets only enable ISO C library extensions
 * the code does not use; GCC warns when a reserved name is undefined.)
 *
 * Two opt-outs, each declared by the file before it includes config.h:
 * MLG_WANT_XSI (POSIX's XSI option, e.g. a test opening a pty) and
 * MLG_WANT_EXTENSIONS (a Linux/BSD-only tool such as the benchmark).
 */
#ifndef MLG_WANT_EXTENSIONS
#undef _ALL_SOURCE
#undef _DARWIN_C_SOURCE
#undef __EXTENSIONS__
#undef _GNU_SOURCE
#undef _HPUX_ALT_XOPEN_SOCKET_API
#undef _MINIX
#undef _NETBSD_SOURCE
#undef _OPENBSD_SOURCE
#undef _POSIX_SOURCE
#undef _POSIX_1_SOURCE
#undef _POSIX_PTHREAD_SEMANTICS
#undef _TANDEM_SOURCE
#undef _XOPEN_SOURCE
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#ifdef MLG_WANT_XSI
# define _XOPEN_SOURCE 700
#endif
#endif /* !MLG_WANT_EXTENSIONS */
