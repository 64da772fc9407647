"""The shape a newcomer can rely on (issue 34): every command has its test beside it, in the
mirrored folder, and no function in Sources is longer than 60 lines."""
import subprocess
import sys

from conftest import ROOT


def test_every_command_has_a_test_beside_it():
    commands = ROOT / "Sources/APICtlCLI/Commands"
    missing = [str(source.relative_to(commands)) for source in sorted(commands.rglob("*Command.swift"))
               if not (ROOT / "Tests/APICtlCLITests/Commands" / source.relative_to(commands).parent
                       / (source.stem + "Tests.swift")).exists()]
    assert missing == [], f"commands without Tests/APICtlCLITests/Commands/<same folder>/<Name>Tests.swift: {missing}"


def test_no_function_in_sources_is_longer_than_60_lines():
    listed = subprocess.run([sys.executable, str(ROOT / "Tests/Scripts/long_functions.py"), "60"], capture_output=True, text=True)
    assert listed.returncode == 0 and listed.stdout == "", "functions over 60 lines:\n" + listed.stdout
