/*
 * abi_layout.c - prints the binary layout of every public struct of
 * mlgate/plugin.h on this platform (offset and size of each field, size
 * of each struct) and the value of every ABI constant, one per line, for
 * tests/check_abi_layout.sh to compare with the committed expectation.
 * A field appended to a struct MUST be added here as well (the size line
 * catches a struct that grew without it).
 */
#include "mlgate/plugin.h"

#include <stdio.h>
#include <string.h>

#define MLG_SIZE(s) {#s, NULL, 0, sizeof(struct s)}
#define MLG_FIELD(s, f) {#s, #f, offsetof(struct s, f), \
        sizeof(((struct s *)0)->f)}
#define MLG_VALUE(v) {"value", #v, 0, (size_t)(v)}

static const struct {
    const char *scope;
    const char *name;
    size_t offset;
    size_t size;
} layout[] = {
    MLG_SIZE(mlg_option),
    MLG_FIELD(mlg_option, name),
    MLG_FIELD(mlg_option, type),
    MLG_FIELD(mlg_option, def),
    MLG_FIELD(mlg_option, help),
    MLG_FIELD(mlg_option, flags),
    MLG_FIELD(mlg_option, choices),
    MLG_SIZE(mlg_plugin),
    MLG_FIELD(mlg_plugin, abi_major),
    MLG_FIELD(mlg_plugin, abi_minor),
    MLG_FIELD(mlg_plugin, struct_size),
    MLG_FIELD(mlg_plugin, flags),
    MLG_FIELD(mlg_plugin, name),
    MLG_FIELD(mlg_plugin, version),
    MLG_FIELD(mlg_plugin, description),
    MLG_FIELD(mlg_plugin, options),
    MLG_FIELD(mlg_plugin, init),
    MLG_FIELD(mlg_plugin, run),
    MLG_FIELD(mlg_plugin, fini),
    MLG_FIELD(mlg_plugin, reserved),
    MLG_FIELD(mlg_plugin, min_host_minor),
    MLG_FIELD(mlg_plugin, option_size),
    MLG_FIELD(mlg_plugin, head_fields),
    MLG_SIZE(mlg_context),
    MLG_FIELD(mlg_context, size),
    MLG_FIELD(mlg_context, forge),
    MLG_FIELD(mlg_context, event),
    MLG_FIELD(mlg_context, repo),
    MLG_FIELD(mlg_context, pr),
    MLG_FIELD(mlg_context, head_sha),
    MLG_FIELD(mlg_context, head_ref),
    MLG_FIELD(mlg_context, head_repo),
    MLG_FIELD(mlg_context, head_clone_url),
    MLG_FIELD(mlg_context, base_ref),
    MLG_FIELD(mlg_context, is_fork),
    MLG_FIELD(mlg_context, run_url),
    MLG_FIELD(mlg_context, dry_run),
    MLG_FIELD(mlg_context, verbose),
    MLG_FIELD(mlg_context, check_name),
    MLG_FIELD(mlg_context, workdir),
    MLG_SIZE(mlg_error),
    MLG_FIELD(mlg_error, kind),
    MLG_FIELD(mlg_error, status),
    MLG_FIELD(mlg_error, subcode),
    MLG_FIELD(mlg_error, message),
    MLG_FIELD(mlg_error, struct_size),
    MLG_SIZE(mlg_task_query),
    MLG_FIELD(mlg_task_query, size),
    MLG_FIELD(mlg_task_query, commit),
    MLG_FIELD(mlg_task_query, project),
    MLG_FIELD(mlg_task_query, task_name),
    MLG_SIZE(mlg_task_found),
    MLG_FIELD(mlg_task_found, task),
    MLG_FIELD(mlg_task_found, dirty),
    MLG_FIELD(mlg_task_found, struct_size),
    MLG_SIZE(mlg_host),
    MLG_FIELD(mlg_host, abi_major),
    MLG_FIELD(mlg_host, abi_minor),
    MLG_FIELD(mlg_host, size),
    MLG_FIELD(mlg_host, reserved0),
    MLG_FIELD(mlg_host, opt_str),
    MLG_FIELD(mlg_host, opt_int),
    MLG_FIELD(mlg_host, opt_number),
    MLG_FIELD(mlg_host, opt_bool),
    MLG_FIELD(mlg_host, opt_duration),
    MLG_FIELD(mlg_host, conf_clearml),
    MLG_FIELD(mlg_host, context),
    MLG_FIELD(mlg_host, clearml_call),
    MLG_FIELD(mlg_host, clearml_find_task),
    MLG_FIELD(mlg_host, clearml_project_id),
    MLG_FIELD(mlg_host, clearml_queue_id),
    MLG_FIELD(mlg_host, clearml_update_tags),
    MLG_FIELD(mlg_host, clearml_task_url),
    MLG_FIELD(mlg_host, forge_call),
    MLG_FIELD(mlg_host, json_release),
    MLG_FIELD(mlg_host, result),
    MLG_FIELD(mlg_host, detail),
    MLG_FIELD(mlg_host, md_escape),
    MLG_FIELD(mlg_host, annotate),
    MLG_FIELD(mlg_host, output),
    MLG_FIELD(mlg_host, log),
    MLG_FIELD(mlg_host, remaining),
    MLG_FIELD(mlg_host, cancelled),
    MLG_FIELD(mlg_host, sleep),
    MLG_FIELD(mlg_host, opt_scope),
    MLG_FIELD(mlg_host, vresult),
    MLG_FIELD(mlg_host, vdetail),
    MLG_FIELD(mlg_host, vannotate),
    MLG_FIELD(mlg_host, vlog),
    MLG_FIELD(mlg_host, head_task),
    MLG_FIELD(mlg_host, scope_project_id),
    MLG_FIELD(mlg_host, clearml_call_at),
    MLG_FIELD(mlg_host, clearml_api_version),
    MLG_VALUE(MLG_ABI_MAJOR),
    MLG_VALUE(MLG_ERROR_SIZE),
    MLG_VALUE(MLG_PASS),
    MLG_VALUE(MLG_WARN),
    MLG_VALUE(MLG_FAIL),
    MLG_VALUE(MLG_ERROR),
    MLG_VALUE(MLG_SKIP),
    MLG_VALUE(MLG_OPT_STRING),
    MLG_VALUE(MLG_OPT_INT),
    MLG_VALUE(MLG_OPT_NUMBER),
    MLG_VALUE(MLG_OPT_BOOL),
    MLG_VALUE(MLG_OPT_DURATION),
    MLG_VALUE(MLG_OPT_ENUM),
    MLG_VALUE(MLG_OPT_REQUIRED),
    MLG_VALUE(MLG_PLUGIN_NEEDS_PR),
    MLG_VALUE(MLG_PLUGIN_NEEDS_CLEARML),
    MLG_VALUE(MLG_PLUGIN_USES_PROJECT),
    MLG_VALUE(MLG_PLUGIN_USES_HEAD_TASK),
    MLG_VALUE(MLG_NEEDS_MINOR(0)),
    MLG_VALUE(MLG_E_NONE),
    MLG_VALUE(MLG_E_CONFIG),
    MLG_VALUE(MLG_E_TRANSPORT),
    MLG_VALUE(MLG_E_HTTP),
    MLG_VALUE(MLG_E_DRYRUN),
    MLG_VALUE(MLG_E_DEADLINE),
    MLG_VALUE(MLG_E_USAGE),
    MLG_VALUE(MLG_E_RETIRED),
    MLG_VALUE(MLG_LOG_ERROR),
    MLG_VALUE(MLG_LOG_WARN),
    MLG_VALUE(MLG_LOG_INFO),
    MLG_VALUE(MLG_LOG_DEBUG),
    MLG_VALUE(MLG_ANNOT_NOTICE),
    MLG_VALUE(MLG_ANNOT_WARNING),
    MLG_VALUE(MLG_ANNOT_ERROR),
    MLG_VALUE(MLG_MD_TEXT),
    MLG_VALUE(MLG_MD_CELL),
    MLG_VALUE(MLG_MD_CODE),
};

int main(void)
{
    size_t i;

    for (i = 0; i < sizeof(layout) / sizeof(layout[0]); i++) {
        if (layout[i].name == NULL)
            printf("sizeof %s %zu\n", layout[i].scope, layout[i].size);
        else if (strcmp(layout[i].scope, "value") == 0)
            printf("value %s %zu\n", layout[i].name, layout[i].size);
        else
            printf("field %s.%s %zu %zu\n", layout[i].scope,
                   layout[i].name, layout[i].offset, layout[i].size);
    }
    return 0;
}
