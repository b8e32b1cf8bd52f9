/*
 * check_http.c - tests of the HTTP layer: Link and header parsing, the
 * URL policy, and, against mlgate-sandbox, keep-alive reuse, the fork
 * rule, every retry case (503, 500, 429 with Retry-After, a dropped
 * connection, a timeout, the deadline), no retry on other 4xx, and the
 * response size cap.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "http.h"
#include "log.h"
#include "sbx.h"
#include "util.h"

static struct sbx sb;

static void sbx_setup(void)
{
    ck_assert_int_eq(http_global_init(), 0);
    ck_assert_msg(sbx_start(&sb, "happy", NULL) == 0,
                  "mlgate-sandbox did not start");
}

static void sbx_teardown(void)
{
    sbx_stop(&sb);
    http_global_cleanup();
}

static void add_fault(const char *json)
{
    ck_assert_int_eq(sbx_post(&sb, "/__fault", json), 200);
}

static struct http *client(long total_ms, int tries, size_t max_body)
{
    struct http_opts o;
    struct mlg_error err;
    struct http *h;

    memset(&o, 0, sizeof o);
    o.service = "clearml";
    o.base_url = sb.clearml_api;
    o.verify = 1;
    o.total_timeout_ms = total_ms;
    o.max_tries = tries;
    o.max_body = max_body;
    o.backoff_base_s = 0.01;
    h = http_new(&o, &err);
    ck_assert_msg(h != NULL, "%s", err.message);
    return h;
}

/* POST {api}/auth.login without credentials: a small ClearML envelope
 * (401/20) the sandbox answers after any fault. */
static int login_req(struct http *h, double deadline, struct http_resp *r,
                     struct mlg_error *err)
{
    static const char *const hdrs[] = { "Content-Type: application/json",
                                        NULL };
    struct http_req req;

    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.url = "/auth.login";
    req.body = "{}";
    req.body_len = 2;
    req.headers = hdrs;
    req.idempotent = 1;
    req.deadline = deadline;
    return http_request(h, &req, r, err);
}

/* ---- unit ---------------------------------------------------------- */

START_TEST(test_link_next)
{
    char *n;

    n = http_link_next("<https://api.github.com/repositories/1/issues/12/"
                       "comments?per_page=100&page=2>; rel=\"next\", "
                       "<https://api.github.com/repositories/1/issues/12/"
                       "comments?per_page=100&page=3>; rel=\"last\"");
    ck_assert_str_eq(n, "https://api.github.com/repositories/1/issues/12/"
                        "comments?per_page=100&page=2");
    free(n);
    n = http_link_next("<http://h/x?page=1>; rel=\"prev\", "
                       "<http://h/x?page=3>; rel=\"next\"");
    ck_assert_str_eq(n, "http://h/x?page=3");
    free(n);
    n = http_link_next("<http://h/a>; rel=next");
    ck_assert_str_eq(n, "http://h/a");
    free(n);
    n = http_link_next("<http://h/a>; title=\"x, y\"; rel=\"last next\"");
    ck_assert_str_eq(n, "http://h/a");
    free(n);
    ck_assert_ptr_null(http_link_next("<http://h/a>; rel=\"last\", "
                                      "<http://h/b>; rel=\"first\""));
    ck_assert_ptr_null(http_link_next("<http://h/a>; rel=\"nextpage\""));
    ck_assert_ptr_null(http_link_next(NULL));
    ck_assert_ptr_null(http_link_next("<http://h/a; rel=\"next\""));
    ck_assert_ptr_null(http_link_next(""));
}
END_TEST

START_TEST(test_resp_header)
{
    struct http_resp r;
    char *v;

    memset(&r, 0, sizeof r);
    r.headers = xstrdup("HTTP/1.1 200 OK\r\nContent-Type: text/html; x\r\n"
                        "Link:   <a>; rel=\"next\"  \r\nX-Next-Page: 3\r\n"
                        "x-next-page: 9\r\n\r\n");
    v = http_resp_header(&r, "content-type");
    ck_assert_str_eq(v, "text/html; x");
    free(v);
    v = http_resp_header(&r, "LINK");
    ck_assert_str_eq(v, "<a>; rel=\"next\"");
    free(v);
    v = http_resp_header(&r, "X-Next-Page");
    ck_assert_str_eq(v, "3");
    free(v);
    ck_assert_ptr_null(http_resp_header(&r, "Link-Extra"));
    ck_assert_ptr_null(http_resp_header(&r, "Content"));
    http_resp_free(&r);
    ck_assert_ptr_null(r.headers);
}
END_TEST

START_TEST(test_escape)
{
    char *e = http_escape("acme/ml-repo name&x");

    ck_assert_str_eq(e, "acme%2Fml-repo%20name%26x");
    free(e);
}
END_TEST

static int opens(const char *url, int allow_http, struct mlg_error *err)
{
    struct http_opts o;
    struct http *h;

    memset(&o, 0, sizeof o);
    o.service = "github";
    o.base_url = url;
    o.verify = 1;
    o.allow_http = allow_http;
    h = http_new(&o, err);
    http_free(h);
    return h != NULL;
}

START_TEST(test_url_policy)
{
    struct mlg_error err;

    ck_assert(opens("https://api.github.com", 0, &err));
    ck_assert(opens("http://127.0.0.1:8008", 0, &err));
    ck_assert(opens("http://127.1.2.3/x", 0, &err));
    ck_assert(opens("http://localhost:1/api/v3", 0, &err));
    ck_assert(opens("http://[::1]:5", 0, &err));
    ck_assert(opens("http://ghe.example.org/api/v3", 1, &err));
    ck_assert(!opens("http://ghe.example.org/api/v3", 0, &err));
    ck_assert_int_eq(err.kind, MLG_E_CONFIG);
    ck_assert_msg(strstr(err.message, "github: refusing plain http://") &&
                  strstr(err.message, "ghe.example.org"), "%s",
                  err.message);
    ck_assert(!opens("http://127.0.0.1.evil.example/", 0, &err));
    ck_assert(!opens("ftp://127.0.0.1/", 1, &err));
    ck_assert_msg(strstr(err.message, "unsupported URL scheme"), "%s",
                  err.message);
    ck_assert(!opens("", 1, &err));
    ck_assert(!opens("not a url", 1, &err));
}
END_TEST

START_TEST(test_https_only_request)
{
    struct http_opts o;
    struct mlg_error err;
    struct http_resp r;
    struct http_req req;
    struct http *h;

    memset(&o, 0, sizeof o);
    o.service = "github";
    o.base_url = "https://api.github.com";
    o.verify = 1;
    h = http_new(&o, &err);
    ck_assert_ptr_nonnull(h);
    memset(&req, 0, sizeof req);
    req.method = "GET";
    /* A plain-http absolute URL (e.g. a hostile Link header). */
    req.url = "http://example.org/repos/x";
    ck_assert_int_eq(http_request(h, &req, &r, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_TRANSPORT);
    ck_assert_ptr_nonnull(strstr(err.message, "refusing plain http://"));
    http_resp_free(&r);
    http_free(h);
}
END_TEST

#define PREFIX "clearml: POST http://127.0.0.1:1/clearml/auth.login: "
START_TEST(test_connect_refused)
{
    struct http_opts o;
    struct mlg_error err;
    struct http_resp r;
    struct http *h;
    double t0 = now_mono();

    memset(&o, 0, sizeof o);
    o.service = "clearml";
    o.base_url = "http://127.0.0.1:1/clearml";
    o.verify = 1;
    o.max_tries = 3;
    o.backoff_base_s = 0.01;
    h = http_new(&o, &err);
    ck_assert_ptr_nonnull(h);
    ck_assert_int_eq(login_req(h, 0, &r, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_TRANSPORT);
    ck_assert_int_eq(r.tries, 3);
    ck_assert_msg(strncmp(err.message, PREFIX, sizeof PREFIX - 1) == 0,
                  "%s", err.message);
    ck_assert(now_mono() - t0 < 3.0);
    http_resp_free(&r);

    /* A deadline in the past: no attempt at all. */
    ck_assert_int_eq(login_req(h, now_mono() - 1, &r, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_DEADLINE);
    ck_assert_int_eq(r.tries, 0);
    http_resp_free(&r);
    http_free(h);
}
END_TEST

/* ---- against the sandbox -------------------------------------------- */

START_TEST(test_keepalive)
{
    struct http *h = client(0, 0, 0);
    struct mlg_error err;
    struct http_resp r;
    int i;

    for (i = 0; i < 5; i++) {
        ck_assert_int_eq(login_req(h, 0, &r, &err), 0);
        ck_assert_int_eq(r.status, 401);
        ck_assert_int_eq(r.tries, 1);
        http_resp_free(&r);
    }
    ck_assert_int_eq(http_connects(h), 1);
    ck_assert_int_eq(sbx_count(&sb, "POST", "/auth.login"), 5);
    http_free(h);
}
END_TEST

START_TEST(test_fork_new_connection)
{
    struct http *h = client(0, 0, 0);
    struct mlg_error err;
    struct http_resp r;
    int fds[2], status;
    long child_connects = -1;
    pid_t pid;

    ck_assert_int_eq(login_req(h, 0, &r, &err), 0);
    http_resp_free(&r);
    ck_assert_int_eq(http_connects(h), 1);
    ck_assert_int_eq(pipe(fds), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        long n = -1;

        close(fds[0]);
        if (login_req(h, 0, &r, &err) == 0 && r.status == 401)
            n = http_connects(h);
        http_resp_free(&r);
        http_free(h); /* must not close the parent's connection */
        if (write(fds[1], &n, sizeof n) != (ssize_t)sizeof n)
            _exit(2);
        _exit(0);
    }
    close(fds[1]);
    ck_assert_int_eq(read(fds[0], &child_connects, sizeof child_connects),
                     (ssize_t)sizeof child_connects);
    close(fds[0]);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* The child opened its own connection... */
    ck_assert_int_eq(child_connects, 2);
    /* ...and the parent's is still alive and reused. */
    ck_assert_int_eq(login_req(h, 0, &r, &err), 0);
    ck_assert_int_eq(r.status, 401);
    http_resp_free(&r);
    ck_assert_int_eq(http_connects(h), 1);
    http_free(h);
}
END_TEST

START_TEST(test_retry_503)
{
    struct http *h = client(0, 0, 0);
    struct mlg_error err;
    struct http_resp r;

    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"auth.login\"},\"status\":503,\"count\":2}");
    ck_assert_int_eq(login_req(h, 0, &r, &err), 0);
    ck_assert_int_eq(r.status, 401);
    ck_assert_int_eq(r.tries, 3);
    http_resp_free(&r);
    http_free(h);
}
END_TEST

START_TEST(test_retry_gives_up)
{
    struct http *h = client(0, 3, 0);
    struct mlg_error err;
    struct http_resp r;

    /* Past max_tries the last answer comes back for the caller to map. */
    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"auth.login\"},\"status\":502,\"count\":0}");
    ck_assert_int_eq(login_req(h, 0, &r, &err), 0);
    ck_assert_int_eq(r.status, 502);
    ck_assert_int_eq(r.tries, 3);
    http_resp_free(&r);
    http_free(h);
}
END_TEST

START_TEST(test_500_only_idempotent)
{
    static const char *const hdrs[] = { "Content-Type: application/json",
                                        NULL };
    struct http *h = client(0, 0, 0);
    struct mlg_error err;
    struct http_resp r;
    struct http_req req;

    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"auth.login\"},\"status\":500,\"count\":1,\"nth\":1}");
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.url = "/auth.login";
    req.body = "{}";
    req.body_len = 2;
    req.headers = hdrs;
    req.idempotent = 0;
    ck_assert_int_eq(http_request(h, &req, &r, &err), 0);
    ck_assert_int_eq(r.status, 500);
    ck_assert_int_eq(r.tries, 1);
    http_resp_free(&r);

    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"auth.login\"},\"status\":500,\"count\":1}");
    req.idempotent = 1;
    ck_assert_int_eq(http_request(h, &req, &r, &err), 0);
    ck_assert_int_eq(r.status, 401);
    ck_assert_int_eq(r.tries, 2);
    http_resp_free(&r);
    http_free(h);
}
END_TEST

START_TEST(test_no_retry_4xx)
{
    struct http *h = client(0, 0, 0);
    struct mlg_error err;
    struct http_resp r;
    struct http_req req;

    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.url = "/v2.23/tasks.no_such_endpoint";
    sbx_off_spec(&sb, "POST", 404, "tasks.no_such_endpoint", "a 4xx is "
                 "not retried");
    req.body = "{}";
    req.body_len = 2;
    req.idempotent = 1;
    ck_assert_int_eq(http_request(h, &req, &r, &err), 0);
    ck_assert_int_ge(r.status, 400);
    ck_assert_int_lt(r.status, 500);
    ck_assert_int_eq(r.tries, 1);
    http_resp_free(&r);
    /* 401 (login without credentials) is not retried either. */
    ck_assert_int_eq(login_req(h, 0, &r, &err), 0);
    ck_assert_int_eq(r.tries, 1);
    http_resp_free(&r);
    http_free(h);
}
END_TEST

START_TEST(test_retry_after_honoured)
{
    struct http *h = client(0, 0, 0);
    struct mlg_error err;
    struct http_resp r;
    double t0;

    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"auth.login\"},\"retry_after\":1}");
    t0 = now_mono();
    ck_assert_int_eq(login_req(h, now_mono() + 10, &r, &err), 0);
    /* The 0.01 s backoff would have been far shorter. */
    ck_assert(now_mono() - t0 >= 0.95);
    ck_assert_int_eq(r.status, 401);
    ck_assert_int_eq(r.tries, 2);
    http_resp_free(&r);
    http_free(h);
}
END_TEST

START_TEST(test_retry_after_http_date)
{
    struct http *h = client(0, 0, 0);
    struct mlg_error err;
    struct http_resp r;
    char date[64], *fault;
    time_t when = time(NULL) + 2;
    struct tm tm;
    double t0;

    /* Retry-After as an HTTP date, 2 s ahead (1 to 2 s of waiting). */
    gmtime_r(&when, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    fault = xasprintf("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
                      "\"auth.login\"},\"status\":503,\"headers\":"
                      "{\"Retry-After\":\"%s\"}}", date);
    add_fault(fault);
    free(fault);
    t0 = now_mono();
    ck_assert_int_eq(login_req(h, now_mono() + 10, &r, &err), 0);
    ck_assert(now_mono() - t0 >= 0.9);
    ck_assert_int_eq(r.status, 401);
    ck_assert_int_eq(r.tries, 2);
    http_resp_free(&r);
    http_free(h);
}
END_TEST

START_TEST(test_retry_after_past_deadline)
{
    struct http *h = client(0, 0, 0);
    struct mlg_error err;
    struct http_resp r;
    double t0;

    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"auth.login\"},\"retry_after\":30}");
    t0 = now_mono();
    ck_assert_int_eq(login_req(h, now_mono() + 2, &r, &err), -1);
    ck_assert(now_mono() - t0 < 1.5); /* gave up at once, no waiting */
    ck_assert_int_eq(err.kind, MLG_E_DEADLINE);
    ck_assert_int_eq(err.status, 429);
    ck_assert_msg(strstr(err.message, "HTTP 429, giving up: retry-after "
                         "30 s exceeds the time left (") != NULL, "%s",
                  err.message);
    ck_assert_int_eq(r.tries, 1);
    http_resp_free(&r);
    http_free(h);
}
END_TEST

START_TEST(test_dropped_connection)
{
    struct http *h = client(0, 0, 0);
    struct mlg_error err;
    struct http_resp r;

    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"auth.login\"},\"drop\":true}");
    ck_assert_int_eq(login_req(h, 0, &r, &err), 0);
    ck_assert_int_eq(r.status, 401);
    ck_assert_int_eq(r.tries, 2);
    http_resp_free(&r);

    /* Dropped every time: a transport error naming the request. */
    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"auth.login\"},\"drop\":true,\"count\":0}");
    ck_assert_int_eq(login_req(h, 0, &r, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_TRANSPORT);
    ck_assert_msg(strstr(err.message, "clearml: POST http://127.0.0.1:") &&
                  strstr(err.message, "/clearml/auth.login: "), "%s",
                  err.message);
    ck_assert_int_eq(r.tries, 6);
    http_resp_free(&r);
    http_free(h);
}
END_TEST

START_TEST(test_timeout)
{
    struct http *h = client(300, 1, 0);
    struct mlg_error err;
    struct http_resp r;
    double t0;

    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"auth.login\"},\"delay_ms\":1500,\"count\":0}");
    t0 = now_mono();
    ck_assert_int_eq(login_req(h, 0, &r, &err), -1);
    ck_assert(now_mono() - t0 < 1.2);
    ck_assert_int_eq(err.kind, MLG_E_TRANSPORT);
    ck_assert_msg(strstr(err.message, "imed out") != NULL, "%s",
                  err.message);
    http_resp_free(&r);
    http_free(h);

    /* With a long per-attempt cap the deadline cuts the request short. */
    h = client(0, 0, 0);
    t0 = now_mono();
    ck_assert_int_eq(login_req(h, now_mono() + 0.4, &r, &err), -1);
    ck_assert(now_mono() - t0 < 1.2);
    ck_assert_int_eq(err.kind, MLG_E_DEADLINE);
    ck_assert_ptr_nonnull(strstr(err.message, "deadline reached"));
    http_resp_free(&r);
    http_free(h);
}
END_TEST

START_TEST(test_timeout_then_success)
{
    struct http *h = client(300, 3, 0);
    struct mlg_error err;
    struct http_resp r;

    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"auth.login\"},\"delay_ms\":1500}");
    ck_assert_int_eq(login_req(h, 0, &r, &err), 0);
    ck_assert_int_eq(r.status, 401);
    ck_assert_int_eq(r.tries, 2);
    http_resp_free(&r);
    http_free(h);
}
END_TEST

START_TEST(test_size_cap)
{
    struct http *h = client(0, 0, 40);
    struct mlg_error err;
    struct http_resp r;

    ck_assert_int_eq(login_req(h, 0, &r, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_TRANSPORT);
    ck_assert_msg(strstr(err.message, "response from clearml exceeds 40 "
                         "bytes") != NULL, "%s", err.message);
    ck_assert_int_eq(r.tries, 1); /* not retried */
    http_resp_free(&r);
    http_free(h);
}
END_TEST

/* Replace "127.0.0.1" in the sandbox URL by host.  Caller frees. */
static char *with_host(const char *url, const char *host)
{
    const char *p = strstr(url, "127.0.0.1");

    ck_assert_ptr_nonnull(p);
    return xasprintf("%.*s%s%s", (int)(p - url), url, host, p + 9);
}

START_TEST(test_redirects)
{
    struct http *h = client(0, 0, 0);
    struct mlg_error err;
    struct http_resp r;
    char *fault, *loc;

    /* Same origin: followed, and it is not a retry. */
    loc = xasprintf("%s/v2.23/auth.login", sb.clearml_api);
    fault = xasprintf("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
                      "\"auth.login\"},\"status\":307,\"headers\":"
                      "{\"Location\":\"%s\"}}", loc);
    add_fault(fault);
    free(fault);
    free(loc);
    ck_assert_int_eq(login_req(h, 0, &r, &err), 0);
    ck_assert_int_eq(r.status, 401);
    ck_assert_int_eq(r.tries, 1);
    ck_assert_int_eq(sbx_count(&sb, "POST", "/v2.23/auth.login"), 1);
    http_resp_free(&r);

    /* Another origin (same machine, other host name): the headers may
     * carry a token, so the redirect comes back unfollowed. */
    loc = with_host(sb.clearml_api, "localhost");
    fault = xasprintf("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
                      "\"auth.login\"},\"status\":302,\"headers\":"
                      "{\"Location\":\"%s/auth.login\"}}", loc);
    add_fault(fault);
    free(fault);
    free(loc);
    ck_assert_int_eq(login_req(h, 0, &r, &err), 0);
    ck_assert_int_eq(r.status, 302);
    ck_assert_int_eq(sbx_count(&sb, "POST", "auth.login"), 3);
    http_resp_free(&r);
    http_free(h);
}
END_TEST

static Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *core = tcase_create("core");
    TCase *sbx = tcase_create("sandbox");
    TCase *errors = tcase_create("errors");

    tcase_add_test(core, test_link_next);
    tcase_add_test(core, test_resp_header);
    tcase_add_test(core, test_escape);
    tcase_add_test(core, test_url_policy);
    suite_add_tcase(s, core);

    tcase_add_checked_fixture(errors, NULL, NULL);
    tcase_add_test(errors, test_https_only_request);
    tcase_add_test(errors, test_connect_refused);
    suite_add_tcase(s, errors);

    tcase_add_checked_fixture(sbx, sbx_setup, sbx_teardown);
    tcase_set_timeout(sbx, 20);
    tcase_add_test(sbx, test_keepalive);
    tcase_add_test(sbx, test_fork_new_connection);
    tcase_add_test(sbx, test_retry_503);
    tcase_add_test(sbx, test_retry_gives_up);
    tcase_add_test(sbx, test_500_only_idempotent);
    tcase_add_test(sbx, test_no_retry_4xx);
    tcase_add_test(sbx, test_retry_after_honoured);
    tcase_add_test(sbx, test_retry_after_past_deadline);
    tcase_add_test(sbx, test_retry_after_http_date);
    tcase_add_test(sbx, test_dropped_connection);
    tcase_add_test(sbx, test_timeout);
    tcase_add_test(sbx, test_timeout_then_success);
    tcase_add_test(sbx, test_size_cap);
    tcase_add_test(sbx, test_redirects);
    suite_add_tcase(s, sbx);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(http_suite());
    int failed;

    log_init(0);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
