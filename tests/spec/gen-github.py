#!/usr/bin/env python3
"""gen-github.py - writes github.json, the GitHub operations mlgate uses,
from GitHub's published OpenAPI description as the npm package
@octokit/openapi carries it (MIT licence).  Only the operations in OPS
are kept, and of each only what check_spec validates: method, path,
parameters (in, type, enum, limits) and the JSON body's fields (type,
enum, required, limits).  Usage:

    npm pack @octokit/openapi
    tar xzf octokit-openapi-*.tgz
    python3 gen-github.py package/generated/api.github.com.json > github.json
"""
import json
import re
import sys

OPS = [
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("POST", "/repos/{owner}/{repo}/statuses/{sha}"),
    ("GET", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("GET", "/user"),
]

# Limits GitHub enforces that its OpenAPI description does not state;
# each names where the fact comes from.
LIMITS = {
    ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"): {
        "body": {"maxLength": 65536, "source":
                 "422 'body is too long (maximum is 65536 characters)'"}},
    ("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}"): {
        "body": {"maxLength": 65536, "source":
                 "422 'body is too long (maximum is 65536 characters)'"}},
    ("POST", "/repos/{owner}/{repo}/statuses/{sha}"): {
        "description": {"maxLength": 140, "source":
                        "422 'description is too long (maximum is 140 "
                        "characters)'"}},
}


def resolve(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        cur = doc
        for part in ref[2:].split("/"):
            cur = cur[part]
        node = cur
    return node


def field(doc, schema):
    """The validator's view of a JSON schema node."""
    schema = resolve(doc, schema)
    out = {}
    if "oneOf" in schema or "anyOf" in schema:
        alts = [resolve(doc, s) for s in schema.get("oneOf",
                                                   schema.get("anyOf"))]
        out["type"] = sorted({a.get("type", "any") for a in alts})
        return out
    t = schema.get("type", "any")
    out["type"] = [t] if isinstance(t, str) else list(t)
    if schema.get("nullable"):
        out["type"].append("null")
    for k in ("enum", "minimum", "maximum", "minLength", "maxLength",
              "default"):
        if k in schema:
            out[k] = schema[k]
    if "items" in schema:
        out["items"] = field(doc, schema["items"])
    if "properties" in schema:
        out["fields"] = {k: field(doc, v)
                         for k, v in schema["properties"].items()}
        out["required"] = schema.get("required", [])
        out["additional"] = bool(schema.get("additionalProperties", False))
    return out


def main():
    doc = json.load(open(sys.argv[1]))
    out = {
        "service": "github",
        "source": "@octokit/openapi %s, generated/api.github.com.json "
                  "(licence %s), by tests/spec/gen-github.py"
                  % (doc["info"]["version"], doc["info"]["license"]["name"]),
        "api_versions": ["2022-11-28"],
        "operations": {},
    }
    for method, path in OPS:
        item = doc["paths"][path]
        op = item[method.lower()]
        params = {}
        for p in item.get("parameters", []) + op.get("parameters", []):
            p = resolve(doc, p)
            f = field(doc, p.get("schema", {}))
            # "(max 100)" is stated in the description, not the schema.
            m = re.search(r"\(max (\d+)\)", p.get("description", ""))
            if m:
                f["maximum"] = int(m.group(1))
            f["in"] = p["in"]
            f["required"] = bool(p.get("required", False))
            params[p["name"]] = f
        o = {"method": method, "path": path,
             "operationId": op.get("operationId"),
             "params": params}
        body = op.get("requestBody")
        if body:
            body = resolve(doc, body)
            schema = body["content"]["application/json"]["schema"]
            o["body"] = field(doc, schema)
            o["body"]["required_body"] = bool(body.get("required", False))
            for name, lim in LIMITS.get((method, path), {}).items():
                o["body"]["fields"][name].update(lim)
        out["operations"]["%s %s" % (method, path)] = o
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
