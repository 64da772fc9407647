"""Tab completion in real bash and zsh, driven under tmux; and the committed
scripts and man page must match what the binary generates."""
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from conftest import APICTL, ROOT


def test_committed_scripts_match_the_binary(apictl):
    for shell, path in (("bash", "completions/apictl.bash"), ("zsh", "completions/_apictl"),
                        ("fish", "completions/apictl.fish")):
        generated = apictl.run("completion", shell)
        assert generated.code == 0
        assert (ROOT / path).read_text() == generated.out, f"{path} is stale: run 'make generated'"
    assert (ROOT / "docs/apictl.1").read_text() == apictl.run("__man").out, "docs/apictl.1 is stale: run 'make generated'"


def test_complete_protocol(apictl):
    apictl.run("profile", "add", "dz", "--preset", "dzdesk")
    assert "request\tMake an authenticated request" in apictl.run("__complete", "").out
    assert apictl.run("__complete", "request", "GET", "/x", "-o", "").out == ":files\n"
    assert apictl.run("__complete", "request", "GET", "/x", "-d", "@").out == ":files\n"
    assert apictl.run("__complete", "--profile=d").out.startswith("--profile=dz\t")
    assert apictl.run("__complete", "profile", "add", "x", "--auth", "he").out.startswith("header:")
    assert apictl.run("__complete", "--nonsense", "zz").code == 0


class Terminal:
    """A shell in a tmux pane: type keys, read the screen."""

    def __init__(self, shell_cmd, env, home):
        self.session = "apictl-" + uuid.uuid4().hex[:8]
        self.command = shell_cmd
        self.env = env
        subprocess.run(["tmux", "new-session", "-d", "-s", self.session, "-x", "200", "-y", "50", shell_cmd],
                       env=env, check=True, cwd=home)

    def send(self, *keys):
        subprocess.run(["tmux", "send-keys", "-t", self.session, *keys], check=True, env=self.env)

    def screen(self):
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.session], capture_output=True, text=True,
                              env=self.env).stdout

    def wait_for(self, *texts, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            screen = self.screen()
            if all(t in screen for t in texts):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"never saw {texts} on screen:\n{self.screen()}")

    def clear(self):
        self.send("C-c")
        self.send("clear", "Enter")
        time.sleep(0.2)

    def close(self):
        subprocess.run(["tmux", "kill-session", "-t", self.session], env=self.env)


@pytest.fixture
def shells_env(apictl, tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    os.symlink(APICTL, bindir / "apictl")
    env = dict(apictl.env, PATH=f"{bindir}:{apictl.env['PATH']}", TERM="xterm", TMUX_TMPDIR=str(tmp_path),
               PS1="$ ", PROMPT="$ ")
    apictl.run("profile", "add", "dzdesk", "--preset", "dzdesk")
    apictl.run("profile", "add", "pocket", "--preset", "pocketdns")
    apictl.run("profile", "add", "staging-api", "--base-url", "https://staging.example.com")
    (tmp_path / "upload-body.json").write_text("{}")
    return env


@pytest.fixture(params=["bash", "zsh"])
def terminal(request, shells_env, tmp_path):
    if request.param == "bash":
        rc = tmp_path / "bashrc"
        rc.write_text(f"PS1='$ '\nbind 'set show-all-if-ambiguous on'\nbind 'set completion-query-items 0'\n"
                      f"bind 'set page-completions off'\nsource {ROOT}/completions/apictl.bash\n")
        command = f"bash --noprofile --rcfile {rc} -i"
    else:
        (tmp_path / "zdot").mkdir()
        (tmp_path / "zdot/.zshrc").write_text(f"PROMPT='$ '\nfpath=({ROOT}/completions $fpath)\nautoload -U compinit\n"
                                              f"compinit -u -d {tmp_path}/zcompdump\nzstyle ':completion:*' list-prompt ''\n"
                                              "unsetopt beep\n")
        shells_env = dict(shells_env, ZDOTDIR=str(tmp_path / "zdot"))
        command = "zsh -i"
    term = Terminal(command, shells_env, tmp_path)
    term.wait_for("$")
    yield term
    term.close()


def tab(term, typed, *expected):
    term.clear()
    term.send(typed)
    term.send("Tab")
    if len(expected) > 1 or typed.endswith(" "):
        term.send("Tab")
    return term.wait_for(*expected)


def test_command_list(terminal):
    tab(terminal, "apictl ", "login", "logout", "whoami", "request", "batch", "token", "profile", "doctor", "completion")


def test_subcommands(terminal):
    tab(terminal, "apictl profile ", "add", "list", "show", "remove", "use")


def test_token_subcommands(terminal):
    tab(terminal, "apictl token ", "create", "list", "rotate", "revoke", "refresh", "print")


def test_login_oauth_options(terminal):
    tab(terminal, "apictl login --no-", "--no-browser", "--no-verify", "--no-wait")


def test_single_match_completes_inline(terminal):
    screen = tab(terminal, "apictl tok", "$ apictl token")
    assert "apictl tok\n" not in screen


def test_request_options(terminal):
    tab(terminal, "apictl request -", "--header", "--typed-field", "--output", "--timeout", "--profile")


def test_profile_names_from_config(terminal):
    tab(terminal, "apictl -p ", "dzdesk", "pocket", "staging-api")


def test_environment_names_of_that_profile(terminal):
    tab(terminal, "apictl -p pocket --env ", "sandbox", "production")


def test_choices_and_files(terminal):
    tab(terminal, "apictl request ", "GET", "POST", "DELETE")
    tab(terminal, "apictl request POST /x -o upload-b", "upload-body.json")
    tab(terminal, "apictl request POST /x -d @upload-b", "@upload-body.json")


def test_make_install_and_uninstall(tmp_path):
    destdir = tmp_path / "stage"
    args = ["make", "-s", "-C", str(ROOT), f"DESTDIR={destdir}", "PREFIX=/usr/local", f"INSTALL_BIN={APICTL}"]
    subprocess.run(args + ["install"], check=True, capture_output=True)
    prefix = destdir / "usr/local"
    installed = {
        "bin/apictl": 0o755,
        "lib/apictl/apictl-openapi": 0o755,
        "share/bash-completion/completions/apictl": 0o644,
        "share/zsh/site-functions/_apictl": 0o644,
        "share/fish/vendor_completions.d/apictl.fish": 0o644,
        "share/man/man1/apictl.1": 0o644,
    }
    for path, mode in installed.items():
        assert (prefix / path).exists(), path
        assert (prefix / path).stat().st_mode & 0o777 == mode, path
    version = subprocess.run([prefix / "bin/apictl", "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("apictl ")
    man = subprocess.run(["man", "-l", str(prefix / "share/man/man1/apictl.1")], capture_output=True, text=True,
                         env=dict(os.environ, MANWIDTH="100", MAN_KEEP_FORMATTING="0"))
    text = __import__("re").sub(".\x08", "", man.stdout)   # drop overstrike bold
    assert "EXIT STATUS" in text and "apictl request METHOD PATH" in text
    for section in ("EXAMPLES", "FILES", "ENVIRONMENT", "CONFIGURATION"):
        assert f"\n{section}\n" in text, section
    assert "\n       zsh:" in text, "the completion paragraph keeps its lines"
    subprocess.run(args + ["uninstall"], check=True, capture_output=True)
    assert not any((prefix / path).exists() for path in installed)


# --- fish: real fish, asked as a user's Tab asks it ------------------------------------------

@pytest.fixture
def fish(apictl, tmp_path):
    if not shutil.which("fish"):
        pytest.skip("fish is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "apictl").symlink_to(APICTL)
    apictl.run("profile", "add", "dz", "--preset", "dzdesk")
    apictl.run("profile", "add", "pdns", "--preset", "pocketdns")

    def complete(line):
        script = f"source {ROOT / 'completions/apictl.fish'}; complete -C {line!r}"
        env = dict(apictl.env, PATH=f"{bin_dir}:{apictl.env['PATH']}", XDG_DATA_HOME=str(tmp_path / "fish-data"))
        out = subprocess.run(["fish", "--no-config", "-c", script], env=env, capture_output=True, text=True, timeout=30)
        return out.stdout.splitlines()
    return complete


def test_fish_completes_commands_with_descriptions(fish):
    lines = fish("apictl req")
    assert "request\tMake an authenticated request" in lines, lines


def test_fish_completes_subcommands_options_and_profiles(fish):
    assert any(line.startswith("rotate\t") for line in fish("apictl token r")), fish("apictl token r")
    assert any(line.startswith("--paginate") for line in fish("apictl request GET /x --pag"))
    assert [line.split("\t")[0] for line in fish("apictl -p p")] == ["pdns"]


def test_fish_completes_files_after_at(fish, tmp_path):
    (tmp_path / "body.json").write_text("{}")
    lines = fish(f"apictl request POST /x -d @{tmp_path}/bo")
    assert lines == [f"@{tmp_path}/body.json"], lines


# --- completion from the API's synced description ------------------------------------------

DESCRIPTION = {
    "openapi": "3.1.0", "info": {"title": "shop", "version": "1"}, "servers": [{"url": "https://api.dzdesk.com/v1"}],
    "paths": {
        "/requests": {
            "get": {"summary": "List requests", "parameters": [
                {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "closed"]}}],
                "responses": {"200": {"description": "ok"}}},
            "post": {"summary": "Open a request", "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "required": ["title"],
                "properties": {"title": {"type": "string"}, "priority": {"type": "integer", "enum": [1, 2, 3]}}}}}},
                "responses": {"201": {"description": "made"}}}},
        "/requests/{item_id}": {"get": {"summary": "One request", "responses": {"200": {"description": "ok"}}}},
        "/companies/{company}/users": {"get": {"summary": "A company's users", "responses": {"200": {"description": "ok"}}}},
    },
}


def synced_description(apictl, tmp_path, profile):
    description = tmp_path / "shop.json"
    description.write_text(__import__("json").dumps(DESCRIPTION))
    assert apictl.run("profile", "set", profile, "--openapi", str(description), "--var", "company=acme").code == 0
    synced = apictl.run("api", "sync", "-p", profile)
    assert synced.code == 0, synced


def test_paths_fields_and_query_parameters_complete_in_bash_and_zsh(apictl, terminal, tmp_path):
    synced_description(apictl, tmp_path, "dzdesk")
    tab(terminal, "apictl request GET /re", "/requests", "/requests/")
    tab(terminal, "apictl request GET /companies/", "/companies/acme/")      # {company} filled from the profile's vars
    screen = tab(terminal, "apictl request POST /requests ", "title=", "priority:=")
    assert screen.index("title=") < screen.index("priority:="), "apictl's order, required first: " + screen
    # zsh lists whole candidates; bash lists what follows the word's last '=' (its COMP_WORDBREAKS)
    screen = tab(terminal, "apictl request POST /requests priority:=", "3")
    assert "priority:=1  priority:=2  priority:=3" in screen or "\n1  2  3" in screen, screen
    tab(terminal, "apictl request GET /requests --query ", "status=")


def test_a_path_goes_on_after_tab_closed_the_quote_the_user_opened(apictl, terminal, tmp_path):
    """bash's readline closes the quote at a single match even when the path goes on
    ('/companies/'); the next Tabs must continue that path, not replace it with a segment."""
    synced_description(apictl, tmp_path, "dzdesk")
    terminal.clear()
    terminal.send("-l", "apictl request GET '/comp")
    for _ in range(3):    # /companies/, then /companies/acme/ (the profile's var), then .../users
        terminal.send("Tab")
        time.sleep(0.6)
    terminal.send("Home")
    terminal.send("-l", "printf '<%s>\\n' ")
    terminal.send("Enter")
    terminal.wait_for("<request>")
    time.sleep(0.3)
    assert "</companies/acme/users>" in terminal.screen(), terminal.screen()


def test_tab_offers_nothing_from_an_index_of_the_profiles_earlier_base_path(apictl, fish, tmp_path):
    synced_description(apictl, tmp_path, "dz")
    assert [line.split("\t")[0] for line in fish("apictl -p dz request GET /re")] == ["/requests", "/requests/"]
    assert apictl.run("profile", "set", "dz", "--base-url", "https://api.dzdesk.com/v2").code == 0
    assert fish("apictl -p dz request GET /re") == [], "the index's paths were relative to /v1"
    assert apictl.run("api", "sync", "-p", "dz").code == 0
    assert [line.split("\t")[0] for line in fish("apictl -p dz request GET /re")] == ["/requests", "/requests/"]


def test_paths_and_fields_complete_in_fish(apictl, fish, tmp_path):
    synced_description(apictl, tmp_path, "dz")
    paths = [line.split("\t")[0] for line in fish("apictl -p dz request GET /re")]
    assert paths == ["/requests", "/requests/"], paths
    assert "/requests/{item_id}" in [line.split("\t")[0] for line in fish("apictl -p dz request GET /requests/")]
    fields = [line.split("\t")[0] for line in fish("apictl -p dz request POST /requests ")]
    assert fields[:2] == ["title=", "priority:="], fields
    assert [line.split("\t")[0] for line in fish("apictl -p dz request GET /requests status==")] == ["status==open", "status==closed"]
    # -F takes KEY=VALUE of any type; -f sends a string, so it is offered the string fields only
    assert [line.split("\t")[0] for line in fish("apictl -p dz request POST /requests -F ")] == ["title=", "priority="]
    assert [line.split("\t")[0] for line in fish("apictl -p dz request POST /requests -f ")] == ["title="]
    assert [line.split("\t")[0] for line in fish("apictl -p dz request POST /requests -F priority=")] == \
        ["priority=1", "priority=2", "priority=3"]
    # the fields of a GET are its query (as gh does): -f completes its query parameters
    assert [line.split("\t")[0] for line in fish("apictl -p dz request GET /requests -f ")] == ["status="]


# --- a hostile description: completion inserts text, never commands --------------------------

def hostile_description(marker_dir):
    """Enum values and a path that would run commands if a shell took them as code, and values
    that would split a line or retitle the terminal if shown raw."""
    return {
        "openapi": "3.1.0", "info": {"title": "evil\u001b]2;PWNED\u0007", "version": "1"},
        "paths": {
            "/things": {"post": {"requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "a": {"type": "string", "enum": [f"x;touch {marker_dir}/a"]},
                    "b": {"type": "string", "enum": [f"$(touch {marker_dir}/b)"]},
                    "c": {"type": "string", "enum": [f"`touch {marker_dir}/c`"]},
                    "d": {"type": "string", "enum": ["one\ntwo"]},
                    "e": {"type": "string", "enum": ["\u001b]2;PWNED\u0007t", "\u001b]2;PWNED\u0007u"]},
                    # values and a name that step out of a quote the user opened
                    "q1": {"type": "string", "enum": [f"\"\u0001$(touch {marker_dir}/q1)\""]},
                    "q2": {"type": "string", "enum": [f"'\u0001 $(touch {marker_dir}/q2) #"]},
                    "q3": {"type": "string", "enum": [f"x\"$(touch {marker_dir}/q3)\"`touch {marker_dir}/q3b`"]},
                    f"\"\u0001$(touch {marker_dir}/f)\"": {"type": "string"},
                    # values to arrive exactly as they are
                    "r1": {"type": "string", "enum": ["back\\slash"]},
                    "r2": {"type": "string", "enum": ["it's \"quoted\" $HOME `x` !x"]},
                }}}}}, "responses": {"201": {"description": "ok"}}}},
            # a field that would be read as apictl's -o and save the answer where the description says
            "/opt": {"post": {"requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"-o./owned_by_api": {"type": "string"}}}}}},
                "responses": {"201": {"description": "ok"}}}},
            f"/p/$(touch {marker_dir}/p)": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
    }


@pytest.fixture(params=["bash", "zsh", "fish"])
def hostile_terminal(request, apictl, tmp_path):
    """A real shell under tmux with apictl's completion and a profile synced from a hostile description."""
    if not shutil.which(request.param):
        pytest.skip(f"{request.param} is not installed")
    markers = tmp_path / "markers"
    markers.mkdir()
    description = tmp_path / "evil.json"
    description.write_text(__import__("json").dumps(hostile_description(markers)))
    apictl.run("profile", "add", "evil", "--base-url", "http://127.0.0.1:9")
    assert apictl.run("profile", "set", "evil", "--openapi", str(description)).code == 0
    synced = apictl.run("api", "sync", "-p", "evil")
    assert synced.code == 0 and "\x1b" not in synced.err and "\\u{1B}]2;PWNED" in synced.err, synced
    bindir = tmp_path / "bin"
    bindir.mkdir()
    os.symlink(APICTL, bindir / "apictl")
    env = dict(apictl.env, PATH=f"{bindir}:{apictl.env['PATH']}", TERM="xterm", TMUX_TMPDIR=str(tmp_path),
               PS1="$ ", PROMPT="$ ")
    if request.param == "bash":
        rc = tmp_path / "bashrc"
        rc.write_text(f"PS1='$ '\nbind 'set show-all-if-ambiguous on'\nsource {ROOT}/completions/apictl.bash\n")
        command = f"bash --noprofile --rcfile {rc} -i"
    elif request.param == "zsh":
        (tmp_path / "zdot").mkdir()
        (tmp_path / "zdot/.zshrc").write_text(f"PROMPT='$ '\nfpath=({ROOT}/completions $fpath)\nautoload -U compinit\n"
                                              f"compinit -u -d {tmp_path}/zcompdump\nunsetopt beep\n")
        env["ZDOTDIR"] = str(tmp_path / "zdot")
        command = "zsh -i"
    else:
        env["XDG_DATA_HOME"] = str(tmp_path / "fish-data")
        init = tmp_path / "init.fish"
        init.write_text(f"source {ROOT}/completions/apictl.fish\nfunction fish_prompt; echo '$ '; end\n")
        command = f"fish --no-config -C 'source {init}'"
    # a file name from a cloned repository or an unpacked archive
    (tmp_path / "data$(touch pwned_by_file_name).json").write_text("{}")
    term = Terminal(command, env, tmp_path)
    term.wait_for("$")
    term.shell, term.markers, term.home = request.param, markers, tmp_path
    yield term
    term.close()


def pane_title(term):
    return subprocess.run(["tmux", "display", "-p", "-t", term.session, "#{pane_title}"], capture_output=True,
                          text=True, env=term.env).stdout


@pytest.mark.parametrize("typed", ["request POST /things a=", "request POST /things b=", "request POST /things c=",
                                   "request POST /things d=", "request GET /p/",
                                   'request POST /things q1="', "request POST /things q2='", 'request POST /things q3="',
                                   "request POST /things q3='", 'request POST /things "\\"|x"', "request POST /opt ",
                                   "request POST /things -d @da", 'request POST /things -d "@da'])
def test_a_hostile_description_never_runs_through_tab_and_enter(hostile_terminal, typed):
    """`typed`, Tab, Tab, then what follows a `|` (a field's value, closing the quote), and Enter."""
    term = hostile_terminal
    term.clear()
    typed, _, then = typed.partition("|")
    term.send("-l", f"apictl -p evil {typed}")
    term.send("Tab")
    time.sleep(0.5)
    term.send("Tab")
    time.sleep(0.5)
    if then:
        # readline closes the user's quote after a single match even when the word goes on (name=)
        term.send("-l", then.rstrip('"') if term.shell == "bash" else then)
    screen = term.screen()
    # zsh may requote what was typed (q1=" becomes q1=\"...): the line is there, in some quoting
    assert "apictl -p evil request" in screen, screen
    term.send("Enter")
    term.wait_for("apictl: ")
    time.sleep(0.3)
    assert list(term.markers.iterdir()) == [], f"{term.shell} ran a command from the description:\n{screen}"
    assert not list(term.home.glob("owned*")), f"{term.shell} took a field for an option:\n{screen}"
    assert not (term.home / "pwned_by_file_name").exists(), f"{term.shell} ran a file name:\n{screen}"


@pytest.mark.parametrize("typed, value", [("r1=", "r1=back\\slash"), ('r1="', "r1=back\\slash"), ("r2=", "r2=it's \"quoted\" $HOME `x` !x"),
                                          ("r2='", "r2=it's \"quoted\" $HOME `x` !x")])
def test_a_completed_value_arrives_as_the_description_has_it(hostile_terminal, typed, value):
    """Tab, then the line run with printf in apictl's place: the word is the value, byte for byte."""
    term = hostile_terminal
    if term.shell == "bash" and "!" in value and typed.endswith('"'):
        pytest.skip("bash's history expansion would act on ! inside double quotes: such a value is not offered there")
    term.clear()
    term.send("-l", f"apictl -p evil request POST /things {typed}")
    term.send("Tab")
    time.sleep(0.6)
    term.send("Home")
    term.send("-l", "printf '<%s>\\n' ")
    term.send("Enter")
    screen = term.wait_for("<request>")
    time.sleep(0.3)
    assert f"<{value}>" in term.screen(), term.screen()


def test_control_characters_from_a_description_are_listed_escaped(hostile_terminal):
    term = hostile_terminal
    term.clear()
    term.send("-l", "apictl -p evil request POST /things e=")
    term.send("Tab")
    time.sleep(0.5)
    term.send("Tab")
    time.sleep(0.8)
    screen = term.screen()
    assert "PWNED" in screen, screen                     # the values are listed (or one inserted)...
    assert "PWNED" not in pane_title(term), screen       # ...escaped: the terminal's title never changed


def test_a_value_with_a_newline_is_one_candidate(apictl, tmp_path):
    description = tmp_path / "evil.json"
    description.write_text(__import__("json").dumps(hostile_description(tmp_path)))
    apictl.run("profile", "add", "evil", "--base-url", "http://127.0.0.1:9")
    apictl.run("profile", "set", "evil", "--openapi", str(description))
    assert apictl.run("api", "sync", "-p", "evil").code == 0
    answer = apictl.run("__complete", "-p", "evil", "request", "POST", "/things", "d=").out
    assert answer.splitlines() == ["d=one\\x0Atwo\t"], answer
    bash = subprocess.run(["bash", "-c", 'printf -v v %b "$1"; printf %q "$v"', "-", answer.split("\t")[0]],
                          capture_output=True, text=True).stdout
    assert bash == "$'d=one\\ntwo'", bash


def synced(apictl, tmp_path, name, description):
    path = tmp_path / f"{name}.json"
    path.write_text(__import__("json").dumps(description))
    assert apictl.run("profile", "add", name, "--base-url", "http://127.0.0.1:9", "--openapi", str(path)).code == 0
    assert apictl.run("api", "sync", "-p", name).code == 0


def test_paths_keep_the_final_slash_the_description_writes(apictl, tmp_path):
    """Django writes /tickets/ and /tickets/{id}/: without the slash, the path is a 404 there."""
    ok = {"responses": {"200": {"description": "ok"}}}
    synced(apictl, tmp_path, "dj", {"openapi": "3.0.3", "info": {"title": "dj", "version": "1"},
                                    "paths": {"/tickets/": {"get": ok}, "/tickets/{id}/": {"get": ok}, "/me": {"get": ok}}})
    words = lambda *typed, env=None: [line.split("\t")[0] for line in apictl.run("__complete", *typed, env=env).out.splitlines()]
    assert words("-p", "dj", "request", "GET", "/") == ["/me", "/tickets/"]
    assert words("-p", "dj", "request", "GET", "/tickets/") == ["/tickets/{id}/"]
    # APICTL_PROFILE chooses the profile for a Tab as it does for a run
    assert words("request", "GET", "/", env={"APICTL_PROFILE": "dj"}) == ["/me", "/tickets/"]
    # and a path sent without the slash its description writes is warned about
    result = apictl.run("-p", "dj", "request", "GET", "/tickets/5", "--dry-run")
    assert result.code == 0 and "writes this path with a final '/' (/tickets/{id}/)" in result.err, result
    assert "final '/'" not in apictl.run("-p", "dj", "request", "GET", "/tickets/5/", "--dry-run").err


@pytest.mark.skipif(not shutil.which("fish"), reason="fish is not installed")
def test_fish_offers_a_value_holding_c1_controls_escaped(apictl, tmp_path):
    """[[:cntrl:]] is ASCII only in fish's PCRE2: U+009B (a one-byte CSI to some terminals) is caught too."""
    body = {"type": "object", "properties": {"f": {"type": "string", "enum": ["k\u009b2J", "plain"]}}}
    synced(apictl, tmp_path, "c1", {"openapi": "3.0.3", "info": {"title": "c1", "version": "1"},
                                    "paths": {"/things": {"post": {"requestBody": {"content": {"application/json": {"schema": body}}},
                                                                   "responses": {"200": {"description": "ok"}}}}}})
    bindir = tmp_path / "bin"
    bindir.mkdir()
    os.symlink(APICTL, bindir / "apictl")
    env = dict(apictl.env, PATH=f"{bindir}:{apictl.env['PATH']}")
    fish = subprocess.run(["fish", "--no-config", "-c", f"source {ROOT / 'completions/apictl.fish'}; "
                           "complete -C 'apictl -p c1 request POST /things f='"], env=env, capture_output=True, text=True, timeout=30)
    offered = [line.split("\t")[0] for line in fish.stdout.splitlines()]
    assert "f=plain" in offered and "\u009b" not in fish.stdout, fish
    assert any("\\x9B" in word or "\\u{9B}" in word or "\\u009b" in word.lower() for word in offered), offered


def test_bidi_and_zero_width_characters_are_offered_as_visible_escapes(apictl, fish, tmp_path):
    """U+202E shows /bidi\u202egnp.exe as /bidiexe.png; U+200B shows as nothing."""
    paths = {"/bidi\u202egnp.exe": {"get": {"responses": {"200": {"description": "ok"}}}},
             "/zw\u200bsp": {"get": {"responses": {"200": {"description": "ok"}}}}}
    synced(apictl, tmp_path, "bidi", {"openapi": "3.0.3", "info": {"title": "bidi", "version": "1"}, "paths": paths})
    answer = apictl.run("-p", "bidi", "__complete", "request", "GET", "/").out
    assert "\u202e" not in answer and "\u200b" not in answer, answer
    listed = fish("apictl -p bidi request GET /")
    offered = [line.split("\t")[0] for line in listed]
    assert not any("\u202e" in line or "\u200b" in line for line in listed), listed
    assert any("202E" in word.upper() for word in offered) and any("200B" in word.upper() for word in offered), offered
