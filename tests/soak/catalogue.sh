#!/bin/bash
# catalogue.sh - runs every bad input of doc/reliability.md's catalogue
# through the real mlgate binary (and mlgate-sandbox for server errors)
# and prints the table rows: input, mlgate's answer, exit code, the test
# that asserts it.  The doc's table is this script's output.
#
# Usage: MLG_SRCDIR=... MLG_BUILDDIR=... bash tests/soak/catalogue.sh
set -u
src=${MLG_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bld=${MLG_BUILDDIR:-$src}
mlgate=$bld/mlgate
work=$(mktemp -d)
sbx=
trap 'cat_stop; rm -rf "$work"' EXIT INT TERM

export MLGATE_PLUGIN_PATH="$bld/plugins/.libs:$bld/tests/plugins/.libs"
export MLGATE_HTTP_BACKOFF=0.01 NO_COLOR=1 HOME="$work"
export CLEARML_API_ACCESS_KEY=SBXACCESSKEY00000001
export CLEARML_API_SECRET_KEY=sbx-secret-0123456789abcdefghijklmnopqrstuv
export GITHUB_TOKEN=ghs_sbxWriteToken0123456789abcdef
unset GITHUB_ACTIONS GITHUB_EVENT_PATH GITHUB_EVENT_NAME GITLAB_CI \
    CLEARML_CONFIG_FILE MLGATE_CONFIG MLGATE_PR MLGATE_SHA MLGATE_REPO \
    MLGATE_BRANCH 2>/dev/null
CTX="--repo acme/ml-repo --pr 12 --branch feature-x --sha 3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345"

cat_start() { # scenario
    cat_stop
    mkfifo "$work/ready"
    "$bld/tests/sandbox/mlgate-sandbox" \
        --scenario "$src/tests/sandbox/scenarios/$1.json" >"$work/ready" &
    sbx=$!
    while read -r line; do
        case $line in
        READY) break ;;
        *=*) export "${line?}" ;;
        esac
    done <"$work/ready"
    rm -f "$work/ready"
}
cat_stop() {
    if [ -n "$sbx" ]; then kill "$sbx" 2>/dev/null; wait "$sbx" 2>/dev/null; fi
    sbx=
}
cat_fault() { # json
    curl -s -o /dev/null -X POST --data "$1" "${GITHUB_API_URL%/github}/__fault"
}
conf() { printf '%b' "$1" >"$work/mlgate.conf"; }

# row INPUT TEST PATTERN -- mlgate args...: runs mlgate, keeps the output
# lines matching PATTERN (extended regex; the whole stderr when empty).
row() {
    input=$1 test=$2 pat=$3
    shift 4
    (cd "$work" && "$mlgate" "$@") >"$work/out" 2>"$work/err"
    code=$?
    cat "$work/out" "$work/err" | sed "s|$work/||g; s|$bld/||g; s|$src/||g;
        s|127\.0\.0\.1:[0-9]*|127.0.0.1:PORT|g" >"$work/all"
    if [ -n "$pat" ]; then
        grep -E -- "$pat" "$work/all" >"$work/msg"
    else
        grep -v '^::' "$work/err" | sed "s|$work/||g; s|$bld/||g;
            s|127\.0\.0\.1:[0-9]*|127.0.0.1:PORT|g" >"$work/msg"
    fi
    msg=$(sed 's/^mlgate: //; s/|/\\|/g; s/`/'"'"'/g' "$work/msg" |
        awk 'NR > 1 { printf "<br>" } { printf "`%s`", $0 }')
    printf '| %s | %s | %s | %s |\n' "$input" "$msg" "$code" "$test"
}

echo "### Command line"
echo
echo "| bad input | mlgate's answer | exit | test |"
echo "| --- | --- | --: | --- |"
conf '[check a]\nplugin = good\n'
row "unknown option" "check_cli test_usage_64" "" -- --bogus
row "bad \`--format\`" "check_cli test_usage_64" "" -- --format yaml
row "\`--pr\` not a number" "check_cli test_usage_64" "" -- --pr twelve
row "\`--sha\` not 40 hex" "check_cli test_usage_64" "" -- --sha xyz
row "\`--repo\` without owner" "check_cli test_usage_64" "" -- --repo norepo
row "option without its value" "check_cli test_usage_64" "" -- --json
row "unknown command" "check_cli test_usage_64" "" -- frobnicate
row "\`help\` without a plugin" "check_cli test_usage_64" "" -- help
row "\`--only\` names no check" "check_cli test_usage_64" "" -- --only a,nope
row "bad \`--deadline\`" "check_cancel test_bad_deadline" "" -- --deadline soon

echo
echo "### Conf file (mlgate.conf)"
echo
echo "| bad input | mlgate's answer | exit | test |"
echo "| --- | --- | --: | --- |"
row "conf file missing" "check_cli test_bad_conf_78, check_conf test_file_errors" "" -- -c nosuch.conf
printf '[run]\0\n' >"$work/bin.conf"
row "conf not a text file (NUL byte)" "check_conf test_file_errors" "" -- -c bin.conf
conf '[run]\njobs = 2\nnonsense\n'
row "line that is neither key nor section" "check_conf test_parse_errors" "" -- check-config
conf '\n[run\n'
row "unclosed section header" "check_conf test_parse_errors" "" -- check-config
conf '[report]\n[foo]\n'
row "unknown section" "check_conf test_parse_errors" "" -- check-config
conf '[report]\ncolour = red\n'
row "unknown runner key" "check_conf test_parse_errors" "" -- check-config
conf '[run]\njobs = 0\n'
row "bad integer" "check_conf test_parse_errors" "" -- check-config
conf '[run]\ntimeout = soon\n'
row "bad duration" "check_conf test_parse_errors, check_cli test_bad_conf_78" "" -- check-config
conf '[run]\ndeadline = soon\n'
row "bad \`[run] deadline\`" "check_cancel test_bad_deadline" "" -- check-config
conf '[report]\ncomment = always\n'
row "bad enum value" "check_conf test_parse_errors" "" -- check-config
conf '[clearml]\nverify = /nonexistent/ca.pem\n'
row "unreadable CA bundle" "check_conf test_parse_errors" "" -- check-config
conf '[check a]\ngoal = max\n'
row "check without \`plugin =\`" "check_conf test_parse_errors" "" -- check-config
conf '[check a]\nplugin = good\n\n[check a]\nplugin = good\n'
row "duplicate check name" "check_conf test_parse_errors" "" -- check-config
conf '[run]\njobs = 1\njobs = 2\n'
row "duplicate key" "check_conf test_parse_errors" "" -- check-config
conf '[check a b]\nplugin = good\n'
row "bad check name" "check_conf test_parse_errors" "" -- check-config
conf '[check a]\nplugin = good\nmessage = ${MLG_CATALOGUE_UNSET}\n'
row "unset \`\${VAR}\`" "check_conf test_parse_errors" "" -- check-config
conf '[check a]\nplugin = ${MLG_T\n'
row "unterminated \`\${\`" "check_conf test_parse_errors" "" -- check-config
conf '[check a]\nplugin = "abc\n'
row "unterminated quote" "check_conf test_parse_errors" "" -- check-config
conf '[report]\ncomment = ${CLEARML_API_SECRET_KEY}\n'
row "a secret expanded into a bad value" "check_secrets test_conf_error" "" -- check-config
conf '[check cmp]\nplugin = compare\nmetric = m\nbogus = 1\n'
row "unknown plugin option" "check_conf test_validate_errors, check_cli test_bad_conf_78" "" -- check-config
conf '[check cmp]\nplugin = compare\nmetric = m\ngoal = up\n'
row "bad plugin option value" "check_conf test_validate_errors" "" -- check-config
conf '[check cmp]\nplugin = compare\n'
row "required plugin option missing" "check_conf test_validate_errors" "" -- check-config

echo
echo "### Plugins that cannot be loaded"
echo
echo "| bad input | mlgate's answer | exit | test |"
echo "| --- | --- | --: | --- |"
conf '[check a]\nplugin = nosuch\n'
row "plugin not found" "check_cli test_bad_conf_78, check_loader test_find" "" -- check-config
conf '[check a]\nplugin = abi_major\n'
row "other ABI major" "check_loader test_major_mismatch, check_cli test_bad_conf_78" "" -- check-config
conf '[check a]\nplugin = abi_minor\n'
row "newer ABI minor" "check_loader test_newer_minor" "" -- check-config
conf '[check a]\nplugin = short_size\n'
row "descriptor shorter than ABI 1.0" "check_loader test_short_size" "" -- check-config
conf '[check a]\nplugin = no_entry\n'
row "no \`mlg_plugin_entry\` symbol" "check_loader test_no_entry" "" -- check-config
conf '[check a]\nplugin = null_run\n'
row "descriptor without \`run\`" "check_loader test_null_run" "" -- check-config
printf 'not an ELF file\n' >"$work/fake.so"
conf "[check a]\nplugin = $work/fake.so\n"
row "file that is not a shared object" "check_loader test_dlopen_failure" "" -- check-config

echo
echo "### Run context (CI payload and variables)"
echo
echo "| bad input | mlgate's answer | exit | test |"
echo "| --- | --- | --: | --- |"
conf '[check a]\nplugin = good\n'
printf '{"pull_request": {"number": 12,' >"$work/event.json"
GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request \
GITHUB_EVENT_PATH="$work/event.json" GITHUB_REPOSITORY=acme/ml-repo \
    row "event payload not JSON" "check_context test_malformed_payload" "" --
GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request \
GITHUB_EVENT_PATH="$work/none.json" GITHUB_REPOSITORY=acme/ml-repo \
    row "event payload missing" "check_context test_missing_file" "" --
GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request \
GITHUB_REPOSITORY=acme/ml-repo \
    row "\`GITHUB_EVENT_PATH\` unset" "check_context test_missing_file" "" --
printf '{"number": 1}' >"$work/event.json"
GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request \
GITHUB_EVENT_PATH="$work/event.json" GITHUB_REPOSITORY=acme/ml-repo \
    row "payload without \`pull_request\`" "check_context test_missing_fields" "" --
printf '{"number": 1, "pull_request": {"head": {"sha": "abc"}}}' \
    >"$work/event.json"
GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request \
GITHUB_EVENT_PATH="$work/event.json" GITHUB_REPOSITORY=acme/ml-repo \
    row "head SHA not 40 hex" "check_context test_missing_fields" "" --
MLGATE_PR=twelve row "\`MLGATE_PR\` not a number" "check_context test_bad_overrides" "" --
GITLAB_CI=true CI_MERGE_REQUEST_IID=seven CI_PROJECT_PATH=acme/ml-repo \
    row "GitLab MR IID not a number" "check_context test_gitlab_mr" "" --

echo
echo "### Check plugins that misbehave at run time"
echo
echo "| bad input | mlgate's answer | exit | test |"
echo "| --- | --- | --: | --- |"
conf '[check crash]\nplugin = crasher\n[check ok]\nplugin = good\n'
row "check dies of SIGSEGV" "check_exec test_crash_isolated, check_cli test_crasher_and_two_passing, soak" "^(ERROR|PASS) " -- $CTX
conf '[check silent]\nplugin = noresult\n'
row "check exits without a result" "check_exec test_exit_without_result, soak" "^ERROR " -- $CTX
conf '[check slow]\nplugin = sleeper\nseconds = 5\ntimeout = 1s\n[run]\ngrace = 1s\n'
row "check past its deadline" "check_exec test_timeout, soak" "^ERROR " -- $CTX
conf '[check stubborn]\nplugin = sleeper\nseconds = 5\nignore-term = yes\ntimeout = 1s\n[run]\ngrace = 1s\n'
row "check ignores SIGTERM" "check_exec test_sigkill_after_grace, soak" "^ERROR " -- $CTX
conf '[check broken]\nplugin = init_fail\n'
row "\`init\` fails" "check_exec test_init_failure" "^ERROR " -- $CTX
conf '[check big]\nplugin = bigdetail\nflood = yes\n'
row "result over the size cap" "check_exec test_result_cap" "^(ERROR|PASS|WARN) " -- $CTX

echo
echo "### ClearML server errors (against mlgate-sandbox)"
echo
echo "| bad input | mlgate's answer | exit | test |"
echo "| --- | --- | --: | --- |"
conf '[clearml]\nproject = Github CICD Video\ntask-name = cicd_test\n[report]\ncomment = off\nstatus = off\n[check stats]\nplugin = stats-comment\n'
cat_start happy
CLEARML_API_SECRET_KEY=sbx-secret-WRONGwrongWRONGwrongWRONGwrongWRON \
    row "wrong secret key" "check_clearml test_bad_credentials, check_secrets test_wrong_clearml_secret" "ClearML login|^(ERROR|FAIL|PASS) " -- $CTX
cat_start happy
cat_fault '{"match":{"service":"clearml","endpoint":"tasks.get_all"},"count":0,"status":503}'
row "503 on every call" "check_clearml test_retry_503, check_http test_retry_gives_up, check_secrets test_clearml_5xx" "^(ERROR|FAIL|PASS) " -- $CTX
cat_start happy
cat_fault '{"match":{"service":"clearml"},"count":0,"html":true}'
row "not a ClearML server (HTML page)" "check_clearml test_not_clearml, check_secrets test_not_clearml" "ClearML login|^(ERROR|FAIL|PASS) " -- $CTX
cat_start happy
cat_fault '{"match":{"service":"clearml","endpoint":"tasks.get_all"},"count":0,"malformed":true}'
row "truncated JSON body" "soak" "^(ERROR|FAIL|PASS) " -- $CTX
cat_start happy
cat_fault '{"match":{"service":"clearml","endpoint":"tasks.get_all"},"count":0,"drop":true}'
row "connection dropped every time" "check_http test_dropped_connection, soak" "^(ERROR|FAIL|PASS) " -- $CTX
cat_start happy
cat_fault '{"match":{"service":"clearml","endpoint":"tasks.get_all"},"count":2,"status":429,"retry_after":1}'
row "429 with \`Retry-After: 1\` (twice)" "check_http test_retry_after_honoured, soak" "^(ERROR|FAIL|PASS) " -- $CTX
cat_start token-expired
row "token expires mid-run (401/30)" "check_clearml test_token_expired_scenario, check_secrets test_token_expired" "^(ERROR|FAIL|PASS) " -- $CTX
cat_start old-server
row "server without \`tasks.update_tags\` (API 2.23)" "check_clearml test_tags_old_server" "^(ERROR|FAIL|PASS) " -- $CTX
conf '[clearml]\nproject = Github CICD Video\ntask-name = cicd_test\n[report]\ncomment = off\nstatus = off\n[check remote]\nplugin = remote-run\nqueue = nosuch\nscript = task.py\n'
cat_start happy
row "queue does not exist" "check_remote test_missing_queue" "^(ERROR|FAIL|PASS) " -- $CTX
conf '[clearml]\nproject = Github CICD Video\ntask-name = cicd_test\n[report]\ncomment = off\nstatus = off\n[check remote]\nplugin = remote-run\nqueue = default\nscript = task.py\npoll = 0.1s\nqueue-timeout = 1s\n'
cat_start remote-stuck
row "nobody watches the queue" "check_remote test_stuck_queue_timeout" "no worker|^(ERROR|FAIL|PASS) " -- $CTX
cat_start happy
cat_fault '{"match":{"service":"clearml","endpoint":"tasks.create"},"malformed":true}'
row "\`tasks.create\` applied but its answer lost" "check_faults test_create_answer_lost, soak" "tasks.create failed|^(ERROR|FAIL|PASS) " -- $CTX
cat_start happy
cat_fault '{"match":{"service":"clearml","endpoint":"tasks.stopped"},"status":500}'
row "one 500 on \`tasks.stopped\`" "check_faults test_stop_fails_once, soak" "^(ERROR|FAIL|PASS) " -- $CTX
cat_start happy
cat_fault '{"match":{"service":"clearml","endpoint":"tasks.create"},"status":502,"acted":true}'
row "\`tasks.create\` answered 502 after ClearML created it" "check_cancel test_task_create_502_after_create" "tasks.create|^(ERROR|FAIL|PASS) " -- $CTX
cat_start happy
cat_fault '[{"match":{"service":"clearml","endpoint":"tasks.create"},"status":502,"acted":true},{"match":{"service":"clearml","endpoint":"tasks.get_all"},"status":200,"body":{"meta":{"result_code":200,"result_subcode":0,"result_msg":"OK"},"data":{"tasks":[]}}}]'
row "the same, and the lookup misses it (the task is created twice)" "check_cancel test_task_create_twice_tolerated" "tasks.create|^(ERROR|FAIL|PASS) " -- $CTX
conf '[clearml]\nproject = Github CICD Video\ntask-name = cicd_test\n[report]\ncomment = off\nstatus = off\n[check stats]\nplugin = stats-comment\n'
cat_start happy
cat_fault '{"match":{"service":"clearml","endpoint":"auth.login"},"count":0,"trickle_ms":1000}'
row "login answer trickles (1 byte/s), \`--deadline 3\`" "check_cancel test_trickle_login" "login|deadline|^(ERROR|FAIL|PASS) " -- $CTX --deadline 3
cat_start happy
cat_fault '{"match":{"service":"clearml","endpoint":"tasks.get_all"},"count":0,"trickle_ms":1000}'
row "a check's request trickles, \`--deadline 3\`" "check_cancel test_trickle_check_request" "deadline|^(ERROR|FAIL|PASS) " -- $CTX --deadline 3

echo
echo "### GitHub errors (against mlgate-sandbox)"
echo
echo "| bad input | mlgate's answer | exit | test |"
echo "| --- | --- | --: | --- |"
conf '[clearml]\nproject = Github CICD Video\ntask-name = cicd_test\n[check stats]\nplugin = stats-comment\n'
cat_start happy
GITHUB_TOKEN=ghs_sbxRevokedToken000000000000000 \
    row "revoked token (401)" "check_forge test_bad_token, check_secrets test_github_401" "could not|^(ERROR|FAIL|PASS) " -- $CTX
cat_start fork-readonly
GITHUB_TOKEN=ghs_sbxReadOnlyToken0123456789abc \
    row "read-only token (fork PR, 403)" "check_publish fork_readonly_degrades, check_forge test_readonly_token" "could not|^(ERROR|FAIL|PASS) " -- $CTX
cat_start happy
cat_fault '{"match":{"service":"github","method":"GET","path":"/issues/[0-9]+/comments"},"count":0,"malformed":true}'
row "comment list unreadable" "check_secrets test_malformed, soak" "could not|^(ERROR|FAIL|PASS) " -- $CTX
cat_start rate-limited
row "primary and secondary rate limits" "check_publish rate_limited_retries, check_forge test_rate_limited" "created|^(ERROR|FAIL|PASS) " -- $CTX
cat_start happy
cat_fault '{"match":{"service":"github","method":"POST","path":"/statuses/"},"rate_limit":"secondary","retry_after":-1}'
row "secondary rate limit without headers on a status, \`--deadline 30s\`" "check_cancel test_secondary_limit_no_headers" "could not|^(ERROR|FAIL|PASS) " -- $CTX --deadline 30s
cat_start happy
cat_fault '{"match":{"service":"github","method":"POST","path":"/issues/12/comments"},"status":502,"acted":true}'
row "comment create answered 502 after GitHub created it" "check_cancel test_comment_502_after_create" "comment|^(ERROR|FAIL|PASS) " -- $CTX
cat_start happy
cat_fault '{"match":{"service":"github"},"count":0,"trickle_ms":1000}'
row "every GitHub answer trickles, \`--deadline 4\`" "check_cancel test_trickle_publishing" "could not|^(ERROR|FAIL|PASS) " -- $CTX --deadline 4

echo
echo "### The runner itself"
echo
echo "| bad input | mlgate's answer | exit | test |"
echo "| --- | --- | --: | --- |"
conf '[check slow]\nplugin = sleeper\nseconds = 30\n'
rm -f "$work/term.out" "$work/term.err"
(cd "$work" && exec "$mlgate" -vv $CTX >"$work/term.out" 2>"$work/term.err") &
pid=$!
# Once the check runs (the runner says so), cancel, as a CI would.
while ! grep -q "started (pid" "$work/term.err" 2>/dev/null &&
    kill -0 $pid 2>/dev/null; do
    sleep 0.05
done
kill -TERM $pid 2>/dev/null
wait $pid
code=$?
printf '| SIGTERM while a check runs | `%s` | %s | check_cli test_sigterm_still_reports, soak |\n' \
    "$(grep -E '^ERROR ' "$work/term.out" | sed 's/|/\\|/g')" "$code"
# SIGHUP while the ClearML login trickles: the transfer is cut at once.
conf '[clearml]\nproject = Github CICD Video\ntask-name = cicd_test\n[report]\ncomment = off\nstatus = off\n[check stats]\nplugin = stats-comment\n'
cat_start happy
cat_fault '{"match":{"service":"clearml","endpoint":"auth.login"},"trickle_ms":1000}'
(cd "$work" && exec "$mlgate" $CTX >"$work/term.out" 2>"$work/term.err") &
pid=$!
while ! curl -s "${GITHUB_API_URL%/github}/__state" |
    grep -q '"clearml":[1-9]'; do
    sleep 0.05
done
kill -HUP $pid 2>/dev/null
wait $pid
code=$?
printf '| SIGHUP during the ClearML login | `%s` | %s | check_cancel test_signal_phases, test_signal_in_backoff |\n' \
    "$(grep -E '^ERROR ' "$work/term.out" | sed 's/|/\\|/g')" "$code"
# `mlgate | true`: the reader of stdout is gone.
(cd "$work" && "$mlgate" $CTX --json out.json 2>"$work/err" | true
    exit "${PIPESTATUS[0]}")
code=$?
printf '| stdout closed (`mlgate \\| true`) | `%s`%s | %s | check_cancel test_stdout_closed |\n' \
    "$(sed 's/^mlgate: //' "$work/err")" \
    "$([ -s "$work/out.json" ] && echo '<br>(--json written)')" "$code"
