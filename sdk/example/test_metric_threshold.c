/*
 * test_metric_threshold.c - unit test of metric-threshold.so with the
 * installed test kit (mlgate/testing.h, libmlgate-test): no mlgate, no
 * network.  The task ClearML would return is recorded in
 * recorded-task.json.
 *
 * Usage: ./test_metric_threshold [./metric-threshold.so]; exit 0 when
 * every case passes.
 */
#include <stdio.h>
#include <string.h>

#include <mlgate/testing.h>

static const char *plugin_path = "./metric-threshold.so";
static int failures;

/* Run the plugin with options (name, value pairs, NULL-terminated), the
 * recorded task when with_task; returns the status it reported. */
static int run_case(const char *const *opts, int with_task,
                    char *summary, size_t n)
{
    char err[512];
    struct mlgt *t = mlgt_open(plugin_path, err, sizeof err);
    size_t i;
    int status;

    if (t == NULL) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    for (i = 0; opts[i] != NULL; i += 2)
        mlgt_option(t, opts[i], opts[i + 1]);
    mlgt_conf_clearml(t, "project", "Github CICD Video");
    if (with_task &&
        mlgt_answers_file(t, "recorded-task.json", err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        mlgt_free(t);
        return -1;
    }
    status = mlgt_run(t);
    /* The plugin passed the [clearml] project as the lookup's scope. */
    if (strstr(mlgt_calls(t), "head_task " "3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345 "
               "Github CICD Video ") == NULL && !mlgt_init_failed(t)) {
        printf("FAILED: the lookup was not scoped: %s", mlgt_calls(t));
        failures++;
    }
    snprintf(summary, n, "%s", mlgt_summary(t));
    printf("  status %d%s: %s\n", status,
           mlgt_init_failed(t) ? " (init failed)" : "", summary);
    if (mlgt_init_failed(t))
        status = -2;
    mlgt_free(t);
    return status;
}

#define EXPECT(what, got, want)                                          \
    do {                                                                 \
        int got_ = (got);                                                \
        printf("%s: %s\n", got_ == (want) ? "ok" : "FAILED", what);      \
        failures += got_ != (want);                                      \
    } while (0)

int main(int argc, char **argv)
{
    static const char *const in_bounds[] = {
        "metric", "Performance Metric / Series 1", "min", "50", NULL};
    static const char *const too_high[] = {
        "metric", "Performance Metric / Series 1", "value", "max",
        "max", "90", NULL};
    static const char *const warn_only[] = {
        "metric", "Performance Metric / Series 1", "value", "max",
        "max", "90", "on-breach", "warn", NULL};
    static const char *const missing[] = {
        "metric", "Loss / total", "max", "1", NULL};
    static const char *const no_bounds[] = {
        "metric", "Performance Metric / Series 1", NULL};
    char summary[512];

    if (argc > 1)
        plugin_path = argv[1];
    EXPECT("last value 57 >= 50 passes",
           run_case(in_bounds, 1, summary, sizeof summary), MLG_PASS);
    EXPECT("max value 98 > 90 fails",
           run_case(too_high, 1, summary, sizeof summary), MLG_FAIL);
    EXPECT("on-breach = warn warns",
           run_case(warn_only, 1, summary, sizeof summary), MLG_WARN);
    EXPECT("a missing scalar fails",
           run_case(missing, 1, summary, sizeof summary), MLG_FAIL);
    EXPECT("no task for the commit fails",
           run_case(in_bounds, 0, summary, sizeof summary), MLG_FAIL);
    EXPECT("no bound is an init error",
           run_case(no_bounds, 1, summary, sizeof summary), -2);
    printf("  init said: %s\n", summary);
    return failures == 0 ? 0 : 1;
}
