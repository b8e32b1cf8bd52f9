/*
 * bench.h - the figures the LD_PRELOAD probe (shim.c) shares with the
 * benchmark (bench.c) through one mapped file per mlgate run.
 */
#ifndef MLG_BENCH_H
#define MLG_BENCH_H

#define BENCH_MAX_PROC 64

struct bench_proc {
    long long pid;
    long long is_main;   /* the runner itself, not a check child */
    long long utime_us;  /* getrusage(RUSAGE_SELF) at exit */
    long long stime_us;
    long long maxrss_kb;
    long long priv_kb;   /* Private_Clean + Private_Dirty at exit */
};

struct bench_shm {
    long long main_pid;
    long long recv_bytes; /* recv() on sockets, every process summed */
    long long sent_bytes;
    long long connects;   /* connect() calls (keep-alive proof) */
    unsigned nproc;       /* entries used in proc[] */
    struct bench_proc proc[BENCH_MAX_PROC];
};

#endif
