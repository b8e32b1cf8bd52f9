#!/usr/bin/env python3
"""extract.py - makes examples.json, the webhook payloads check_context
runs the context parser over, from the npm package @octokit/webhooks-examples
(MIT; see README).  Every example of the event kinds mlgate reads is kept;
only what no parser needs is dropped (links, avatars, texts of PRs and
issues, the sender/installation/organization blocks) so the extract stays
small.  Usage:

    npm pack @octokit/webhooks-examples
    tar xzf octokit-webhooks-examples-*.tgz
    python3 extract.py package/api.github.com/index.json > examples.json
"""
import json
import re
import sys

KINDS = ("pull_request", "pull_request_target", "push", "merge_group",
         "workflow_dispatch", "workflow_run", "issue_comment")
DROP = {"sender", "installation", "organization", "enterprise", "_links",
        "performed_via_github_app", "reactions", "labels", "assignees",
        "assignee", "requested_reviewers", "requested_teams", "milestone",
        "auto_merge", "topics", "license", "permissions",
        "custom_properties", "repository_ruleset", "actor",
        "triggering_actor", "head_repository", "referenced_workflows"}
KEEP_URL = {"clone_url", "html_url"}
USER = {"login", "id", "type"}
REPO = {"id", "name", "full_name", "clone_url", "html_url", "owner", "fork",
        "private", "default_branch"}


def prune(v, key=""):
    if isinstance(v, dict):
        if key in ("user", "owner", "author", "committer", "pusher"):
            return {k: v[k] for k in v if k in USER or k in ("name", "email")}
        if key in ("repository", "repo"):
            return {k: prune(v[k], k) for k in v if k in REPO}
        out = {}
        for k, x in v.items():
            if k in DROP:
                continue
            if k == "node_id" or k.endswith("_at") or k == "timestamp":
                continue
            if re.search(r"(^|_)url$", k) and k not in KEEP_URL:
                continue
            if k == "body" and key in ("pull_request", "issue"):
                continue
            out[k] = prune(x, k)
        return out
    if isinstance(v, list):
        return [prune(x, key) for x in v]
    return v


def main():
    index = json.load(open(sys.argv[1]))
    out = {"source": "@octokit/webhooks-examples api.github.com/index.json",
           "license": "MIT", "events": {}}
    for ev in index:
        if ev["name"] in KINDS:
            out["events"][ev["name"]] = [prune(x) for x in ev["examples"]]
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
