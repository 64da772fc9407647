#!/usr/bin/env python3
"""Writes a GitHub-sized OpenAPI 3.1 description (JSON) for tests and `make bench`:
2,000 operations over 800 paths in 40 areas, with query parameters, request bodies and
responses that $ref 800 shared schemas, ~10 MB. Deterministic: the same file every run.
Usage: github_sized_openapi.py OUT.json"""
import json
import random
import sys

AREAS = ["repos", "orgs", "users", "teams", "issues", "pulls", "actions", "checks", "gists", "apps",
         "packages", "projects", "reactions", "search", "secrets", "billing", "codespaces", "copilot", "dependabot",
         "deployments", "environments", "git", "hooks", "interactions", "licenses", "markdown", "meta", "migrations",
         "notifications", "pages", "rate-limit", "releases", "security", "stats", "statuses", "subscriptions",
         "tags", "topics", "traffic", "webhooks"]


def schema_for(rng, name, depth=0):
    properties = {}
    for i in range(rng.randint(8, 16)):
        field = f"{name}_field_{i}"
        kind = rng.choice(["string", "integer", "boolean", "number", "enum", "array", "object"] if depth < 2 else
                          ["string", "integer", "boolean"])
        if kind == "enum":
            properties[field] = {"type": "string", "enum": [f"{field}_v{j}" for j in range(4)],
                                 "description": f"The {field} state of the {name}."}
        elif kind == "array":
            properties[field] = {"type": "array", "items": {"type": "string"}, "description": f"Labels of the {name}."}
        elif kind == "object":
            properties[field] = schema_for(rng, f"{name}_{i}", depth + 1)
        else:
            properties[field] = {"type": kind, "description": f"The {field} of the {name}, as the API reports it. " * 2}
    return {"type": "object", "required": sorted(rng.sample(sorted(properties), 2)), "properties": properties,
            "description": f"A {name} as the API describes it."}


def main(out):
    rng = random.Random(2026)
    components = {}
    paths = {}
    for area in AREAS:
        for resource in range(10):
            noun = f"{area.replace('-', '_')}_{resource}"
            components[noun] = schema_for(rng, noun)
            components[noun + "_list"] = {"type": "array", "items": {"$ref": f"#/components/schemas/{noun}"}}
            ref = {"$ref": f"#/components/schemas/{noun}"}
            query = [{"name": name, "in": "query", "schema": {"type": "integer"}, "description": f"The {name}."}
                     for name in ("per_page", "page")] + [{"name": "sort", "in": "query", "schema": {
                         "type": "string", "enum": ["created", "updated", "name"]}}]
            owner = [{"name": "owner", "in": "path", "required": True, "schema": {"type": "string"}}]
            item = owner + [{"name": f"{noun}_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
            responses = {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}},
                         "404": {"description": "Not found"}, "422": {"description": "Validation failed"}}
            collection = f"/{area}/{{owner}}/{noun}"
            paths[collection] = {
                "get": {"summary": f"List {noun}", "operationId": f"{noun}/list", "parameters": owner + query,
                        "responses": {"200": {"description": "OK", "content": {"application/json": {
                            "schema": {"$ref": f"#/components/schemas/{noun}_list"}}}}}},
                "post": {"summary": f"Create a {noun}", "operationId": f"{noun}/create", "parameters": owner,
                         "requestBody": {"required": True, "content": {"application/json": {"schema": ref}}},
                         "responses": responses, "security": [{"token": [f"{area}:write"]}]},
            }
            paths[collection + f"/{{{noun}_id}}"] = {
                "get": {"summary": f"Get a {noun}", "operationId": f"{noun}/get", "parameters": item, "responses": responses},
                "patch": {"summary": f"Update a {noun}", "operationId": f"{noun}/update", "parameters": item,
                          "requestBody": {"content": {"application/json": {"schema": ref}}}, "responses": responses},
                "delete": {"summary": f"Delete a {noun}", "operationId": f"{noun}/delete", "parameters": item,
                           "responses": {"204": {"description": "Deleted"}}},
            }
    document = {"openapi": "3.1.0", "info": {"title": "GitHub-sized (generated)", "version": "1"},
                "servers": [{"url": "https://api.example.com"}], "paths": paths,
                "components": {"schemas": components, "securitySchemes": {"token": {"type": "oauth2", "flows": {
                    "clientCredentials": {"tokenUrl": "https://api.example.com/token",
                                          "scopes": {f"{a}:write": f"write {a}" for a in AREAS}}}}}}}
    with open(out, "w") as handle:
        json.dump(document, handle, indent=2)


if __name__ == "__main__":
    main(sys.argv[1])
