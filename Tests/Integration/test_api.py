"""`apictl api sync/list/show`, checks before sending, and completion from the synced
description: against the reference server's descriptions and authentik's, which nobody
here wrote (../shared/data/openapi, copied into Tests/Fixtures)."""
import base64
import gzip
import json
import os
import random
import subprocess
import time
from pathlib import Path

import jsonschema
import pytest

from conftest import APICTL, ROOT, assert_one_line_error

AUTHENTIK = ROOT / "Tests/Fixtures/openapi/authentik-2026.2.2.openapi.yaml.gz"


@pytest.fixture
def dz(apictl, ref):
    apictl.run("profile", "add", "dz", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"))
    apictl.env["DZDESK_TOKEN"] = ref.key("dzdesk", scopes=["requests:read", "requests:write"])
    return apictl


def index_path(apictl, profile):
    return apictl.home / ".cache/apictl/openapi" / profile


def test_sync_finds_the_description_through_its_link_and_keeps_it(dz, ref):
    synced = dz.run("api", "sync")
    assert synced.code == 0 and "synced 7 operations" in synced.err and "description.yaml" in synced.err, synced
    assert oct((index_path(dz, "dz") / "catalog.tsv").stat().st_mode & 0o777) == "0o600"
    assert oct(index_path(dz, "dz").stat().st_mode & 0o777) == "0o700"
    operations = index_path(dz, "dz") / "operations.jsonl"
    assert len(operations.read_text().splitlines()) == 7 and oct(operations.stat().st_mode & 0o777) == "0o600"
    fresh = dz.run("api", "sync")
    assert fresh.code == 0 and "is current" in fresh.err
    again = dz.run("api", "sync", "--force")
    assert again.code == 0 and "unchanged (304)" in again.err, again
    fetches = [e for e in ref.log() if e["path"] == "/dzdesk/description.yaml"]
    assert fetches[-1]["headers"].get("If-None-Match", "").startswith('"')
    # The credential goes only to the profile's own origin.
    assert all("Authorization" in e["headers"] for e in fetches)


def test_sync_from_a_named_url_or_file(dz, ref, tmp_path):
    other_origin = ref.url("dzdesk", "/v1/openapi.json", host="localhost")
    assert dz.run("profile", "set", "dz", "--openapi", other_origin).code == 0
    assert dz.run("api", "sync").code == 0
    fetched = [e for e in ref.log() if e["path"] == "/dzdesk/v1/openapi.json"]
    assert fetched and "Authorization" not in fetched[-1]["headers"]     # another origin: no credential
    description = tmp_path / "openapi.json"
    description.write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "file", "version": "1"},
                                       "paths": {"/things": {"get": {"responses": {"200": {"description": "ok"}}}}}}))
    # Another description or base URL is synced at once, without --force: the young index was of the old one.
    dz.run("profile", "set", "dz", "--openapi", str(description))
    synced = dz.run("api", "sync")
    assert synced.code == 0 and "synced 1 operation of 'file' (OpenAPI 3.1.0)" in synced.err, synced
    assert "is current" in dz.run("api", "sync").err
    dz.run("profile", "set", "dz", "--base-url", ref.url("dzdesk", "/v2"))
    resynced = dz.run("api", "sync")
    assert resynced.code == 0 and "synced 1 operation of 'file'" in resynced.err, resynced
    dz.run("profile", "set", "dz", "--openapi", "http://api.example.com/openapi.json")
    assert_one_line_error(dz.run("api", "sync", "--force"), 3, "plain http")


def test_a_relative_openapi_path_means_where_it_was_typed(dz, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "openapi.json").write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "here", "version": "1"},
                                                      "paths": {"/things": {"get": {"responses": {"200": {"description": "ok"}}}}}}))
    env = dict(dz.env)
    assert subprocess.run([APICTL, "profile", "set", "dz", "--openapi", "./openapi.json"], env=env, cwd=project).returncode == 0
    assert f"openapi = '{project}/openapi.json'" in dz.config_path.read_text()
    synced = subprocess.run([APICTL, "api", "sync"], env=env, cwd="/", capture_output=True, text=True)
    assert synced.returncode == 0 and "of 'here'" in synced.stderr, synced.stderr


def test_a_web_page_is_not_a_description(dz, ref):
    assert dz.run("profile", "set", "dz", "--openapi", ref.url("_test", "/html")).code == 0
    assert_one_line_error(dz.run("api", "sync"), 3, "answered a web page (HTML), not an OpenAPI description")
    # a catch-all route's page, served as JSON: its first byte says what it is, as the docs say
    ref.fault(api="dzdesk", method="GET", path="/v1/openapi.json", status=200, count=1,
              body="<!doctype html><html><body>docs</body></html>", headers={"Content-Type": "application/json"})
    assert dz.run("profile", "set", "dz", "--openapi", ref.url("dzdesk", "/v1/openapi.json")).code == 0
    assert_one_line_error(dz.run("api", "sync"), 3, "answered a web page (HTML), not an OpenAPI description")


@pytest.mark.parametrize("text,words", [
    ('{"hello": 1}', "no 'openapi' field"),
    ("openapi: 3.0\ninfo: {title: t, version: '1'}\npaths: {}\n", "'openapi' is the number 3.0, not a version"),
    ("openapi: '3.1'\ninfo: {title: t, version: '1'}\npaths: {}\n", "'openapi' is 3.1, which names no release"),
    ("openapi: 3.0.3\ninfo:\n\ttitle: t\npaths: {}\n", "(a tab: YAML indents with spaces)"),
    ('{"swagger": "2.0", "info": {}, "paths": {}}', "Swagger 2.0"),
    ('{"openapi": "4.0.0", "info": {"title": "x", "version": "1"}, "paths": {}}', "OpenAPI 4.0.0; apictl reads 3.0, 3.1 and 3.2"),
    ('{"openapi": "3.0.3",\n "info": {"title": x}}', "not JSON or YAML: line 2, column 20"),
    ("openapi: 3.0.3\ninfo: [unclosed\n", "did not find expected ',' or ']'"),
    ("openapi: 3.0.3\npaths: {}\npaths: {}\n", "a mapping gives 'paths' twice, at line 2"),
    ("openapi: 3.0.3\nx-deep: " + "[" * 5000 + "]" * 5000 + "\n", "nesting level"),
])
def test_a_description_that_is_not_openapi_is_exit_3_with_what_is_wrong(dz, tmp_path, text, words):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    dz.run("profile", "set", "dz", "--openapi", str(bad))
    assert_one_line_error(dz.run("api", "sync"), 3, words)


SLIPS = {
    "openapi": "3.0.3", "info": {"title": "slips", "version": "1"},
    "components": {
        "securitySchemes": {"oauth": {"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "https://x/auth"}}}},
        "schemas": {"Thing": {"type": "object", "properties": {"n": {"type": "integer", "format": "made-up-format"}}}},
    },
    "paths": {
        "/a": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}},
                        "responses": {"200": {"$ref": "#/components/responses/Gone"}}}},
        "/b": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"$ref": "#/components/schemas/Thing"}}],
                       "responses": {"200": {"description": "ok"}}}},
        "/c": {"get": {"responses": {"200": {"description": "ok"}}, "parameters": [{"name": "p", "in": "nowhere"}]}},
    },
}


def test_a_description_that_slips_in_places_is_used_with_one_warning_per_problem(dz, tmp_path):
    description = tmp_path / "slips.json"
    description.write_text(json.dumps(SLIPS))
    dz.run("profile", "set", "dz", "--openapi", str(description))
    synced = dz.run("api", "sync", "--force")
    assert synced.code == 0 and "synced 3 operations of 'slips'" in synced.err, synced
    warnings = [line for line in synced.err.splitlines() if line.startswith("apictl: description: ")]
    assert any(".components.securitySchemes.oauth.flows.implicit" in w and "scopes" in w for w in warnings), warnings
    assert any("#/components/schemas/Missing at .paths['/a'].post.requestBody" in w for w in warnings), warnings
    assert any("#/components/responses/Gone at .paths['/a'].post.responses['200']" in w for w in warnings), warnings
    assert any(".paths['/c'].get.parameters[0]" in w for w in warnings), warnings
    assert len(warnings) == 4, warnings
    listing = [line.split()[:2] for line in dz.run("api", "list").out.splitlines()[1:]]
    assert ["POST", "/a"] in listing and ["GET", "/b"] in listing and ["GET", "/c"] in listing


def test_list_and_show(dz, ref):
    dz.run("api", "sync")
    listing = dz.run("api", "list")
    assert listing.code == 0 and listing.out.splitlines()[0].split() == ["METHOD", "PATH", "SUMMARY"]
    assert any(line.split()[:2] == ["POST", "/requests"] for line in listing.out.splitlines())
    assert [op["path"] for op in json.loads(dz.run("api", "list", "api-keys", "--json").out)] == ["/api-keys", "/api-keys", "/api-keys/{key_id}"]
    none = dz.run("api", "list", "invoices")
    assert none.code == 0 and none.out == "" and "no operation's method, path or summary contains 'invoices'" in none.err
    assert dz.run("api", "list", "invoices", "--json").out.strip() == "[]"
    shown = dz.run("api", "show", "POST", "/requests")
    assert "title (string, required)" in shown.out and 'status (string) one of "open", "pending", "closed"' in shown.out
    assert "security: dzdesk_oauth (requests:write)" in shown.out
    assert "one support request" in dz.run("api", "show", "GET", "/requests/req_9").out.lower()
    assert_one_line_error(dz.run("api", "show", "GET", "/requets"), 2, "no GET /requets", "did you mean /requests?")
    dz.run("profile", "add", "bare", "--base-url", ref.url("dzdesk", "/v1"))
    assert_one_line_error(dz.run("api", "list", "-p", "bare"), 3, "no synced API description", "apictl api sync -p bare")


@pytest.mark.parametrize("args,code,words", [
    (["POST", "/requests", "-f", "titl=x"], 2, "unknown field 'titl' (did you mean 'title'?)"),
    (["POST", "/requests", "-F", "priority=2"], 2, "the field 'title' is required"),
    (["POST", "/requests", "-f", "title=x", "-F", "priority=9"], 2, "9 is not one of 1, 2, 3, 4"),
    (["POST", "/requests", "-f", "title=x", "-f", "priority=2"], 2, "body.priority: expected integer, got string"),
    (["POST", "/requests", "-f", "title=x", "-F", 'requester={"name": null}'], 2, "body.requester: the field 'email' is required"),
    (["POST", "/requests", "-f", "title=x", "-F", 'tags=["a", 2]'], 2, "body.tags[1]: expected string, got integer"),
    (["GET", "/requests", "--query", "stat=open"], 2, "takes no query parameter 'stat'"),
    (["GET", "/requests", "--query", "status=gone"], 2, "query parameter status"),
    (["GET", "/requests?=&status=open"], 2, "takes no query parameter ''"),   # an empty name: once a crash
])
def test_what_the_description_rules_out_is_exit_2_before_sending(dz, ref, args, code, words):
    dz.run("api", "sync")
    before = len(ref.log())
    assert_one_line_error(dz.run("request", *args), code, words, "--no-validate")
    assert not [e for e in ref.log()[before:] if e["path"].startswith("/dzdesk/v1/requests")]
    sent = dz.run("request", *args, "--no-validate")
    assert [e for e in ref.log()[before:] if e["path"].startswith("/dzdesk/v1/requests")], sent


def test_the_check_finds_its_operation_without_the_catalog(dz, ref):
    """The check reads the routes of its own group and one operation line: with the catalog
    gone (what api list and completion read), a request is still checked."""
    assert dz.run("api", "sync").code == 0
    (index_path(dz, "dz") / "catalog.tsv").unlink()
    assert_one_line_error(dz.run("request", "GET", "/requests", "--query", "stat=open"), 2, "takes no query parameter 'stat'")
    assert dz.run("request", "GET", "/requests/req_1").code in (0, 1)   # a {template} path is found too, and nothing is refused
    routes = sorted(path.name for path in (index_path(dz, "dz") / "routes").iterdir())
    assert "GET.1.requests" in routes and "GET.2.requests" in routes, routes


def test_an_unknown_path_or_method_only_warns(dz, ref):
    dz.run("api", "sync")
    typo = dz.run("request", "GET", "/requets")
    assert typo.code == 1 and "has no path /requets; did you mean /requests?" in typo.err
    wrong = dz.run("request", "DELETE", "/requests")
    assert "has no DELETE /requests; it has GET, POST there" in wrong.err
    good = dz.run("request", "POST", "/requests", "-f", "title=fine", "-F", "priority=2", "requester:={\"email\": \"a@b\"}")
    assert good.code == 0 and good.err == "", good


def generated_bodies(seed=7, count=80):
    """Bodies near the NewRequest schema: each field present or not, right or wrong in type and enum."""
    rng = random.Random(seed)
    choices = {
        "title": ["Broken", 3, None, ""],
        "priority": [1, 4, 5, "2", 2.5, True],
        "status": ["open", "closed", "gone", 1],
        "tags": [[], ["a"], ["a", 1], "a"],
        "requester": [{"email": "a@b"}, {"name": "x"}, {"email": "a@b", "name": None}, {"email": 1}, "me"],
        "extra": ["x"],
    }
    for _ in range(count):
        yield {name: rng.choice(values) for name, values in choices.items() if rng.random() < (0.85 if name == "title" else 0.4)}


def test_verdicts_match_python_jsonschema_for_the_keywords_checked(dz, ref):
    """docs/openapi.md lists the keywords checked; for a schema using them all, apictl and
    Python's jsonschema must agree on every generated body."""
    dz.run("api", "sync")
    schema = json.loads(subprocess.run(["curl", "-s", ref.url("dzdesk", "/v1/openapi.json")], capture_output=True).stdout)
    schema = schema["components"]["schemas"]["NewRequest"]
    schema["properties"]["requester"]["properties"]["name"] = {"type": ["string", "null"]}   # 3.0's nullable, as JSON Schema says it
    checked = 0
    for body in generated_bodies():
        expected_ok = jsonschema.Draft7Validator(schema).is_valid(body)
        result = dz.run("request", "POST", "/requests", "-d", json.dumps(body), "--dry-run")
        assert (result.code == 0) == expected_ok, (body, result)
        checked += 1
    assert checked == 80


@pytest.fixture
def authentik(apictl, tmp_path):
    description = tmp_path / "authentik.yaml"
    with gzip.open(AUTHENTIK) as packed:
        description.write_bytes(packed.read())
    apictl.run("profile", "add", "ak", "--base-url", "https://authentik.example.com/api/v3", "--openapi", str(description))
    synced = apictl.run("api", "sync", "-p", "ak", timeout=120)
    assert synced.code == 0 and "synced 1113 operations" in synced.err and "OpenAPI 3.0.3" in synced.err, synced
    return apictl


def test_a_large_real_world_description(authentik):
    assert len(json.loads(authentik.run("api", "list", "-p", "ak", "--json").out)) == 1113
    shown = authentik.run("api", "show", "-p", "ak", "POST", "/core/users/")
    assert shown.code == 0 and "username (string, required)" in shown.out, shown
    paths = authentik.run("__complete", "-p", "ak", "request", "GET", "/core/us").out
    assert "/core/users/\t" in paths or "/core/users/" in paths
    assert "/core/user_consent/" in paths
    fields = authentik.run("__complete", "-p", "ak", "request", "POST", "/core/users/", "").out.splitlines()
    assert fields[0].startswith("name=") or fields[0].startswith("username="), fields[:3]


def test_checks_against_authentik(authentik):
    refused = authentik.run("request", "-p", "ak", "POST", "/core/users/", "-f", "name=x", "--dry-run")
    assert_one_line_error(refused, 2, "POST /core/users/: body: the field 'username' is required")
    sent = authentik.run("request", "-p", "ak", "POST", "/core/users/", "-f", "name=x", "-f", "username=x", "--dry-run")
    assert sent.code == 0, sent


@pytest.mark.parametrize("api,base", [("dzdesk", "/v1"), ("techdocs", "/v1"), ("datadocks", "/api/v1"),
                                      ("pocketdns", "/api/v1"), ("datasets", "/api/v1")])
def test_every_seed_api_publishes_a_description_that_syncs(apictl, ref, api, base):
    apictl.run("profile", "add", api, "--base-url", ref.url(api, base))
    synced = apictl.run("api", "sync", "-p", api)
    assert synced.code == 0 and "description.yaml" in synced.err, synced
    listed = json.loads(apictl.run("api", "list", "-p", api, "--json").out)
    assert listed and all(op["path"].startswith("/") and not op["path"].startswith(base + "/") for op in listed), listed
    # openapi.json beside the base URL serves the same, for clients that look there
    assert json.loads(subprocess.run(["curl", "-s", ref.url(api, base + "/openapi.json")], capture_output=True).stdout)["openapi"] == "3.0.3"


def test_a_generated_github_sized_description(apictl, tmp_path):
    description = tmp_path / "github-sized.json"
    subprocess.run(["python3", str(ROOT / "Tests/Scripts/github_sized_openapi.py"), str(description)], check=True)
    apictl.run("profile", "add", "gh", "--base-url", "https://api.example.com", "--openapi", str(description))
    synced = apictl.run("api", "sync", "-p", "gh", timeout=300)
    assert synced.code == 0 and "synced 2000 operations" in synced.err and "OpenAPI 3.1.0" in synced.err, synced
    areas = apictl.run("__complete", "-p", "gh", "request", "GET", "/").out.splitlines()
    assert len(areas) == 40 and areas[0].startswith("/actions/"), areas[:3]
    item = apictl.run("__complete", "-p", "gh", "request", "GET", "/repos/{owner}/repos_3/").out
    assert "/repos/{owner}/repos_3/{repos_3_id}" in item
    assert_one_line_error(apictl.run("request", "-p", "gh", "PATCH", "/repos/octo/repos_3/7", "-F", "nope=1", "--dry-run"),
                          2, "PATCH /repos/{owner}/repos_3/{repos_3_id}: body: the field", "is required")


@pytest.mark.xdist_group("kernel-keyring")   # profile remove forgets dz's kernel keys, which that group's tests keep
def test_removing_the_profile_forgets_its_description(dz, ref):
    dz.run("api", "sync")
    assert index_path(dz, "dz").exists()
    assert dz.run("profile", "remove", "dz").code == 0
    assert not index_path(dz, "dz").exists() and not (index_path(dz, "dz").parent / ".records/dz.json").exists()


def test_an_index_an_older_apictl_wrote_is_synced_again(dz, ref):
    folder = index_path(dz, "dz")
    (folder / "operations").mkdir(parents=True)
    (folder / "catalog.tsv").write_text("DZDesk\t3.0.3\nGET\t/requests\tList requests")
    (folder / "operations" / "0.json").write_text('{"method": "GET", "path": "/requests"}')
    assert_one_line_error(dz.run("api", "list"), 3, "no synced API description", "apictl api sync")
    assert dz.run("api", "sync").code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["catalog.tsv", "operations.jsonl", "routes"]
    assert any(op["path"] == "/requests" for op in json.loads(dz.run("api", "list", "--json").out))


def test_two_syncs_of_one_description_write_the_same_index(apictl, tmp_path):
    description = tmp_path / "authentik.yaml"
    description.write_bytes(gzip.decompress(AUTHENTIK.read_bytes()))
    apictl.run("profile", "add", "ak", "--base-url", "https://authentik.example.com/api/v3", "--openapi", str(description))
    written = []
    for _ in range(2):
        assert apictl.run("api", "sync", "-p", "ak", "--force", timeout=120).code == 0
        folder = index_path(apictl, "ak")
        written.append({str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()})
    assert written[0] == written[1]


def test_yaml_scalars_become_the_json_values_yaml_1_2_gives(tmp_path):
    description = tmp_path / "quirks.yaml"
    description.write_text(r"""openapi: 3.0.3
info: {title: "Tab\there \"quoted\" \\ back\u0001", version: '1'}
paths:
  /a:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                s: {type: string, nullable: true, enum: ["a\"b", 'c\d', "line\nbreak", "é☃", '010', "1e3", "true", ~, null]}
                n: {type: number, enum: [010, 1e3, -7, 2.5, 99999999999999999999]}
                b: {type: boolean, enum: [true, False, 2024-01-01]}
      responses: {'200': {description: ok}}
""")
    helper = Path(APICTL).parent / "apictl-openapi"
    written = subprocess.run([str(helper), str(description)], capture_output=True, text=True)
    assert written.returncode == 0, written.stderr
    header, operation = [json.loads(line) for line in written.stdout.splitlines()]
    assert header["title"] == 'Tab\there "quoted" \\ back\x01'
    fields = operation["body"]["properties"]
    assert fields["s"]["enum"] == ['a"b', "c\\d", "line\nbreak", "é☃", "010", "1e3", "true", None, None]
    assert fields["n"]["enum"] == [10, 1000, -7, 2.5, 1e20]
    assert fields["b"]["enum"] == [True, False, "2024-01-01"]


def test_the_parser_writes_a_descriptions_control_characters_escaped_on_one_line(tmp_path):
    description = tmp_path / "keys.yaml"
    description.write_text('openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths: {}\n' + r'"a\e[2J\nX": 1' + "\n" + r'"a\e[2J\nX": 2' + "\n")
    helper = Path(APICTL).parent / "apictl-openapi"
    written = subprocess.run([str(helper), str(description)], capture_output=True, text=True)
    assert written.returncode == 3 and written.stderr.count("\n") == 1, written.stderr
    assert "\x1b" not in written.stderr and "a mapping gives 'a\\u{1B}[2J\\u{A}X' twice" in written.stderr, written.stderr


def hostile_description(tmp_path):
    """A tree of nodes (a schema that contains itself, as real APIs have), and words with
    terminal escape sequences where a description puts text."""
    node = {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "description": "Its \x1b[2Jname\rshown"},
        "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        "parent": {"$ref": "#/components/schemas/Node"}}}
    description = tmp_path / "nodes.json"
    description.write_text(json.dumps({
        "openapi": "3.1.0", "info": {"title": "nodes", "version": "1"},
        "paths": {"/nodes": {"post": {
            "summary": "Make a \x1b[31mred\x1b[0m node",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}},
            "responses": {"201": {"description": "made", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}}}}}},
        "components": {"schemas": {"Node": node}}}))
    return description


def test_a_recursive_schema_syncs_and_checks_its_top_level(apictl, tmp_path):
    apictl.run("profile", "add", "n", "--base-url", "https://nodes.example.com", "--openapi", str(hostile_description(tmp_path)))
    synced = apictl.run("api", "sync", "-p", "n")
    assert synced.code == 0 and "synced 1 operation" in synced.err, synced
    assert_one_line_error(apictl.run("request", "-p", "n", "POST", "/nodes", "-F", "children:=[]", "--dry-run"),
                          2, "the field 'name' is required")
    assert apictl.run("request", "-p", "n", "POST", "/nodes", "-f", "name=root", "-F", 'children:=[{"name": "leaf"}]',
                      "--dry-run").code == 0


def test_escape_sequences_in_a_description_are_shown_not_obeyed(apictl, tmp_path):
    apictl.run("profile", "add", "n", "--base-url", "https://nodes.example.com", "--openapi", str(hostile_description(tmp_path)))
    assert apictl.run("api", "sync", "-p", "n").code == 0
    for args in (["api", "list", "-p", "n"], ["api", "show", "-p", "n", "POST", "/nodes"],
                 ["__complete", "-p", "n", "request", "POST", "/nodes", ""]):
        shown = apictl.run(*args)
        assert shown.code == 0 and "\x1b" not in shown.out and "\r" not in shown.out, (args, shown.out)
    assert "Make a \\u{1B}[31mred" in apictl.run("api", "list", "-p", "n").out
    assert json.loads(apictl.run("api", "list", "-p", "n", "--json").out)[0]["summary"] == "Make a \x1b[31mred\x1b[0m node"


def test_a_reference_to_another_file_is_left_unchecked_not_fatal(apictl, tmp_path):
    description = tmp_path / "split.yaml"
    description.write_text("""openapi: 3.0.3
info: {title: split, version: '1'}
paths:
  /users:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string}
                address: {$ref: './schemas/address.yaml'}
      responses:
        '201': {description: made, content: {application/json: {schema: {$ref: 'https://example.com/user.json'}}}}
""")
    apictl.run("profile", "add", "s", "--base-url", "https://users.example.com", "--openapi", str(description))
    assert apictl.run("api", "sync", "-p", "s").code == 0
    assert_one_line_error(apictl.run("request", "-p", "s", "POST", "/users", "-F", "address:=1", "--dry-run"),
                          2, "the field 'name' is required")
    assert apictl.run("request", "-p", "s", "POST", "/users", "-f", "name=x", "-F", "address:=1", "--dry-run").code == 0


def test_show_compares_the_scopes_an_operation_needs_with_the_credentials(dz, ref):
    assert dz.run("api", "sync").code == 0
    # a JWT in the environment: its scope claim (read, never verified: nothing is sent)
    def jwt(scope):
        part = lambda value: base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
        return part({"alg": "HS256", "typ": "JWT"}) + "." + part({"sub": "u1", "scope": scope}) + ".c2lnbmF0dXJl"
    dz.env["DZDESK_TOKEN"] = jwt("requests:read requests:write")
    assert "your token has these scopes" in dz.run("api", "show", "POST", "/requests").out
    dz.env["DZDESK_TOKEN"] = jwt("requests:read")
    assert "your token lacks `requests:write`" in dz.run("api", "show", "POST", "/requests").out
    # a stored key, read without a prompt: the encrypted file's passphrase is in the environment
    del dz.env["DZDESK_TOKEN"]
    reader = ref.key("dzdesk", scopes=["requests:read"])
    dz.env.update(APICTL_CREDENTIAL_STORE="file", APICTL_PASSPHRASE="correct horse battery staple")
    assert dz.run("login", "--with-token", input=reader + "\n").code == 0
    shown = dz.run("api", "show", "POST", "/requests")
    assert "your token lacks `requests:write`" in shown.out and reader not in shown.out + shown.err
    # without the passphrase at hand, show asks for nothing and says nothing of scopes
    del dz.env["APICTL_PASSPHRASE"]
    quiet = dz.run("api", "show", "POST", "/requests")
    assert quiet.code == 0 and "your token" not in quiet.out


def test_yaml_aliases_are_followed_but_a_billion_laughs_is_refused(apictl, tmp_path):
    shared = tmp_path / "shared.yaml"
    shared.write_text("""openapi: 3.0.3
info: {title: shared, version: '1'}
paths:
  /a:
    get:
      parameters: &paging
        - {name: page, in: query, schema: {type: integer}}
      responses: {'200': {description: ok}}
  /b:
    get:
      parameters: *paging
      responses: {'200': {description: ok}}
""")
    apictl.run("profile", "add", "y", "--base-url", "https://y.example.com", "--openapi", str(shared))
    assert apictl.run("api", "sync", "-p", "y").code == 0
    assert "page (query, integer)" in apictl.run("api", "show", "-p", "y", "GET", "/b").out
    laughs = ["openapi: 3.0.3", "info: {title: lol, version: '1'}", "paths: {}", "x-a: &a [" + ",".join(["lol"] * 10) + "]"]
    for previous, name in zip("abcdefgh", "bcdefghi"):
        laughs.append(f"x-{name}: &{name} [" + ",".join([f"*{previous}"] * 10) + "]")
    shared.write_text("\n".join(laughs) + "\n")
    started = time.monotonic()
    assert_one_line_error(apictl.run("api", "sync", "-p", "y", "--force", timeout=60), 3, "aliases repeating aliases")
    assert time.monotonic() - started < 30


def test_an_openapi_3_2_description_syncs(apictl, tmp_path):
    description = tmp_path / "v32.json"
    description.write_text(json.dumps({"openapi": "3.2.0", "info": {"title": "three-two", "version": "1"},
                                       "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}))
    apictl.run("profile", "add", "v", "--base-url", "https://v.example.com", "--openapi", str(description))
    synced = apictl.run("api", "sync", "-p", "v")
    assert synced.code == 0 and "(OpenAPI 3.2.0)" in synced.err, synced


def test_a_path_template_copied_from_the_description_asks_for_its_value(dz, ref):
    dz.run("api", "sync")
    assert_one_line_error(dz.run("request", "GET", "/requests/{item_id}"), 2,
                          "still has {item_id} in it: put the item_id there", "--var item_id=VALUE")
    assert not [e for e in ref.log() if "{" in e["path"] or "%7B" in e["path"]], "nothing was sent"
    assert dz.run("profile", "set", "dz", "--var", "item_id=req_9").code == 0
    assert "/v1/requests/req_9" in dz.run("request", "GET", "/requests/{item_id}", "--dry-run").out


def test_a_description_location_from_a_link_header_cannot_repaint_the_terminal(dz, ref):
    """The Link header names where the description is; that name is shown escaped."""
    link = '</dzdesk/description.yaml?v=\u009b2J\u009bHSPOOFED>; rel="service-desc"'
    for _ in range(2):
        ref.fault(api="dzdesk", method="GET", path="/v1", status=200, count=1, body="{}",
                  headers={"Link": link, "Content-Type": "application/json"})
    for args in (["api", "sync"], ["api", "sync", "--force"]):
        result = dz.run(*args)
        assert result.code == 0, result
        assert "\u009b" not in result.err and "\\u{9B}2J" in result.err, result


def test_a_refused_sync_does_not_say_no_credential_was_sent_when_one_was(apictl, ref):
    token = ref.key("dzdesk", scopes=["requests:read"])
    assert apictl.run("profile", "add", "d", "--preset", "dzdesk", "--base-url", ref.url("dzdesk", "/v1"),
                      "--openapi", ref.url("dzdesk", "/v1/openapi.json")).code == 0
    ref.fault(api="dzdesk", method="GET", path="/v1/openapi.json", status=401, count=1,
              body='{"detail": "Invalid token."}', headers={"Content-Type": "application/json"})
    result = apictl.run("api", "sync", "-p", "d", env={"DZDESK_TOKEN": token})
    assert result.code == 4 and "Invalid token." in result.err, result
    assert "no credential was sent" not in result.err, result


OVERLAPPING = {
    "openapi": "3.1.0", "info": {"title": "overlap", "version": "1"},
    "paths": {
        # Listed template-first, so a lookup that takes the first match it meets differs from one that ranks.
        "/{x}/abc": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                              "responses": {"200": {"description": "ok"}}}},
        "/notes/{id}": {"post": {"requestBody": {"content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False,
            "properties": {"mode": {"type": "string", "enum": ["@/etc/hostname", "plain"]}}}}}},
            "responses": {"200": {"description": "ok"}}}},
    },
}


def test_two_paths_that_match_give_one_verdict_and_tab_offers_no_file(dz, tmp_path):
    """/notes/abc matches /notes/{id} and /{x}/abc: the check used to pick one at random per
    process, and Tab offered '-F mode=@/etc/hostname', which sends the file."""
    description = tmp_path / "overlap.json"
    description.write_text(json.dumps(OVERLAPPING))
    assert dz.run("profile", "set", "dz", "--openapi", str(description)).code == 0
    assert dz.run("api", "sync", "-p", "dz").code == 0
    verdicts = {dz.run("request", "POST", "/notes/abc", "-F", "other=1", "--dry-run").code for _ in range(8)}
    assert verdicts == {2}, verdicts        # /notes/{id}, the more specific, closes its body
    offered = dz.run("__complete", "request", "POST", "/notes/abc", "-F", "mode=").out.splitlines()
    assert [line.split("\t")[0] for line in offered] == ["mode=plain"], offered
    items = dz.run("__complete", "request", "POST", "/notes/abc", "mode:=").out.splitlines()
    assert not any("@" in line for line in items), items


def test_a_fifo_in_the_index_is_not_waited_on(dz, ref):
    assert dz.run("api", "sync", "-p", "dz").code == 0
    for name in ("catalog.tsv", "operations.jsonl"):
        path = index_path(dz, "dz") / name
        kept = path.read_bytes()
        path.unlink()
        os.mkfifo(path)
        try:
            for args in (["__complete", "request", "GET", "/re"], ["request", "GET", "/requests", "--dry-run"], ["api", "list"]):
                result = dz.run(*args, timeout=10)
                assert "Traceback" not in result.err, (name, args, result)
        finally:
            path.unlink()
            path.write_bytes(kept)


def test_a_ref_used_at_every_level_is_indexed_within_a_budget(dz, tmp_path):
    """Ten properties per level, each a $ref to the next schema, nine levels: a 4 KB file that
    expanded to gigabytes while the parse ran for minutes."""
    schemas = {f"S{i}": {"type": "object", "properties": {f"p{j}": {"$ref": f"#/components/schemas/S{i + 1}"} if i < 8
                                                          else {"type": "string"} for j in range(10)}} for i in range(9)}
    description = tmp_path / "wide.json"
    description.write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "wide", "version": "1"}, "components": {"schemas": schemas},
                                       "paths": {"/a": {"post": {"requestBody": {"content": {"application/json": {
                                           "schema": {"$ref": "#/components/schemas/S0"}}}}, "responses": {"200": {"description": "ok"}}}}}}))
    assert dz.run("profile", "set", "dz", "--openapi", str(description)).code == 0
    started = time.monotonic()
    synced = dz.run("api", "sync", "-p", "dz", timeout=60)
    assert synced.code == 0 and "expands past what apictl indexes" in synced.err, synced
    assert time.monotonic() - started < 10
    assert (index_path(dz, "dz") / "operations.jsonl").stat().st_size < 4 << 20


def test_the_parser_writes_only_for_the_user_and_ends_with_its_parent(dz, tmp_path):
    helper = Path(APICTL).parent / "apictl-openapi"
    description = tmp_path / "d.json"
    description.write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "d", "version": "1"}, "paths": {}}))
    written = subprocess.run(["sh", "-c", f"umask 022; exec '{helper}' '{description}' '{tmp_path / 'out'}'"], capture_output=True)
    assert written.returncode == 0 and (tmp_path / "out").stat().st_mode & 0o777 == 0o600, written
    # A parse whose apictl is killed: it reads a pipe that never ends, and must not outlive apictl.
    fifo = tmp_path / "never"
    os.mkfifo(fifo)
    parent = subprocess.Popen(["sh", "-c", f"'{helper}' '{fifo}' '{tmp_path / 'out2'}' & echo $!; exec sleep 60"],
                              stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and os.path.exists(f"/proc/{child}") and "Z" not in open(f"/proc/{child}/stat").read().split()[2]:
        time.sleep(0.1)
    gone = not os.path.exists(f"/proc/{child}") or "Z" in open(f"/proc/{child}/stat").read().split()[2]
    if not gone:
        os.kill(child, 9)
    assert gone, "the parser outlived the apictl that ran it"


def test_a_description_that_trickles_in_is_given_up_at_the_timeout(dz, ref):
    """64 KiB a second never trips the stall timeout: the fetch has an end of its own."""
    assert dz.run("profile", "set", "dz", "--openapi", ref.url("_test", "/slow-bytes/6553600?delay=1")).code == 0
    started = time.monotonic()
    result = dz.run("api", "sync", "-p", "dz", "--timeout", "2", timeout=60)
    assert result.code == 8 and time.monotonic() - started < 10, result
    assert not index_path(dz, "dz").exists()


def test_what_tab_offers_is_read_back_as_what_it_offers(dz, tmp_path):
    """A field named 'Authorization:Bearer x' was offered as an item, which request reads as a
    header replacing the user's key; a {var} in the typed path chose another operation than the check."""
    hostile = {"type": "object", "properties": {"Authorization:Bearer attacker": {"type": "string"}, "a=b": {"type": "string"},
                                                "title": {"type": "string"}}}
    closed = {"type": "object", "additionalProperties": False, "properties": {"f0": {"type": "string"}}}
    other = {"type": "object", "additionalProperties": False, "properties": {"f1": {"type": "string"}}}
    def post(schema):
        return {"post": {"requestBody": {"content": {"application/json": {"schema": schema}}}, "responses": {"200": {"description": "ok"}}}}
    description = tmp_path / "names.json"
    description.write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "names", "version": "1"}, "paths": {
        "/things": {**post(hostile), "get": {"parameters": [{"name": "Host:evil.example", "in": "query", "schema": {"type": "string"}}],
                                             "responses": {"200": {"description": "ok"}}}},
        "/companies/acme/x": post(closed), "/companies/{company}/x": post(other)}}))
    assert dz.run("profile", "set", "dz", "--openapi", str(description), "--var", "company=acme").code == 0
    assert dz.run("api", "sync", "-p", "dz").code == 0
    items = [line.split("\t")[0] for line in dz.run("__complete", "request", "POST", "/things", "").out.splitlines()]
    assert items == ["title="], items
    query = [line.split("\t")[0] for line in dz.run("__complete", "request", "GET", "/things", "").out.splitlines()]
    assert not any(":" in word for word in query), query
    fields = [line.split("\t")[0] for line in dz.run("__complete", "request", "POST", "/companies/{company}/x", "").out.splitlines()]
    assert fields == ["f0="], fields          # the operation the check takes: /companies/acme/x
    assert dz.run("request", "POST", "/companies/{company}/x", "f0=x", "--dry-run").code == 0


def test_a_description_file_that_is_not_a_regular_file_is_refused_at_once(dz, tmp_path):
    fifo = tmp_path / "never.json"
    os.mkfifo(fifo)
    for given in (str(fifo), "/dev/zero"):
        assert dz.run("profile", "set", "dz", "--openapi", given).code == 0
        assert_one_line_error(dz.run("api", "sync", "-p", "dz", timeout=20), 3, "neither a URL nor a regular file")


def long_paths_description(tmp_path):
    """A path whose first segment is longer than a file name may be, and one of 50 é's
    (each escaped to %c3%a9 in its route file's name), each with a required field."""
    body = {"content": {"application/json": {"schema": {"type": "object", "required": ["title"],
                                                         "properties": {"title": {"type": "string"}}}}}}
    description = tmp_path / "long.json"
    description.write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "long", "version": "1"}, "paths": {
        "/" + "a" * 250: {"post": {"requestBody": body, "responses": {"201": {"description": "ok"}}}},
        "/" + "é" * 50: {"post": {"requestBody": body, "responses": {"201": {"description": "ok"}}}}}}))
    return description


def test_a_path_longer_than_a_file_name_syncs_and_is_checked(apictl, tmp_path):
    apictl.run("profile", "add", "l", "--base-url", "https://l.example.com", "--openapi", str(long_paths_description(tmp_path)))
    synced = apictl.run("api", "sync", "-p", "l")
    assert synced.code == 0 and "synced 2 operations" in synced.err, synced
    for path in ("/" + "a" * 250, "/" + "é" * 50):
        assert_one_line_error(apictl.run("request", "-p", "l", "POST", path, "-f", "titl=x", "--dry-run"), 2,
                              "the field 'title' is required")


def test_syncs_at_once_and_a_killed_syncs_leftovers_keep_one_whole_index(apictl, tmp_path):
    """Two syncs of one profile at once both succeed; a staging folder a killed sync left
    (links and all) is removed by the next; the index is whole after each."""
    apictl.run("profile", "add", "l", "--base-url", "https://l.example.com", "--openapi", str(long_paths_description(tmp_path)))
    assert apictl.run("api", "sync", "-p", "l").code == 0
    folder = index_path(apictl, "l").parent
    stale = folder / ".staging-999999"          # no such process
    stale.mkdir()
    (stale / "routes").mkdir()
    (stale / "routes" / "junk").write_text("x")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep").write_text("mine")
    (stale / "link").symlink_to(victim)
    os.utime(stale, (time.time() - 3600, time.time() - 3600))   # abandoned an hour ago
    fresh = folder / ".staging-999998-1"      # no such process here, but recent: another PID namespace's, maybe
    fresh.mkdir()
    env = dict(apictl.env)
    runs = [subprocess.Popen([APICTL, "api", "sync", "-p", "l", "--force"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = [(run.wait(timeout=60), run.stderr.read()) for run in runs]
    assert all(code == 0 for code, _ in outcomes), outcomes
    assert sorted(p.name for p in folder.iterdir()) == [".records", ".staging-999998-1", "l"], list(folder.iterdir())
    assert (victim / "keep").read_text() == "mine", "a link in a stale folder is removed, not followed"
    assert "POST" in apictl.run("api", "list", "-p", "l").out


def test_a_check_never_uses_the_index_of_the_profiles_earlier_settings(apictl, tmp_path):
    description = long_paths_description(tmp_path)
    apictl.run("profile", "add", "c", "--base-url", "https://c.example.com/v1", "--openapi", str(description))
    assert apictl.run("api", "sync", "-p", "c").code == 0
    path = "/" + "a" * 250
    assert apictl.run("request", "-p", "c", "POST", path, "-f", "titl=x", "--dry-run").code == 2
    # another base path: the index's paths were relative to /v1, so it checks nothing until synced again
    assert apictl.run("profile", "set", "c", "--base-url", "https://c.example.com/v2").code == 0
    unchecked = apictl.run("request", "-p", "c", "POST", path, "-f", "titl=x", "--dry-run")
    assert unchecked.code == 0 and "another openapi setting or base path" in unchecked.err and "api sync -p c" in unchecked.err, unchecked
    assert_one_line_error(apictl.run("api", "list", "-p", "c"), 3, "another openapi setting or base path", "api sync -p c")
    # the same path written with a trailing slash is the same base path
    assert apictl.run("profile", "set", "c", "--base-url", "https://c.example.com/v1/").code == 0
    assert apictl.run("request", "-p", "c", "POST", path, "-f", "titl=x", "--dry-run").code == 2
    # another host with the same path (an environment of the same API) keeps the index
    assert apictl.run("profile", "set", "c", "--base-url", "https://sandbox.c.example.com/v1").code == 0
    assert apictl.run("request", "-p", "c", "POST", path, "-f", "titl=x", "--dry-run").code == 2


def test_a_profile_named_like_a_sync_record_has_an_index_of_its_own(apictl, tmp_path):
    description = long_paths_description(tmp_path)
    for name in ("a", "a.meta.json", "a.json"):
        apictl.run("profile", "add", name, "--base-url", "https://a.example.com", "--openapi", str(description))
        assert apictl.run("api", "sync", "-p", name).code == 0
    for name in ("a", "a.meta.json", "a.json"):
        synced = apictl.run("api", "sync", "-p", name, "--force")
        assert synced.code == 0 and "synced 2 operations" in synced.err, (name, synced)
        assert "POST" in apictl.run("api", "list", "-p", name).out


def test_a_profile_added_again_starts_without_the_old_ones_description(apictl, tmp_path):
    apictl.run("profile", "add", "w", "--base-url", "https://w.example.com/api", "--openapi", str(long_paths_description(tmp_path)))
    assert apictl.run("api", "sync", "-p", "w").code == 0
    assert apictl.run("profile", "add", "w", "--force", "--base-url", "https://w.example.com/api").code == 0
    assert apictl.run("request", "-p", "w", "POST", "/" + "a" * 250, "-f", "titl=x", "--dry-run").code == 0, "nothing to check against"
    assert_one_line_error(apictl.run("api", "list", "-p", "w"), 3, "has no synced API description")
