#!/bin/sh
# check_docs.sh - the docs cannot drift from the code: the man pages are
# lint clean (mandoc -T lint, groff -ww), mlgate.conf(5) documents exactly
# the options and defaults the built-in plugins declare (`mlgate help`),
# mlgate(1) documents every long option `mlgate --help` prints, the
# example in mlgate-plugin(3) compiles, and the CI files parse as YAML,
# reference only inputs, outputs and files that exist, and hold shell
# that passes `bash -n`.  Also: mlgate.conf(5) has every runner key of
# runner/conf.c, mlgate(1) every environment variable runner/*.c reads.
# Exit 0 pass, 1 fail, 77 when no part could run (tools missing).

set -u

: "${MLG_SRCDIR:?set MLG_SRCDIR to the source tree}"
: "${MLG_BUILDDIR:?set MLG_BUILDDIR to the build tree}"

pages="doc/mlgate.1 doc/mlgate.conf.5 doc/mlgate-plugin.3"
ran=0
failed=0
part_ok() { echo "ok: $*"; ran=$((ran + 1)); }
part_fail() { echo "FAIL: $*"; ran=$((ran + 1)); failed=$((failed + 1)); }
part_skip() { echo "SKIP: $*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_docs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP PIPE

have_py=
command -v python3 >/dev/null 2>&1 && have_py=1

# --- man pages lint clean ---------------------------------------------
if command -v mandoc >/dev/null 2>&1; then
    bad=
    for p in $pages; do
        mandoc -T lint "$MLG_SRCDIR/$p" >"$tmp/lint" 2>&1
        if [ $? -ne 0 ] || [ -s "$tmp/lint" ]; then
            cat "$tmp/lint"
            bad="$bad $p"
        fi
    done
    if [ -z "$bad" ]; then part_ok "mandoc -T lint"
    else part_fail "mandoc -T lint:$bad"; fi
else
    part_skip "mandoc not installed"
fi
if command -v groff >/dev/null 2>&1; then
    bad=
    for p in $pages; do
        groff -ww -man -z "$MLG_SRCDIR/$p" >"$tmp/groff" 2>&1
        if [ $? -ne 0 ] || [ -s "$tmp/groff" ]; then
            cat "$tmp/groff"
            bad="$bad $p"
        fi
    done
    if [ -z "$bad" ]; then part_ok "groff -ww -man -z"
    else part_fail "groff -ww:$bad"; fi
else
    part_skip "groff not installed"
fi

# --- the example in mlgate-plugin(3) compiles -------------------------
cc=${CC:-cc}
if command -v "$cc" >/dev/null 2>&1; then
    # The first .EX block after ".SH EXAMPLES", roff escapes undone.
    sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$MLG_SRCDIR/doc/mlgate-plugin.3" |
        awk '/^\.EX/ { f = 1; next } /^\.EE/ && f { exit } f' |
        sed -e 's/\\-/-/g' -e 's/\\e/\\/g' >"$tmp/example.c"
    if $cc -std=c99 -Wall -Wextra -Werror -fPIC -shared \
           -I"$MLG_SRCDIR/sdk" -o "$tmp/example.so" "$tmp/example.c" \
           >"$tmp/cc.out" 2>&1 &&
       grep -q "mlg_plugin_entry" "$tmp/example.c"; then
        part_ok "the mlgate-plugin(3) example compiles"
    else
        cat "$tmp/cc.out"
        part_fail "the mlgate-plugin(3) example does not compile"
    fi
else
    part_skip "no C compiler"
fi

# --- mlgate.conf(5) documents every runner key conf.c accepts ----------
if [ -z "$have_py" ]; then
    part_skip "python3 not installed (runner keys)"
elif python3 - "$MLG_SRCDIR/runner/conf.c" "$MLG_SRCDIR/doc/mlgate.conf.5" \
        <<'EOF'; then
import re, sys
conf_c, man = sys.argv[1:3]
# The key table of runner/conf.c: {"section", "key", TYPE, ...}.
keys = re.findall(r'\{\s*"(clearml|github|gitlab|report|run)",\s*'
                  r'"([a-z-]+)",\s*[A-Z_]+\s*,',
                  open(conf_c, encoding="utf-8").read())
if not keys:
    sys.exit("no runner key table found in runner/conf.c")
documented, section = set(), None
for line in open(man, encoding="utf-8"):
    m = re.match(r"\.SS \[(\w+)\]", line)
    if m:
        section = m.group(1)
    elif line.startswith(".SS") or line.startswith(".SH"):
        section = None
    m = re.match(r'\.BI "([a-z\\-]+) = "', line)
    if m and section:
        documented.add((section, m.group(1).replace("\\-", "-")))
missing = sorted(set(keys) - documented)
extra = sorted(documented - set(keys))
for s, k in missing:
    print("mlgate.conf(5) lacks [%s] %s" % (s, k))
for s, k in extra:
    print("mlgate.conf(5) documents [%s] %s, which conf.c rejects" % (s, k))
sys.exit(1 if missing or extra else 0)
EOF
    part_ok "mlgate.conf(5) has every runner key of runner/conf.c"
else
    part_fail "mlgate.conf(5) vs runner/conf.c"
fi

# --- mlgate(1) names every environment variable the runner reads -------
# The runner spells each variable as a string literal in runner/*.c.
vars=$(cat "$MLG_SRCDIR"/runner/*.c |
    grep -oE '"(CI|GITHUB|GITLAB|CLEARML|MLGATE|GH)_[A-Z0-9_]*"|"NO_COLOR"' |
    tr -d '"' | sort -u)
if [ -z "$vars" ]; then
    part_fail "no environment variable found in runner/*.c"
else
    missing=
    for v in $vars; do
        grep -q -- "$v" "$MLG_SRCDIR/doc/mlgate.1" || missing="$missing $v"
    done
    if [ -z "$missing" ]; then
        part_ok "mlgate(1) documents every variable runner/*.c reads"
    else
        part_fail "mlgate(1) ENVIRONMENT lacks:$missing"
    fi
fi

# --- mlgate(1) and mlgate.conf(5) agree with the binary ---------------
mlgate=$MLG_BUILDDIR/mlgate
plugdir=$MLG_BUILDDIR/plugins/.libs
if [ ! -x "$mlgate" ]; then
    part_skip "mlgate not built"
elif [ -z "$have_py" ]; then
    part_skip "python3 not installed (option comparison)"
else
    # Every long option of --help is in mlgate(1).
    "$mlgate" --help >"$tmp/help" 2>&1
    missing=
    for o in $(grep -o -- '--[a-z][a-z-]*' "$tmp/help" | sort -u); do
        esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
        grep -q -- "$esc" "$MLG_SRCDIR/doc/mlgate.1" || missing="$missing $o"
    done
    if [ -z "$missing" ]; then part_ok "mlgate(1) has every --help option"
    else part_fail "mlgate(1) lacks:$missing"; fi

    bad=
    for plugin in stats-comment compare remote-run diff; do
        if [ ! -f "$plugdir/$plugin.so" ]; then
            bad="$bad $plugin(not built)"
            continue
        fi
        MLGATE_PLUGIN_PATH=$plugdir "$mlgate" help "$plugin" \
            >"$tmp/$plugin.help" 2>&1 ||
            { cat "$tmp/$plugin.help"; bad="$bad $plugin(help failed)";
              continue; }
        python3 - "$plugin" "$tmp/$plugin.help" \
            "$MLG_SRCDIR/doc/mlgate.conf.5" <<'EOF' || bad="$bad $plugin"
import re, shlex, sys

plugin, help_path, man_path = sys.argv[1:4]
BOOLS = {"yes": "yes", "true": "yes", "on": "yes", "1": "yes",
         "no": "no", "false": "no", "off": "no", "0": "no"}
NONE = {"", "-", "none", "(none)", "null", "(null)", "unset"}

def norm(v):
    if v is None:
        return None
    v = v.strip().strip('"').strip("'")
    if v.lower() in NONE:
        return None
    return BOOLS.get(v.lower(), v)

# `mlgate help` prints one line per option, NAME then its type, whether
# it is required and its default (e.g. "goal   enum (max|min), default
# 'max'" or "NAME  TYPE  default: DEF  HELP"); help text may follow on
# lines of its own.  Parse loosely.
TYPES = r"\b(string|int|integer|number|bool|boolean|duration|enum)\b"
binary = {}
for line in open(help_path, encoding="utf-8", errors="replace"):
    cols = re.split(r"\s{2,}|\t", line.strip(), maxsplit=1)
    if len(cols) < 2 or not re.fullmatch(r"[a-z][a-z0-9-]*", cols[0]):
        continue
    rest = cols[1]
    if not re.match(TYPES, rest, re.I):
        continue
    m = re.search(r"default:?\s*(?:'([^']*)'|\"([^\"]*)\"|(\S+))", rest,
                  re.I)
    default = None
    if m:
        default = next(g for g in m.groups() if g is not None)
    required = re.search(r"\brequired\b", rest, re.I) is not None
    binary[cols[0]] = (norm(default), required)
if not binary:
    sys.exit("no options parsed from `mlgate help %s`" % plugin)

def unroff(s):
    s = re.sub(r"\\f[BIRP]", "", s)
    return s.replace("\\-", "-").replace("\\ ", " ").replace("\\e", "\\")

# mlgate.conf(5): in ".SS ... plugin = NAME", ".TP" + '.BI "KEY = " ...'.
doc, section, key, text = {}, None, None, []
def flush():
    if section == plugin and key is not None:
        doc[key] = text[:]
for raw in open(man_path, encoding="utf-8"):
    line = raw.rstrip("\n")
    if line.startswith(".SS") or line.startswith(".SH"):
        flush()
        key, text = None, []
        m = re.search(r"plugin = (\S+?)\"?$", unroff(line))
        section = m.group(1) if line.startswith(".SS") and m else None
    elif line.startswith(".TP"):
        flush()
        key, text = "", []
    elif key == "" and line.startswith(".BI"):
        m = re.match(r'\.BI "([a-z0-9\\-]+) = "', line)
        key = unroff(m.group(1)) if m else None
    elif key:
        text.append(line)
flush()

def man_default(lines):
    for i, l in enumerate(lines):
        u = unroff(l)
        if u.startswith("Required"):
            return None, True
        if u.startswith("No default"):
            return None, False
        m = re.match(r"Default:\s*(.*)", u)
        if m:
            rest = m.group(1).rstrip(".")
            if rest:
                return norm(rest), False
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            args = shlex.split(nxt.split(None, 1)[1]) if " " in nxt else []
            return norm(unroff(args[0])) if args else None, False
    return "<undocumented default>", False

errors = []
for k in sorted(set(binary) | set(doc)):
    if k not in doc:
        errors.append("%s: option %s is not in mlgate.conf(5)" % (plugin, k))
        continue
    if k not in binary:
        errors.append("%s: mlgate.conf(5) documents %s, the plugin does "
                      "not declare it" % (plugin, k))
        continue
    mdef, mreq = man_default(doc[k])
    bdef, breq = binary[k]
    if mdef != bdef:
        errors.append("%s: %s default: man %r, binary %r"
                      % (plugin, k, mdef, bdef))
    if breq and not mreq:
        errors.append("%s: %s is required but the man page says not"
                      % (plugin, k))
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
EOF
    done
    if [ -z "$bad" ]; then
        part_ok "mlgate.conf(5) matches the plugins' option tables"
    else
        part_fail "mlgate.conf(5) vs mlgate help:$bad"
    fi
fi

# --- the CI files parse and reference what exists ----------------------
if [ -z "$have_py" ] || ! python3 -c 'import yaml' 2>/dev/null; then
    part_skip "python3-yaml not installed"
else
    if python3 - "$MLG_SRCDIR" <<'EOF'; then
import os, re, sys
import yaml

src = sys.argv[1]
errors = []
def need(cond, msg):
    if not cond:
        errors.append(msg)

def load(rel):
    path = os.path.join(src, rel)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return text, yaml.safe_load(text)

# action.yml
atext, action = load("action.yml")
need(action["runs"]["using"] == "composite", "action.yml: not composite")
inputs = set(action.get("inputs") or {})
outputs = set(action.get("outputs") or {})
steps = action["runs"]["steps"]
step_ids = {s["id"] for s in steps if "id" in s}
for name in re.findall(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)", atext):
    need(name in inputs, "action.yml uses undeclared input %s" % name)
for sid in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", atext):
    need(sid in step_ids, "action.yml refers to unknown step %s" % sid)
runs_text = atext.split("\nruns:", 1)[1]
for name, spec in (action.get("inputs") or {}).items():
    need("inputs." + name in runs_text,
         "action.yml declares input %s but never uses it" % name)
    need(bool(spec.get("description")), "input %s: no description" % name)
for name in ("config", "clearml-api-host", "clearml-access-key",
             "clearml-secret-key", "github-token"):
    need(name in inputs, "action.yml: missing input %s" % name)
need("status" in outputs, "action.yml: no status output")
need(any(s.get("uses", "").startswith("actions/cache@") for s in steps),
     "action.yml: the install is not cached")
# Files of this repository the action reads from its checkout.
for rel in re.findall(r"\$ACTION_PATH/([A-Za-z0-9_./-]+)", atext):
    need(os.path.exists(os.path.join(src, rel)),
         "action.yml reads %s, which does not exist" % rel)
for rel in ("configure.ac", "Makefile.am"):
    need(os.path.exists(os.path.join(src, rel)), "no %s to build" % rel)

# conf/github-workflow.yml
wtext, wf = load("conf/github-workflow.yml")
on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as true
need("main" in (on.get("pull_request") or {}).get("branches", []),
     "workflow: not on pull_request to main")
perms = wf.get("permissions") or {}
for k, v in (("pull-requests", "write"), ("statuses", "write"),
             ("contents", "read")):
    need(perms.get(k) == v, "workflow: permissions %s is not %s" % (k, v))
need("pull_request.number" in str(wf.get("concurrency", {}).get("group")),
     "workflow: concurrency is not per pull request")
need("fork" in wtext.lower(), "workflow: no note on fork pull requests")
used = 0
for job in wf["jobs"].values():
    for st in job["steps"]:
        uses = st.get("uses", "")
        if uses == "./" or re.match(r"[^/]+/mlgate@", uses):
            used += 1
            for k in st.get("with") or {}:
                need(k in inputs, "workflow passes unknown input %s" % k)
            for k, spec in (action.get("inputs") or {}).items():
                if spec.get("required"):
                    need(k in (st.get("with") or {}),
                         "workflow omits required input %s" % k)
            conf = (st.get("with") or {}).get("config", "mlgate.conf")
            # The setup comment has users copy conf/example.conf there.
            need("conf/example.conf" in wtext and
                 os.path.exists(os.path.join(src, "conf/example.conf")),
                 "workflow config %s: conf/example.conf missing" % conf)
need(used == 1, "workflow: %d steps use the mlgate action" % used)
for sid, out in re.findall(
        r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", wtext):
    need(out in outputs, "workflow reads unknown output %s" % out)
for sec in re.findall(r"secrets\.([A-Z0-9_]+)", wtext):
    need(sec.startswith("CLEARML_"), "workflow uses secret %s" % sec)

# conf/gitlab-ci.yml
gtext, gl = load("conf/gitlab-ci.yml")
need("merge_request_event" in str(gl.get("workflow")),
     "gitlab-ci: not merge request pipelines")
job = gl.get("mlgate") or {}
need("mlgate.conf" in " ".join(job.get("script", [])),
     "gitlab-ci: the job does not run mlgate with mlgate.conf")
need("GITLAB_TOKEN" not in (gl.get("variables") or {}),
     "gitlab-ci: the token must be a masked CI/CD variable, not in the file")
need("api" in gtext and "mask" in gtext.lower(),
     "gitlab-ci: no note on the api-scope token in a masked variable")

# Every shell snippet is valid bash (GitHub's `shell: bash`, GitLab's
# default shell on Debian images runs the lines in one script).
import shutil, subprocess
snippets = [("action.yml step %s" % st.get("id", st.get("name")), st["run"])
            for st in steps if "run" in st]
for wjob in wf["jobs"].values():
    snippets += [("workflow step %s" % st.get("name", "?"), st["run"])
                 for st in wjob["steps"] if "run" in st]
gjob = gl.get("mlgate") or {}
snippets.append(("gitlab-ci mlgate job",
                 "\n".join(gjob.get("before_script", []) +
                           gjob.get("script", []))))
if shutil.which("bash"):
    for what, text in snippets:
        r = subprocess.run(["bash", "-n"], input=text.encode(),
                           stderr=subprocess.PIPE)
        need(r.returncode == 0, "%s: bash -n: %s"
             % (what, r.stderr.decode(errors="replace").strip()))

# No secret values anywhere.
for name, text in (("action.yml", atext), ("github-workflow.yml", wtext),
                   ("gitlab-ci.yml", gtext)):
    need(not re.search(r"ghs_|ghp_|glpat-|sbx-secret", text),
         "%s contains a token" % name)

for e in errors:
    print(e)
sys.exit(1 if errors else 0)
EOF
        part_ok "action.yml, github-workflow.yml, gitlab-ci.yml"
    else
        part_fail "CI YAML files"
    fi
fi

[ "$ran" -gt 0 ] || exit 77
[ "$failed" -eq 0 ] || exit 1
exit 0
