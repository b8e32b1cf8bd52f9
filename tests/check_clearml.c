/*
 * check_clearml.c - tests of the ClearML client: clearml.conf (HOCON)
 * quirks, configuration precedence, web host derivation, regex escaping,
 * and, against mlgate-sandbox, login and the envelope, every error class
 * and its message, re-login on 401, keep-alive, the task finder, project
 * and queue lookups, and tagging on new and old servers.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "clearml.h"
#include "conf.h"
#include "http.h"
#include "log.h"
#include "sbx.h"
#include "util.h"

#define SHA "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345"
#define ACCESS "SBXACCESSKEY00000001"
#define SECRET "sbx-secret-0123456789abcdefghijklmnopqrstuv"
#define CURRENT "a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define DIRTY "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1"
#define BEST "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
#define PROJECT "5b2f0c7e9d8a4b1c9e0f123456789abc"
#define QUEUE "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"

static const char *const cm_vars[] = {
    "CLEARML_API_HOST", "CLEARML_WEB_HOST", "CLEARML_API_ACCESS_KEY",
    "CLEARML_API_SECRET_KEY", "CLEARML_AUTH_TOKEN", "CLEARML_CONFIG_FILE",
    "CLEARML_API_HOST_VERIFY_CERT", "TRAINS_API_HOST", "TRAINS_WEB_HOST",
    "TRAINS_API_ACCESS_KEY", "TRAINS_API_SECRET_KEY", "TRAINS_CONFIG_FILE",
    "TRAINS_API_HOST_VERIFY_CERT", NULL
};

static char home[4096];

/* A private, empty HOME, so no real ~/clearml.conf is read. */
static void env_setup(void)
{
    const char *const *v;
    const char *tmp = getenv("TMPDIR");

    for (v = cm_vars; *v; v++)
        unsetenv(*v);
    snprintf(home, sizeof home, "%s/mlg-clearml-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(home));
    setenv("HOME", home, 1);
    setenv("MLGATE_HTTP_BACKOFF", "0.01", 1);
}

static void env_teardown(void)
{
    char *p = xasprintf("%s/clearml.conf", home);

    unlink(p);
    free(p);
    rmdir(home);
}

static char *data_path(const char *name)
{
    const char *src = getenv("MLG_SRCDIR");

    return xasprintf("%s/tests/data/clearml/%s", src ? src : ".", name);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* ---- unit: HOCON and configuration ------------------------------------ */

static int parse_text(const char *text, struct clearml_conf *cc, char *err,
                      size_t errlen)
{
    memset(cc, 0, sizeof *cc);
    cc->verify = -1;
    return clearml_conf_parse_hocon(text, strlen(text), cc, err, errlen);
}

START_TEST(test_hocon_basic)
{
    struct clearml_conf cc;
    struct mlg_error err;
    char *path = data_path("basic.conf");

    setenv("CLEARML_CONFIG_FILE", path, 1);
    ck_assert_int_eq(clearml_conf_load(&cc, NULL, &err), 0);
    ck_assert_str_eq(cc.api_host, "https://api.example.org");
    ck_assert_str_eq(cc.web_host, "https://app.example.org");
    ck_assert_str_eq(cc.access_key, ACCESS);
    ck_assert_str_eq(cc.secret_key, SECRET);
    ck_assert_int_eq(cc.verify, 1);
    ck_assert_ptr_null(cc.ca_bundle);
    /* Read from a file: registered as secrets on the spot. */
    ck_assert(log_has_secret("key " SECRET));
    clearml_conf_free(&cc);
    free(path);
}
END_TEST

START_TEST(test_hocon_quirks)
{
    struct clearml_conf cc;
    struct mlg_error err;
    char *path = data_path("quirks.conf");

    setenv("CLEARML_CONFIG_FILE", path, 1);
    setenv("MLG_TEST_HOCON_KEY", "KEYFROMENV123", 1);
    unsetenv("MLG_TEST_HOCON_UNSET");
    ck_assert_msg(clearml_conf_load(&cc, NULL, &err) == 0, "%s",
                  err.message);
    ck_assert_str_eq(cc.api_host, "http://127.0.0.1:8008");
    ck_assert_str_eq(cc.web_host, "http://127.0.0.1:8080/web");
    ck_assert_str_eq(cc.access_key, "KEYFROMENV123");
    ck_assert_str_eq(cc.secret_key, "triple\"quoted\"secret");
    ck_assert_int_eq(cc.verify, 0);
    ck_assert_int_eq(cc.allow_http, 1);
    clearml_conf_free(&cc);

    /* An unset ${VAR} without '?' is an error naming it and the line. */
    unsetenv("MLG_TEST_HOCON_KEY");
    ck_assert_int_eq(clearml_conf_load(&cc, NULL, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_CONFIG);
    ck_assert_msg(strstr(err.message, "quirks.conf: line 4: "
                         "${MLG_TEST_HOCON_KEY} is not set") != NULL, "%s",
                  err.message);
    clearml_conf_free(&cc);
    free(path);
}
END_TEST

START_TEST(test_hocon_snippets)
{
    struct clearml_conf cc;
    char err[256];

    /* JSON is HOCON; a CA bundle path for verify_certificate. */
    {
        char *path = data_path("verify-path.conf");
        struct mlg_error e;

        setenv("CLEARML_CONFIG_FILE", path, 1);
        ck_assert_int_eq(clearml_conf_load(&cc, NULL, &e), 0);
        ck_assert_str_eq(cc.api_host, "https://api.example.org:8008");
        /* "://api." -> "://app." comes before the port rule. */
        ck_assert_str_eq(cc.web_host, "https://app.example.org:8008");
        ck_assert_int_eq(cc.verify, 1);
        ck_assert_str_eq(cc.ca_bundle, "/etc/ssl/custom-ca.pem");
        clearml_conf_free(&cc);
        free(path);
    }
    /* Later keys win; api.host is the legacy alias of api_server. */
    ck_assert_int_eq(parse_text("api.api_server: a1\napi { api_server = "
                                "a2 }\n", &cc, err, sizeof err), 0);
    ck_assert_str_eq(cc.api_host, "a2");
    clearml_conf_free(&cc);
    ck_assert_int_eq(parse_text("api.host: legacy", &cc, err, sizeof err),
                     0);
    ck_assert_str_eq(cc.api_host, "legacy");
    clearml_conf_free(&cc);
    /* Unquoted value concatenation with a substitution and spaces. */
    setenv("MLG_TEST_HOCON_HOST", "h.example", 1);
    ck_assert_int_eq(parse_text("api { web_server: https://${MLG_TEST_HOCON"
                                "_HOST}/ui   # trailing\n}", &cc, err,
                                sizeof err), 0);
    ck_assert_str_eq(cc.web_host, "https://h.example/ui");
    clearml_conf_free(&cc);
    /* An object may open on the line after its key. */
    ck_assert_int_eq(parse_text("api\n{\n  host = nl\n}\n", &cc, err,
                                sizeof err), 0);
    ck_assert_str_eq(cc.api_host, "nl");
    clearml_conf_free(&cc);
    /* "//" after a blank is a comment; inside a URL it is not. */
    ck_assert_int_eq(parse_text("api.api_server = https://x.org // c\n",
                                &cc, err, sizeof err), 0);
    ck_assert_str_eq(cc.api_host, "https://x.org");
    clearml_conf_free(&cc);
    /* Fields already set are kept (higher-precedence sources). */
    memset(&cc, 0, sizeof cc);
    cc.verify = -1;
    cc.api_host = xstrdup("from-env");
    ck_assert_int_eq(clearml_conf_parse_hocon("api.api_server: f", 17, &cc,
                                              err, sizeof err), 0);
    ck_assert_str_eq(cc.api_host, "from-env");
    clearml_conf_free(&cc);
    /* Errors carry the line. */
    ck_assert_int_eq(parse_text("api {\n  x: 1\n", &cc, err, sizeof err),
                     -1);
    ck_assert_msg(strstr(err, "missing '}'") != NULL, "%s", err);
    clearml_conf_free(&cc);
    ck_assert_int_eq(parse_text("api {\n  \"x: 1\n}", &cc, err, sizeof err),
                     -1);
    ck_assert_str_eq(err, "line 2: unterminated quoted string");
    clearml_conf_free(&cc);
    ck_assert_int_eq(parse_text("}", &cc, err, sizeof err), -1);
    clearml_conf_free(&cc);
    ck_assert_int_eq(parse_text("api\n", &cc, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "expected ':', '=' or '{'") != NULL, "%s",
                  err);
    clearml_conf_free(&cc);
    ck_assert_int_eq(parse_text("", &cc, err, sizeof err), 0);
    ck_assert_ptr_null(cc.api_host);
    clearml_conf_free(&cc);
}
END_TEST

START_TEST(test_hocon_bad_files)
{
    struct clearml_conf cc;
    struct mlg_error err;
    char *path = data_path("bad.conf");

    setenv("CLEARML_CONFIG_FILE", path, 1);
    ck_assert_int_eq(clearml_conf_load(&cc, NULL, &err), -1);
    ck_assert_msg(strstr(err.message, "bad.conf: line 4: unterminated "
                         "quoted string") != NULL, "%s", err.message);
    clearml_conf_free(&cc);
    free(path);
    path = data_path("bad-brace.conf");
    setenv("CLEARML_CONFIG_FILE", path, 1);
    ck_assert_int_eq(clearml_conf_load(&cc, NULL, &err), -1);
    ck_assert_msg(strstr(err.message, "missing '}'") != NULL, "%s",
                  err.message);
    clearml_conf_free(&cc);
    free(path);
    /* CLEARML_CONFIG_FILE must exist. */
    setenv("CLEARML_CONFIG_FILE", "/nonexistent/clearml.conf", 1);
    ck_assert_int_eq(clearml_conf_load(&cc, NULL, &err), -1);
    ck_assert_msg(strstr(err.message, "/nonexistent/clearml.conf") != NULL,
                  "%s", err.message);
    clearml_conf_free(&cc);
}
END_TEST

START_TEST(test_precedence)
{
    struct clearml_conf cc;
    struct conf c;
    struct mlg_error err;
    char cerr[256], *path = xasprintf("%s/clearml.conf", home);

    /* ~/clearml.conf is the lowest source. */
    write_file(path, "api { api_server: https://api.file.example\n"
                     "  credentials { access_key: FILEKEY1, "
                     "secret_key: FILESECRET1 } }\n");
    ck_assert_int_eq(clearml_conf_load(&cc, NULL, &err), 0);
    ck_assert_str_eq(cc.api_host, "https://api.file.example");
    ck_assert_str_eq(cc.web_host, "https://app.file.example");
    ck_assert_str_eq(cc.access_key, "FILEKEY1");
    clearml_conf_free(&cc);

    /* The environment beats it. */
    setenv("CLEARML_API_HOST", "https://demoapi.env.example/", 1);
    setenv("CLEARML_API_ACCESS_KEY", "ENVKEY12", 1);
    setenv("CLEARML_API_HOST_VERIFY_CERT", "no", 1);
    ck_assert_int_eq(clearml_conf_load(&cc, NULL, &err), 0);
    ck_assert_str_eq(cc.api_host, "https://demoapi.env.example");
    ck_assert_str_eq(cc.web_host, "https://demoapp.env.example");
    ck_assert_str_eq(cc.access_key, "ENVKEY12");
    ck_assert_str_eq(cc.secret_key, "FILESECRET1");
    ck_assert_int_eq(cc.verify, 0);
    clearml_conf_free(&cc);

    /* The conf's [clearml] beats both (never for credentials). */
    ck_assert_int_eq(conf_parse_string("t.conf", "[clearml]\n"
                                       "api-host = http://10.0.0.5:8008\n"
                                       "verify = yes\n", &c, cerr,
                                       sizeof cerr), 0);
    ck_assert_int_eq(clearml_conf_load(&cc, conf_find(&c, "clearml"), &err),
                     0);
    ck_assert_str_eq(cc.api_host, "http://10.0.0.5:8008");
    ck_assert_str_eq(cc.web_host, "http://10.0.0.5:8080");
    ck_assert_ptr_null(cc.ca_bundle);
    ck_assert_int_eq(cc.verify, 1); /* the conf's "yes" beats env "no" */
    ck_assert_int_eq(cc.allow_http, 1);
    clearml_conf_free(&cc);
    conf_free(&c);

    /* Nothing anywhere: the hosted defaults, and no http:// allowed. */
    unlink(path);
    unsetenv("CLEARML_API_HOST");
    unsetenv("CLEARML_API_ACCESS_KEY");
    unsetenv("CLEARML_API_HOST_VERIFY_CERT");
    ck_assert_int_eq(clearml_conf_load(&cc, NULL, &err), 0);
    ck_assert_str_eq(cc.api_host, "https://api.clear.ml");
    ck_assert_str_eq(cc.web_host, "https://app.clear.ml");
    ck_assert_int_eq(cc.allow_http, 0);
    ck_assert_int_eq(cc.verify, 1);
    ck_assert_ptr_null(cc.access_key);
    /* ...and no credentials is a clear config error. */
    ck_assert_ptr_null(clearml_new(&cc, &err));
    ck_assert_int_eq(err.kind, MLG_E_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.message, "no credentials"));
    clearml_conf_free(&cc);

    /* An underivable web host stays unset. */
    setenv("CLEARML_API_HOST", "https://clearml.corp.example", 1);
    ck_assert_int_eq(clearml_conf_load(&cc, NULL, &err), 0);
    ck_assert_ptr_null(cc.web_host);
    clearml_conf_free(&cc);
    free(path);
}
END_TEST

START_TEST(test_regex_escape)
{
    char *e = clearml_regex_escape("Github CICD Video (v1.2)+[x]^$|?*{}\\");

    ck_assert_str_eq(e, "Github\\ CICD\\ Video\\ \\(v1\\.2\\)\\+\\[x\\]\\^"
                        "\\$\\|\\?\\*\\{\\}\\\\");
    free(e);
    e = clearml_regex_escape("cicd_test");
    ck_assert_str_eq(e, "cicd_test");
    free(e);
}
END_TEST

/* ---- against the sandbox ---------------------------------------------- */

static struct sbx sb;

static void sbx_setup_named(const char *scenario)
{
    env_setup();
    ck_assert_int_eq(http_global_init(), 0);
    ck_assert_msg(sbx_start(&sb, scenario, NULL) == 0,
                  "mlgate-sandbox did not start");
    sbx_export_env(&sb);
}

static void sbx_setup(void)
{
    sbx_setup_named("happy");
}

static void sbx_teardown(void)
{
    sbx_stop(&sb);
    http_global_cleanup();
    env_teardown();
}

static struct clearml *connect_client(void)
{
    struct clearml_conf cc;
    struct mlg_error err;
    struct clearml *c;

    ck_assert_int_eq(clearml_conf_load(&cc, NULL, &err), 0);
    c = clearml_new(&cc, &err);
    ck_assert_msg(c != NULL, "%s", err.message);
    clearml_conf_free(&cc);
    return c;
}

static void add_fault(const char *json)
{
    ck_assert_int_eq(sbx_post(&sb, "/__fault", json), 200);
}

/* No error text may carry a key, the Basic string or a token. */
static void assert_no_secret(const struct mlg_error *err)
{
    ck_assert_msg(!log_has_secret(err->message), "secret in: %s",
                  err->message);
    ck_assert_ptr_null(strstr(err->message, ACCESS));
    ck_assert_ptr_null(strstr(err->message, SECRET));
    ck_assert_ptr_null(strstr(err->message, "eyJ"));
}

static int tokens_issued(void)
{
    cJSON *st = sbx_state(&sb), *v;
    int n;

    ck_assert_ptr_nonnull(st);
    v = cJSON_GetObjectItemCaseSensitive(st, "tokens_issued");
    n = cJSON_IsNumber(v) ? v->valueint : -1;
    cJSON_Delete(st);
    return n;
}

static cJSON *get_by_id(struct clearml *c, const char *id,
                        struct mlg_error *err)
{
    cJSON *body = cJSON_CreateObject(), *data = NULL;

    cJSON_AddStringToObject(body, "task", id);
    if (clearml_call(c, "tasks.get_by_id", body, &data, 0, err) < 0)
        data = NULL;
    cJSON_Delete(body);
    return data;
}

START_TEST(test_login_and_call)
{
    struct clearml *c = connect_client();
    struct mlg_error err;
    cJSON *data, *t;

    ck_assert_int_eq(clearml_login(c, now_mono() + 10, &err), 0);
    ck_assert_int_ge(clearml_api_version(c), 227); /* happy: 2.34 */
    data = get_by_id(c, CURRENT, &err);
    ck_assert_msg(data != NULL, "%s", err.message);
    t = cJSON_GetObjectItemCaseSensitive(data, "task");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(t, "id")->valuestring,
                     CURRENT);
    cJSON_Delete(data);
    /* Calls go to the versioned path with a Bearer token. */
    ck_assert_int_eq(sbx_count(&sb, "POST", "/v2.23/tasks.get_by_id"), 1);
    ck_assert_int_eq(tokens_issued(), 1);
    clearml_free(c);
}
END_TEST

/* clearml_call_at: the version a plugin names becomes part of the URL,
 * so only "2.N" up to the server's version passes; anything else is
 * refused with MLG_E_USAGE before a request is sent. */
START_TEST(test_call_at_version)
{
    static const char *const bad[] = {
        "2.28/../tasks", "3.0", "2.", "2.x", "2.28\r\nX: y", "v2.28",
        "2.0", "2.99", "::2.28", NULL
    };
    struct clearml *c = connect_client();
    struct mlg_error err;
    cJSON *body = cJSON_CreateObject(), *data = NULL;
    size_t i;

    ck_assert_int_eq(clearml_login(c, now_mono() + 10, &err), 0);
    cJSON_AddStringToObject(body, "task", CURRENT);
    for (i = 0; bad[i] != NULL; i++) {
        memset(&err, 0, sizeof err);
        ck_assert_msg(clearml_call_at(c, bad[i], "tasks.get_by_id", body,
                                      &data, now_mono() + 10, &err) == -1,
                      "version '%s' was taken", bad[i]);
        ck_assert_int_eq(err.kind, MLG_E_USAGE);
        ck_assert_ptr_null(data);
    }
    ck_assert_int_eq(clearml_call_at(c, NULL, "tasks.get_by_id", body,
                                     &data, now_mono() + 10, &err), -1);
    ck_assert_int_eq(sbx_count(&sb, "POST", "tasks.get_by_id"), 0);
    ck_assert_int_eq(clearml_call_at(c, "2.28", "tasks.get_by_id", body,
                                     &data, now_mono() + 10, &err), 0);
    ck_assert_int_eq(sbx_count(&sb, "POST", "/v2.28/tasks.get_by_id"), 1);
    cJSON_Delete(data);
    cJSON_Delete(body);
    clearml_free(c);
}
END_TEST

START_TEST(test_keepalive)
{
    struct clearml *c = connect_client();
    struct mlg_error err;
    int i;

    ck_assert_int_eq(clearml_login(c, 0, &err), 0);
    for (i = 0; i < 5; i++) {
        cJSON *body = cJSON_CreateObject(), *data = NULL;

        cJSON_AddStringToObject(body, "name", "^cicd_test$");
        ck_assert_int_eq(clearml_call(c, "tasks.get_all", body, &data, 0,
                                      &err), 0);
        cJSON_Delete(body);
        cJSON_Delete(data);
    }
    ck_assert_int_eq(sbx_count(&sb, "POST", "/v2.23/tasks.get_all"), 5);
    ck_assert_int_eq(clearml_connects(c), 1);
    clearml_free(c);
}
END_TEST

START_TEST(test_error_envelope)
{
    struct clearml *c = connect_client();
    struct mlg_error err;
    cJSON *data = NULL;

    ck_assert_ptr_null(get_by_id(c, "0123456789abcdef0123456789abcdef",
                                 &err));
    ck_assert_int_eq(err.kind, MLG_E_HTTP);
    ck_assert_int_eq(err.status, 400);
    ck_assert_int_eq(err.subcode, 101);
    ck_assert_msg(strncmp(err.message, "400/101: tasks.get_by_id (Invalid "
                          "task id", 40) == 0, "%s", err.message);
    ck_assert_ptr_null(strchr(err.message, '\n'));
    assert_no_secret(&err);

    sbx_off_spec(&sb, "POST", 404, "/tasks.nope", "the 404 of an unknown "
                 "endpoint");
    ck_assert_int_eq(clearml_call(c, "tasks.nope", NULL, &data, 0, &err),
                     -1);
    ck_assert_int_eq(err.status, 404);
    ck_assert_msg(strncmp(err.message, "404/0: tasks.nope (", 19) == 0, "%s",
                  err.message);
    ck_assert_int_eq(clearml_call(c, "../auth.login", NULL, &data, 0, &err),
                     -1);
    ck_assert_int_eq(err.kind, MLG_E_USAGE);
    clearml_free(c);
}
END_TEST

START_TEST(test_bad_credentials)
{
    struct clearml *c;
    struct mlg_error err;
    cJSON *data = NULL;

    setenv("CLEARML_API_SECRET_KEY", "sbx-wrong-secret-000000000000", 1);
    c = connect_client();
    ck_assert_int_eq(clearml_call(c, "tasks.get_all", NULL, &data, 0, &err),
                     -1);
    ck_assert_int_eq(err.kind, MLG_E_HTTP);
    ck_assert_int_eq(err.status, 401);
    ck_assert_msg(strncmp(err.message, "401/22: auth.login (", 20) == 0,
                  "%s", err.message);
    assert_no_secret(&err);
    ck_assert_ptr_null(strstr(err.message, "sbx-wrong-secret"));
    clearml_free(c);
}
END_TEST

START_TEST(test_relogin_once)
{
    struct clearml *c = connect_client();
    struct mlg_error err;
    cJSON *data;

    ck_assert_int_eq(clearml_login(c, 0, &err), 0);
    /* One 401/30: a fresh login and the call goes through. */
    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"tasks.get_by_id\"},\"status\":401,\"subcode\":30,"
              "\"msg\":\"Invalid token (invalid jwt token)\"}");
    data = get_by_id(c, CURRENT, &err);
    ck_assert_msg(data != NULL, "%s", err.message);
    cJSON_Delete(data);
    ck_assert_int_eq(tokens_issued(), 2);

    /* Two in a row: one re-login only, then the error. */
    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"tasks.get_by_id\"},\"status\":401,\"subcode\":30,"
              "\"count\":2,\"msg\":\"Invalid token (invalid jwt token)\"}");
    ck_assert_ptr_null(get_by_id(c, CURRENT, &err));
    ck_assert_int_eq(err.kind, MLG_E_HTTP);
    ck_assert_str_eq(err.message, "401/30: tasks.get_by_id (Invalid token "
                                  "(invalid jwt token))");
    ck_assert_int_eq(tokens_issued(), 3);
    assert_no_secret(&err);
    clearml_free(c);
}
END_TEST

START_TEST(test_token_expired_scenario)
{
    struct clearml *c;
    struct mlg_error err;
    int i;

    sbx_stop(&sb);
    ck_assert_int_eq(sbx_start(&sb, "token-expired", NULL), 0);
    sbx_export_env(&sb);
    c = connect_client();
    for (i = 0; i < 4; i++) {
        cJSON *data = get_by_id(c, CURRENT, &err);

        ck_assert_msg(data != NULL, "call %d: %s", i, err.message);
        cJSON_Delete(data);
    }
    ck_assert_int_eq(tokens_issued(), 2);
    clearml_free(c);
}
END_TEST

START_TEST(test_token_near_expiry)
{
    char *src = xasprintf("%s/tests/sandbox/scenarios/happy.json",
                          getenv("MLG_SRCDIR"));
    char *dst = xasprintf("%s/short-token.json", home), *text;
    struct clearml *c;
    struct mlg_error err;
    struct buf b = { 0 };
    char chunk[4096];
    cJSON *root;
    FILE *f;
    size_t n;
    int i;

    /* Tokens that live 30 s: inside the 60 s threshold at once. */
    f = fopen(src, "r");
    ck_assert_ptr_nonnull(f);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    root = cJSON_ParseWithLength(b.p, b.len);
    buf_free(&b);
    ck_assert_ptr_nonnull(root);
    cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(root, "clearml"),
                            "token_lifetime_sec", 30);
    text = cJSON_Print(root);
    write_file(dst, text);
    free(text);
    cJSON_Delete(root);
    sbx_stop(&sb);
    ck_assert_int_eq(sbx_start(&sb, dst, NULL), 0);
    sbx_export_env(&sb);
    c = connect_client();
    for (i = 0; i < 3; i++) {
        cJSON *data = get_by_id(c, CURRENT, &err);

        ck_assert_msg(data != NULL, "%s", err.message);
        cJSON_Delete(data);
    }
    /* Refreshed before each call after the first; never a 401. */
    ck_assert_int_eq(tokens_issued(), 3);
    ck_assert_int_eq(sbx_count(&sb, "POST", "tasks.get_by_id"), 3);
    clearml_free(c);
    unlink(dst);
    free(dst);
    free(src);
}
END_TEST

START_TEST(test_retry_503)
{
    struct clearml *c = connect_client();
    struct mlg_error err;
    cJSON *data;

    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"tasks.get_by_id\"},\"status\":503,\"count\":2}");
    data = get_by_id(c, CURRENT, &err);
    ck_assert_msg(data != NULL, "%s", err.message);
    cJSON_Delete(data);
    ck_assert_int_eq(sbx_count(&sb, "POST", "tasks.get_by_id"), 3);
    clearml_free(c);
}
END_TEST

START_TEST(test_not_clearml)
{
    struct clearml *c = connect_client();
    struct mlg_error err;
    char *url;

    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"tasks.get_by_id\"},\"html\":true}");
    ck_assert_ptr_null(get_by_id(c, CURRENT, &err));
    ck_assert_int_eq(err.kind, MLG_E_TRANSPORT);
    url = xasprintf("clearml: %s/v2.23/tasks.get_by_id did not answer like "
                    "a ClearML API server (HTTP 200, text/html)",
                    sb.clearml_api);
    ck_assert_str_eq(err.message, url);
    free(url);

    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"tasks.get_by_id\"},\"malformed\":true}");
    ck_assert_ptr_null(get_by_id(c, CURRENT, &err));
    ck_assert_int_eq(err.kind, MLG_E_TRANSPORT);
    ck_assert_msg(strstr(err.message, "did not answer like a ClearML API "
                         "server (HTTP 200, ") != NULL, "%s", err.message);
    clearml_free(c);

    /* The web UI's URL given as the API host: a plain 404 or HTML. */
    setenv("CLEARML_API_HOST", sb.clearml_web, 1);
    sbx_off_spec(&sb, NULL, 0, "/clearml-web/", "the web UI's URL given "
                 "as the API host");
    c = connect_client();
    ck_assert_int_eq(clearml_login(c, 0, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_TRANSPORT);
    ck_assert_msg(strstr(err.message, "/auth.login did not answer like a "
                         "ClearML API server (HTTP ") != NULL, "%s",
                  err.message);
    assert_no_secret(&err);
    clearml_free(c);
}
END_TEST

#define PREFIX "clearml: POST http://127.0.0.1:1/auth.login: "
START_TEST(test_transport_error_form)
{
    struct clearml *c;
    struct mlg_error err;
    cJSON *data = NULL;

    setenv("CLEARML_API_HOST", "http://127.0.0.1:1", 1);
    c = connect_client();
    ck_assert_int_eq(clearml_call(c, "tasks.get_all", NULL, &data,
                                  now_mono() + 5, &err), -1);
    ck_assert(err.kind == MLG_E_TRANSPORT || err.kind == MLG_E_DEADLINE);
    ck_assert_msg(strncmp(err.message, PREFIX,
                          sizeof PREFIX - 1) == 0, "%s", err.message);
    assert_no_secret(&err);
    clearml_free(c);
}
END_TEST

START_TEST(test_find_task)
{
    struct clearml *c = connect_client();
    struct mlg_error err;
    cJSON *task = NULL, *dirty = NULL, *script;

    ck_assert_msg(clearml_find_task(c, SHA, "Github CICD Video", "cicd_test",
                                    &task, &dirty, 0, &err) == 0, "%s",
                  err.message);
    ck_assert_ptr_nonnull(task);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(task, "id")
                     ->valuestring, CURRENT);
    /* Everything the checks need came back in the one request. */
    ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(task,
                                                           "last_metrics"));
    ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(task,
                                                           "project"));
    script = cJSON_GetObjectItemCaseSensitive(task, "script");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(script, "version_num")
                     ->valuestring, SHA);
    ck_assert_int_eq(sbx_count(&sb, "POST", "/v2.23/tasks.get_all"), 1);
    ck_assert_int_eq(sbx_count(&sb, "POST", "/v2.23/projects.get_all"), 1);
    cJSON_Delete(task);
    cJSON_Delete(dirty);

    /* Unscoped works too; a short SHA is not accepted. */
    ck_assert_int_eq(clearml_find_task(c, SHA, NULL, NULL, &task, &dirty, 0,
                                       &err), 0);
    ck_assert_ptr_nonnull(task);
    cJSON_Delete(task);
    cJSON_Delete(dirty);
    /* One SHA rule everywhere (validate_sha): 40 hex digits, refused
     * before any request. */
    ck_assert_int_eq(clearml_find_task(c, "3f9a1c2b7d4e5f6071829", NULL,
                                       NULL, &task, &dirty, 0, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_USAGE);
    ck_assert_ptr_null(task);
    ck_assert_int_eq(clearml_find_task(c, "not-a-sha", NULL, NULL, &task,
                                       &dirty, 0, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_USAGE);

    /* An unknown project: nothing found, not an error. */
    ck_assert_int_eq(clearml_find_task(c, SHA, "No Such Project", NULL,
                                       &task, &dirty, 0, &err), 0);
    ck_assert_ptr_null(task);
    ck_assert_ptr_null(dirty);
    clearml_free(c);
}
END_TEST

START_TEST(test_find_task_dirty)
{
    struct clearml *c;
    struct mlg_error err;
    cJSON *task = NULL, *dirty = NULL;

    sbx_stop(&sb);
    ck_assert_int_eq(sbx_start(&sb, "dirty", NULL), 0);
    sbx_export_env(&sb);
    c = connect_client();
    ck_assert_int_eq(clearml_find_task(c, SHA, "Github CICD Video",
                                       "cicd_test", &task, &dirty, 0, &err),
                     0);
    ck_assert_ptr_null(task);
    ck_assert_ptr_nonnull(dirty);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(dirty, "id")
                     ->valuestring, DIRTY);
    cJSON_Delete(dirty);
    clearml_free(c);
}
END_TEST

START_TEST(test_project_queue)
{
    struct clearml *c = connect_client();
    struct mlg_error err;
    char *id = NULL, *id2 = NULL;

    ck_assert_int_eq(clearml_project_id(c, "Github CICD Video", 0, &id, 0,
                                        &err), 0);
    ck_assert_str_eq(id, PROJECT);
    free(id);
    ck_assert_int_eq(clearml_project_id(c, "Github CICD", 0, &id, 0, &err),
                     -1);
    ck_assert_int_eq(err.kind, MLG_E_USAGE);
    ck_assert_str_eq(err.message, "clearml: no project named \"Github "
                                  "CICD\"");
    ck_assert_int_eq(clearml_project_id(c, "New (one).x", 1, &id, 0, &err),
                     0);
    ck_assert_ptr_nonnull(id);
    ck_assert_int_eq(clearml_project_id(c, "New (one).x", 0, &id2, 0, &err),
                     0);
    ck_assert_str_eq(id, id2);
    free(id);
    free(id2);

    ck_assert_int_eq(clearml_queue_id(c, "default", &id, 0, &err), 0);
    ck_assert_str_eq(id, QUEUE);
    free(id);
    ck_assert_int_eq(clearml_queue_id(c, "defaul", &id, 0, &err), -1);
    ck_assert_int_eq(err.kind, MLG_E_USAGE);
    ck_assert_str_eq(err.message, "clearml: no queue named \"defaul\"");
    clearml_free(c);
}
END_TEST

static int has_tag(struct clearml *c, const char *id, const char *tag)
{
    struct mlg_error err;
    cJSON *data = get_by_id(c, id, &err), *t;
    int found = 0;

    ck_assert_msg(data != NULL, "%s", err.message);
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(data, "task"),
                              "tags"))
        if (cJSON_IsString(t) && strcmp(t->valuestring, tag) == 0)
            found = 1;
    cJSON_Delete(data);
    return found;
}

static void tag_roundtrip(void)
{
    static const char *const add[] = { "main_branch", "Best Performance",
                                       NULL };
    static const char *const rm[] = { "Best Performance", NULL };
    static const char *const add2[] = { "Best Performance", NULL };
    struct clearml *c = connect_client();
    struct mlg_error err;

    ck_assert_msg(clearml_update_tags(c, CURRENT, add, NULL, 0, &err) == 0,
                  "%s", err.message);
    ck_assert(has_tag(c, CURRENT, "main_branch"));
    ck_assert(has_tag(c, CURRENT, "Best Performance"));
    ck_assert_msg(clearml_update_tags(c, BEST, NULL, rm, 0, &err) == 0,
                  "%s", err.message);
    ck_assert(!has_tag(c, BEST, "Best Performance"));
    ck_assert(has_tag(c, BEST, "baseline"));
    ck_assert_int_eq(clearml_update_tags(c, CURRENT, add2, rm, 0, &err), 0);
    ck_assert(!has_tag(c, CURRENT, "Best Performance"));
    ck_assert(has_tag(c, CURRENT, "main_branch"));
    clearml_free(c);
}

START_TEST(test_tags_new_server)
{
    tag_roundtrip();
    ck_assert_int_ge(sbx_count(&sb, "POST", "tasks.update_tags"), 3);
    ck_assert_int_eq(sbx_count(&sb, "POST", "tasks.edit"), 0);
}
END_TEST

START_TEST(test_tags_old_server)
{
    sbx_stop(&sb);
    ck_assert_int_eq(sbx_start(&sb, "old-server", NULL), 0);
    sbx_export_env(&sb);
    tag_roundtrip();
    ck_assert_int_eq(sbx_count(&sb, "POST", "tasks.update_tags"), 0);
    ck_assert_int_ge(sbx_count(&sb, "POST", "tasks.edit"), 3);
}
END_TEST

START_TEST(test_task_url)
{
    struct clearml *c = connect_client();
    char *u, *want;

    u = clearml_task_url(c, PROJECT, CURRENT, NULL);
    want = xasprintf("%s/projects/" PROJECT "/experiments/" CURRENT
                     "/output/log", sb.clearml_web);
    ck_assert_str_eq(u, want);
    free(u);
    free(want);
    u = clearml_task_url(c, NULL, CURRENT, "output/metrics/scalar");
    want = xasprintf("%s/projects/*/experiments/" CURRENT
                     "/output/metrics/scalar", sb.clearml_web);
    ck_assert_str_eq(u, want);
    free(u);
    free(want);
    ck_assert_str_eq(clearml_web_host(c), sb.clearml_web);
    clearml_free(c);
}
END_TEST

/* Everything at -vv, through the error paths too: stderr carries the
 * trace lines but no key, Basic string or token. */
START_TEST(test_trace_no_secret)
{
    struct clearml *c;
    struct mlg_error err;
    char *path = xasprintf("%s/stderr.txt", home), *text;
    cJSON *data = NULL;
    int saved, fd;
    FILE *f;
    size_t n;
    struct buf b = { 0 };
    char chunk[4096];

    fflush(stderr);
    saved = dup(2);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fd = fileno(f);
    dup2(fd, 2);
    log_init(4);
    c = connect_client();
    ck_assert_int_eq(clearml_login(c, 0, &err), 0);
    data = get_by_id(c, CURRENT, &err);
    cJSON_Delete(data);
    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"tasks.get_by_id\"},\"status\":401,\"subcode\":30,"
              "\"count\":2}");
    ck_assert_ptr_null(get_by_id(c, CURRENT, &err));
    log_msg(LOG_ERR, "test", "%s", err.message);
    add_fault("{\"match\":{\"service\":\"clearml\",\"endpoint\":"
              "\"tasks.get_by_id\"},\"status\":503,\"count\":1}");
    data = get_by_id(c, CURRENT, &err);
    cJSON_Delete(data);
    clearml_free(c);
    setenv("CLEARML_API_SECRET_KEY", "sbx-wrong-secret-000000000000", 1);
    c = connect_client();
    ck_assert_int_eq(clearml_call(c, "tasks.get_all", NULL, &data, 0, &err),
                     -1);
    log_msg(LOG_ERR, "test", "%s", err.message);
    clearml_free(c);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(f);
    log_init(0);

    f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    unlink(path);
    text = buf_take(&b);
    /* The trace is there... */
    ck_assert_msg(strstr(text, "/auth.login -> 200") != NULL, "%s", text);
    ck_assert_ptr_nonnull(strstr(text, "401/30: tasks.get_by_id"));
    ck_assert_ptr_nonnull(strstr(text, "401/22: auth.login"));
    /* ...and no secret in any of it. */
    ck_assert_ptr_null(strstr(text, ACCESS));
    ck_assert_ptr_null(strstr(text, SECRET));
    ck_assert_ptr_null(strstr(text, "sbx-wrong-secret"));
    ck_assert_ptr_null(strstr(text, "eyJ"));
    ck_assert_ptr_null(strstr(text, "U0JYQUNDRVNTS0VZ")); /* base64 */
    ck_assert(!log_has_secret(text));
    free(text);
    free(path);
}
END_TEST

/* Found by tests/fuzz/fuzz_hocon and fuzz_clearml (tests/fuzz/regress/):
 * a quoted key with a newline broke the one-line error, and an
 * out-of-range result_code/result_subcode was cast (undefined
 * behaviour). */
START_TEST(test_fuzz_regressions)
{
    static const char hocon[] = "api {\n  \"\"\"web\nserver\"\"\" x\n}\n";
    static const char body[] = "{\"meta\": {\"result_code\": 1e99, "
        "\"result_subcode\": -1e300, \"result_msg\": \"no\\nway\"}}";
    static const char page[] = "{\"tasks\": [{\"id\": \"d\", \"script\": "
        "{\"diff\": \"+x\"}}, {\"id\": \"c\", \"script\": {\"diff\": "
        "null}}, {\"id\": \"e\"}]}";
    struct clearml_conf cc;
    struct http_resp resp;
    struct mlg_error err;
    cJSON *data = NULL, *task = NULL, *dirty = NULL;
    char msg[256];

    memset(&cc, 0, sizeof cc);
    ck_assert_int_eq(clearml_conf_parse_hocon(hocon, strlen(hocon), &cc, msg,
                                              sizeof msg), -1);
    ck_assert_msg(strstr(msg, "line 3: ") == msg && strstr(msg, "web?server")
                  && !strchr(msg, '\n'), "%s", msg);
    clearml_conf_free(&cc);

    memset(&resp, 0, sizeof resp);
    resp.status = 400;
    resp.body = xstrdup(body);
    resp.len = strlen(body);
    ck_assert_int_eq(clearml_parse_envelope(&resp, "http://127.0.0.1:1/x",
                                            "tasks.get_all", &data, &err),
                     -1);
    ck_assert_ptr_null(data);
    ck_assert_int_eq(err.status, 400);
    ck_assert_int_eq(err.subcode, 0);
    ck_assert_str_eq(err.message, "400/0: tasks.get_all (no way)");
    http_resp_free(&resp);

    /* The task-list reader: first clean task, first dirty one before. */
    data = cJSON_Parse(page);
    ck_assert_int_eq(clearml_pick_task(data, &task, &dirty), 3);
    ck_assert_str_eq(cJSON_GetObjectItem(task, "id")->valuestring, "c");
    ck_assert_str_eq(cJSON_GetObjectItem(dirty, "id")->valuestring, "d");
    cJSON_Delete(task);
    cJSON_Delete(dirty);
    cJSON_Delete(data);
}
END_TEST

static Suite *clearml_suite(void)
{
    Suite *s = suite_create("clearml");
    TCase *core = tcase_create("core");
    TCase *sbx = tcase_create("sandbox");
    TCase *errors = tcase_create("errors");

    tcase_add_checked_fixture(core, env_setup, env_teardown);
    tcase_add_test(core, test_hocon_basic);
    tcase_add_test(core, test_hocon_quirks);
    tcase_add_test(core, test_hocon_snippets);
    tcase_add_test(core, test_hocon_bad_files);
    tcase_add_test(core, test_precedence);
    tcase_add_test(core, test_regex_escape);
    suite_add_tcase(s, core);

    tcase_add_checked_fixture(sbx, sbx_setup, sbx_teardown);
    tcase_set_timeout(sbx, 20);
    tcase_add_test(sbx, test_login_and_call);
    tcase_add_test(sbx, test_call_at_version);
    tcase_add_test(sbx, test_keepalive);
    tcase_add_test(sbx, test_token_expired_scenario);
    tcase_add_test(sbx, test_token_near_expiry);
    tcase_add_test(sbx, test_find_task);
    tcase_add_test(sbx, test_find_task_dirty);
    tcase_add_test(sbx, test_project_queue);
    tcase_add_test(sbx, test_tags_new_server);
    tcase_add_test(sbx, test_tags_old_server);
    tcase_add_test(sbx, test_task_url);
    suite_add_tcase(s, sbx);

    tcase_add_checked_fixture(errors, sbx_setup, sbx_teardown);
    tcase_set_timeout(errors, 20);
    tcase_add_test(errors, test_error_envelope);
    tcase_add_test(errors, test_bad_credentials);
    tcase_add_test(errors, test_relogin_once);
    tcase_add_test(errors, test_retry_503);
    tcase_add_test(errors, test_not_clearml);
    tcase_add_test(errors, test_transport_error_form);
    tcase_add_test(errors, test_trace_no_secret);
    tcase_add_test(errors, test_fuzz_regressions);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(clearml_suite());
    int failed;

    log_init(0);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
