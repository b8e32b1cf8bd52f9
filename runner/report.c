/*
 * report.c - renders the merged run as text, JSON and JUnit XML, and
 * writes report files atomically with every secret masked.
 */
/* realpath() is in POSIX.1-2008's XSI option (base only since 2024):
 * kept under --enable-strict-posix (runner/strict-posix.h). */
#define MLG_WANT_XSI 1
#include <config.h>

#include "report.h"

#include "log.h"
#include "utf8.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MLG_VERSION
#define MLG_VERSION PACKAGE_VERSION
#endif

int report_use_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");

    if (nc != NULL && *nc != '\0')
        return 0;
    return isatty(fileno(f));
}

static const char *report_color(int status)
{
    switch (status) {
    case MLG_PASS:
        return "\033[32m";
    case MLG_WARN:
        return "\033[33m";
    case MLG_FAIL:
        return "\033[1;31m";
    case MLG_ERROR:
        return "\033[1;35m";
    default:
        return "\033[2m";
    }
}

char *report_text(const struct run_result *rr, int color)
{
    struct buf b = {0};
    size_t i, count[5] = {0, 0, 0, 0, 0};
    static const char *const words[5] = {
        "passed", "warned", "failed", "errored", "skipped"
    };
    static const int order[5] = {MLG_FAIL, MLG_ERROR, MLG_WARN, MLG_PASS,
                                 MLG_SKIP};
    int first = 1;

    for (i = 0; i < rr->n; i++) {
        const struct check_result *r = &rr->checks[i];
        /* One line per check, whatever the plugin or server wrote. */
        char *sum = log_fold(r->summary), *name = log_fold(r->name);
        int st = r->status >= MLG_PASS && r->status <= MLG_SKIP
            ? r->status : MLG_ERROR;

        count[st]++;
        if (color)
            buf_printf(&b, "%s%-5s\033[0m", report_color(st),
                       result_status_name(st));
        else
            buf_printf(&b, "%-5s", result_status_name(st));
        buf_printf(&b, " %s: %s (%.1fs)\n", name, sum, r->duration);
        free(sum);
        free(name);
    }
    buf_adds(&b, "mlgate: ");
    for (i = 0; i < 5; i++) {
        if (count[order[i]] == 0)
            continue;
        buf_printf(&b, "%s%zu %s", first ? "" : ", ", count[order[i]],
                   words[order[i]]);
        first = 0;
    }
    if (first)
        buf_adds(&b, "no checks");
    buf_printf(&b, " in %.1fs\n", rr->duration);
    return buf_take(&b);
}

static const char *report_annot_word(int level)
{
    switch (level) {
    case MLG_ANNOT_NOTICE:
        return "notice";
    case MLG_ANNOT_ERROR:
        return "error";
    default:
        return "warning";
    }
}

/* Seconds rounded to milliseconds: no float noise in the JSON. */
static double report_ms(double s)
{
    return floor(s * 1000 + 0.5) / 1000;
}

static const char *report_str(const char *s)
{
    return s != NULL ? s : "";
}

char *report_json(const struct run_result *rr,
                  const struct run_context *ctx)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *checks;
    char *text, *copy;
    size_t i, j;

    cJSON_AddStringToObject(root, "mlgate", MLG_VERSION);
    cJSON_AddStringToObject(root, "status",
                            result_status_word(rr->overall));
    cJSON_AddNumberToObject(root, "exit_code",
                            result_exit_code(rr->overall));
    cJSON_AddStringToObject(root, "repo",
                            ctx != NULL ? report_str(ctx->repo) : "");
    cJSON_AddNumberToObject(root, "pr", ctx != NULL ? (double)ctx->pr : 0);
    cJSON_AddStringToObject(root, "head_sha",
                            ctx != NULL ? report_str(ctx->head_sha) : "");
    cJSON_AddNumberToObject(root, "duration", report_ms(rr->duration));
    checks = cJSON_AddArrayToObject(root, "checks");
    for (i = 0; i < rr->n; i++) {
        const struct check_result *r = &rr->checks[i];
        cJSON *c = cJSON_CreateObject();
        cJSON *annots, *outputs;

        cJSON_AddStringToObject(c, "name", report_str(r->name));
        cJSON_AddStringToObject(c, "plugin", report_str(r->plugin));
        cJSON_AddStringToObject(c, "status", result_status_word(r->status));
        cJSON_AddStringToObject(c, "summary", report_str(r->summary));
        cJSON_AddStringToObject(c, "details", report_str(r->details));
        cJSON_AddNumberToObject(c, "duration", report_ms(r->duration));
        annots = cJSON_AddArrayToObject(c, "annotations");
        for (j = 0; j < r->nannots; j++) {
            cJSON *a = cJSON_CreateObject();

            cJSON_AddStringToObject(a, "level",
                                    report_annot_word(r->annots[j].level));
            if (r->annots[j].file != NULL)
                cJSON_AddStringToObject(a, "file", r->annots[j].file);
            if (r->annots[j].line > 0)
                cJSON_AddNumberToObject(a, "line",
                                        (double)r->annots[j].line);
            cJSON_AddStringToObject(a, "message",
                                    report_str(r->annots[j].message));
            cJSON_AddItemToArray(annots, a);
        }
        outputs = cJSON_AddObjectToObject(c, "outputs");
        for (j = 0; j < r->noutputs; j++)
            cJSON_AddStringToObject(outputs, r->outputs[j].key,
                                    report_str(r->outputs[j].value));
        cJSON_AddItemToArray(checks, c);
    }
    text = cJSON_Print(root);
    cJSON_Delete(root);
    copy = xasprintf("%s\n", text != NULL ? text : "{}");
    cJSON_free(text);
    return copy;
}

/* Length of the valid UTF-8 sequence at p that XML also allows (not
 * U+FFFE or U+FFFF), or 0. */
static size_t report_utf8_len(const unsigned char *p)
{
    size_t n = utf8_seq_len(p);

    if (n == 3 && p[0] == 0xEF && p[1] == 0xBF && (p[2] & 0xFE) == 0xBE)
        return 0;
    return n;
}

char *report_xml_escape(const char *s)
{
    struct buf b = {0};
    const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");

    while (*p != '\0') {
        size_t n;

        switch (*p) {
        case '&':
            buf_adds(&b, "&amp;");
            p++;
            continue;
        case '<':
            buf_adds(&b, "&lt;");
            p++;
            continue;
        case '>':
            buf_adds(&b, "&gt;");
            p++;
            continue;
        case '"':
            buf_adds(&b, "&quot;");
            p++;
            continue;
        case '\'':
            buf_adds(&b, "&apos;");
            p++;
            continue;
        default:
            break;
        }
        if (*p < 0x20 || *p == 0x7f) {
            if (*p == '\t' || *p == '\n' || *p == '\r')
                buf_printf(&b, "&#%d;", *p);
            p++;
            continue;
        }
        n = report_utf8_len(p);
        if (n == 0) {
            buf_addc(&b, '?');
            p++;
            continue;
        }
        buf_add(&b, (const char *)p, n);
        p += n;
    }
    return buf_take(&b);
}

char *report_junit(const struct run_result *rr)
{
    struct buf b = {0};
    size_t i, failures = 0, errors = 0, skipped = 0;

    for (i = 0; i < rr->n; i++) {
        if (rr->checks[i].status == MLG_FAIL)
            failures++;
        else if (rr->checks[i].status == MLG_SKIP)
            skipped++;
        else if (rr->checks[i].status != MLG_PASS &&
                 rr->checks[i].status != MLG_WARN)
            errors++;
    }
    buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    buf_printf(&b, "<testsuites name=\"mlgate\" tests=\"%zu\" "
               "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
               "time=\"%.3f\">\n", rr->n, failures, errors, skipped,
               rr->duration);
    buf_printf(&b, "  <testsuite name=\"mlgate\" tests=\"%zu\" "
               "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
               "time=\"%.3f\">\n", rr->n, failures, errors, skipped,
               rr->duration);
    for (i = 0; i < rr->n; i++) {
        const struct check_result *r = &rr->checks[i];
        char *name = report_xml_escape(r->name);
        char *plugin = report_xml_escape(r->plugin);
        char *sum = report_xml_escape(r->summary);
        char *det = report_xml_escape(r->details);
        const char *tag = NULL;

        buf_printf(&b, "    <testcase classname=\"mlgate.%s\" name=\"%s\" "
                   "time=\"%.3f\"", plugin, name, r->duration);
        if (r->status == MLG_FAIL)
            tag = "failure";
        else if (r->status != MLG_PASS && r->status != MLG_WARN &&
                 r->status != MLG_SKIP)
            tag = "error";
        if (tag != NULL) {
            buf_printf(&b, ">\n      <%s message=\"%s\" type=\"%s\">%s"
                       "</%s>\n    </testcase>\n", tag, sum,
                       result_status_name(r->status), det, tag);
        } else if (r->status == MLG_SKIP) {
            buf_printf(&b, ">\n      <skipped message=\"%s\"/>\n"
                       "    </testcase>\n", sum);
        } else if (r->status == MLG_WARN) {
            buf_printf(&b, ">\n      <system-out>WARN: %s\n%s"
                       "</system-out>\n    </testcase>\n", sum, det);
        } else {
            buf_adds(&b, "/>\n");
        }
        free(name);
        free(plugin);
        free(sum);
        free(det);
    }
    buf_adds(&b, "  </testsuite>\n</testsuites>\n");
    return buf_take(&b);
}

int report_print(const char *content, FILE *f)
{
    if (log_fputs_masked(content, f) != 0)
        return -1;
    return fflush(f) == 0 ? 0 : -1;
}

/* The file a path names once its symlinks are followed (a dangling
 * link: where it points).  Caller frees. */
static char *report_resolve(const char *path)
{
    char *real = realpath(path, NULL), *dir, *slash, *res;
    char link[4096];
    ssize_t n;

    if (real != NULL) {
        res = xstrdup(real);
        free(real);
        return res;
    }
    n = readlink(path, link, sizeof link - 1);
    if (n <= 0)
        return xstrdup(path);
    link[n] = '\0';
    if (link[0] == '/')
        return xstrdup(link);
    dir = xstrdup(path);
    slash = strrchr(dir, '/');
    res = slash ? xasprintf("%.*s/%s", (int)(slash - dir), dir, link)
                : xstrdup(link);
    free(dir);
    return res;
}

int report_write_file(const char *path, const char *content, char *err,
                      size_t errlen)
{
    char *masked = log_mask(content), *target = NULL, *tmp = NULL, *slash;
    size_t len = strlen(masked);
    struct stat st;
    mode_t mask;
    int fd = -1, rc = -1;

    /* A fifo, a device, /dev/stdout or anything under /dev or /proc is
     * written in place: replacing it would swap a node for a file. */
    if (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0 ||
        (stat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || util_write_all(fd, masked, len) != 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            goto out;
        }
        rc = 0;
        goto out;
    }
    /* A symlink stays: its target is what gets replaced. */
    target = report_resolve(path);
    slash = strrchr(target, '/');
    tmp = slash ? xasprintf("%.*s/.mlgate-XXXXXX", (int)(slash - target),
                            target)
                : xstrdup(".mlgate-XXXXXX");
    /* mkstemp: a new name, O_EXCL, mode 0600; a fresh report is
     * readable as any file the user creates. */
    fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(tmp);
        tmp = NULL;
        goto out;
    }
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, stat(target, &st) == 0 ? st.st_mode & 07777
                                          : 0666 & ~mask) != 0 ||
        util_write_all(fd, masked, len) != 0 || fsync(fd) != 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, target) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    free(tmp);
    tmp = NULL;
    rc = 0;
out:
    if (fd >= 0 && close(fd) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    if (tmp != NULL)
        unlink(tmp);
    free(tmp);
    free(target);
    free(masked);
    return rc;
}
