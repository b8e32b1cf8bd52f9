/*
 * main.c - mlgate-sandbox's command line: load a scenario, serve until
 * SIGTERM/SIGINT, or run the built-in benchmark against itself.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "sandbox.h"
#include "util.h"

#define MAIN_USAGE_EXIT 64

/* The benchmark's scenario when none is given: one task, one queue. */
static const char main_bench_scenario[] =
    "{\"clearml\":{\"projects\":[{\"id\":\"5b2f0c7e9d8a4b1c9e0f123456789abc\","
    "\"name\":\"Github CICD Video\"}],\"tasks\":[{\"id\":"
    "\"a1b2c3d4e5f60718293a4b5c6d7e8f90\",\"name\":\"cicd_test\","
    "\"status\":\"completed\",\"project\":"
    "\"5b2f0c7e9d8a4b1c9e0f123456789abc\",\"script\":{\"version_num\":"
    "\"3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345\",\"diff\":\"\"}}]}}";

static void main_usage(FILE *f)
{
    fputs("usage: mlgate-sandbox --scenario FILE [--listen ADDR:PORT] "
          "[--latency-ms N]\n"
          "                      [--log FILE] [--allow-remote]\n"
          "       mlgate-sandbox --bench [--clients N] [--seconds S] "
          "[--scenario FILE]\n", f);
}

static int main_long(const char *opt, const char *v, long min, long *out)
{
    char *end;

    errno = 0;
    *out = strtol(v ? v : "", &end, 10);
    if (v == NULL || *v == '\0' || *end != '\0' || errno != 0 || *out < min)
    {
        fprintf(stderr, "mlgate-sandbox: %s wants a number >= %ld\n", opt,
                min);
        return -1;
    }
    return 0;
}

/* ---- benchmark */

struct main_bench {
    const char *base;       /* http://127.0.0.1:PORT */
    double deadline;
    double *lat;            /* seconds per request */
    size_t n, cap;
    long errors;
};

static size_t main_sink(char *p, size_t s, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return s * n;
}

static size_t main_keep(char *p, size_t s, size_t n, void *ud)
{
    buf_add(ud, p, s * n);
    return s * n;
}

static void *main_bench_client(void *arg)
{
    struct main_bench *b = arg;
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    struct buf out = { 0 };
    char *url, *auth = NULL;
    cJSON *j;
    const cJSON *tok;
    static const char query[] =
        "{\"id\":[\"a1b2c3d4e5f60718293a4b5c6d7e8f90\"],"
        "\"only_fields\":[\"status\",\"last_iteration\"]}";

    if (c == NULL)
        return NULL;
    url = xasprintf("%s/clearml/auth.login", b->base);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_USERPWD, "SBXACCESSKEY00000001:"
                     "sbx-secret-0123456789abcdefghijklmnopqrstuv");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, main_keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_perform(c);
    free(url);
    j = cJSON_Parse(out.p ? out.p : "");
    tok = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "data"), "token");
    if (cJSON_IsString(tok))
        auth = xasprintf("Authorization: Bearer %s", tok->valuestring);
    cJSON_Delete(j);
    buf_free(&out);
    if (auth == NULL) {
        curl_easy_cleanup(c);
        return NULL;
    }
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    url = xasprintf("%s/clearml/v2.23/tasks.get_all", b->base);
    curl_easy_setopt(c, CURLOPT_USERPWD, NULL);
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_NONE);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, query);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, main_sink);
    while (now_mono() < b->deadline) {
        double t0 = now_mono();
        long code = 0;

        if (curl_easy_perform(c) != CURLE_OK ||
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK
            || code != 200) {
            b->errors++;
            continue;
        }
        if (b->n == b->cap) {
            b->cap = b->cap ? b->cap * 2 : 4096;
            b->lat = xrealloc(b->lat, b->cap * sizeof(*b->lat));
        }
        b->lat[b->n++] = now_mono() - t0;
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(url);
    free(auth);
    return NULL;
}

static int main_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int main_bench(long clients, long seconds)
{
    struct main_bench *bs = xcalloc((size_t)clients, sizeof(*bs));
    pthread_t *th = xcalloc((size_t)clients, sizeof(*th));
    double *all, t0, el;
    size_t total = 0, k = 0;
    long errors = 0, i;
    char base[64];
    unsigned port = 0;
    struct sbx_opts o;
    void *srv;

#if defined(__linux__) && defined(CPU_SET)
    {
        /* Server and clients share one core: the figure is per core.
         * (CPU_SET is a GNU extension: absent in a strict POSIX build.) */
        cpu_set_t cs;
        int cpu = sched_getcpu();

        CPU_ZERO(&cs);
        CPU_SET(cpu < 0 ? 0 : cpu, &cs);
        if (sched_setaffinity(0, sizeof(cs), &cs) == 0)
            printf("cores: 1 (cpu %d)\n", cpu < 0 ? 0 : cpu);
    }
#endif
    memset(&o, 0, sizeof(o));
    o.listen = "127.0.0.1:0";
    srv = server_start(&o, &port);
    if (srv == NULL)
        return 1;
    snprintf(base, sizeof(base), "http://127.0.0.1:%u", port);
    t0 = now_mono();
    for (i = 0; i < clients; i++) {
        bs[i].base = base;
        bs[i].deadline = t0 + (double)seconds;
        pthread_create(&th[i], NULL, main_bench_client, &bs[i]);
    }
    for (i = 0; i < clients; i++) {
        pthread_join(th[i], NULL);
        total += bs[i].n;
        errors += bs[i].errors;
    }
    el = now_mono() - t0;
    server_stop(srv);
    all = xcalloc(total + 1, sizeof(*all));
    for (i = 0; i < clients; i++) {
        memcpy(all + k, bs[i].lat, bs[i].n * sizeof(*all));
        k += bs[i].n;
        free(bs[i].lat);
    }
    qsort(all, total, sizeof(*all), main_cmp_double);
    printf("clients: %ld seconds: %.2f requests: %zu errors: %ld\n",
           clients, el, total, errors);
    printf("requests/s: %.0f\n", (double)total / el);
    printf("p50_ms: %.3f p99_ms: %.3f\n",
           total ? all[total / 2] * 1000.0 : 0.0,
           total ? all[(size_t)((double)total * 0.99)] * 1000.0 : 0.0);
    fflush(stdout);
    free(all);
    free(bs);
    free(th);
    return total > 0 && errors == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct sbx_opts o;
    sigset_t set;
    unsigned port = 0;
    void *srv;
    int i, sig = 0, bench = 0;
    long clients = 4, seconds = 3;

    memset(&o, 0, sizeof(o));
    o.listen = "127.0.0.1:0";
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--scenario") == 0 && v != NULL) {
            o.scenario = v;
            i++;
        } else if (strcmp(a, "--listen") == 0 && v != NULL) {
            o.listen = v;
            i++;
        } else if (strcmp(a, "--latency-ms") == 0) {
            if (main_long(a, v, 0, &o.latency_ms) != 0)
                return MAIN_USAGE_EXIT;
            i++;
        } else if (strcmp(a, "--log") == 0 && v != NULL) {
            o.log_path = v;
            i++;
        } else if (strcmp(a, "--allow-remote") == 0) {
            o.allow_remote = 1;
        } else if (strcmp(a, "--bench") == 0) {
            bench = 1;
        } else if (strcmp(a, "--clients") == 0) {
            if (main_long(a, v, 1, &clients) != 0)
                return MAIN_USAGE_EXIT;
            i++;
        } else if (strcmp(a, "--seconds") == 0) {
            if (main_long(a, v, 1, &seconds) != 0)
                return MAIN_USAGE_EXIT;
            i++;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            main_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "mlgate-sandbox: unknown or incomplete option "
                    "'%s'\n", a);
            main_usage(stderr);
            return MAIN_USAGE_EXIT;
        }
    }
    if (clients > 256 || seconds > 600) {
        fprintf(stderr, "mlgate-sandbox: --clients <= 256, --seconds <= "
                "600\n");
        return MAIN_USAGE_EXIT;
    }
    if (o.scenario == NULL && !bench) {
        main_usage(stderr);
        return MAIN_USAGE_EXIT;
    }
    signal(SIGPIPE, SIG_IGN);
    if (o.scenario != NULL ? scenario_load(o.scenario) != 0 :
        scenario_load_text(main_bench_scenario, "built-in") != 0)
        return 1;
    if (bench) {
        int rc;

        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = main_bench(clients, seconds);
        curl_global_cleanup();
        return rc;
    }
    /* Block the stop signals before any thread starts, then wait. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    srv = server_start(&o, &port);
    if (srv == NULL)
        return 1;
    printf("CLEARML_API_HOST=http://127.0.0.1:%u/clearml\n"
           "CLEARML_WEB_HOST=http://127.0.0.1:%u/clearml-web\n"
           "GITHUB_API_URL=http://127.0.0.1:%u/github\n"
           "CI_API_V4_URL=http://127.0.0.1:%u/gitlab/api/v4\n"
           "READY\n", port, port, port, port);
    fflush(stdout);
    while (sigwait(&set, &sig) != 0)
        ;
    server_stop(srv);
    return 0;
}
