"""Print one of the README's two set-up commands (tests check .ci/run runs the same)."""

import re
import sys
from pathlib import Path

readme = Path(__file__).resolve().parent.parent.joinpath("README.md").read_text(encoding="utf-8")
section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
commands = re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)
if len(commands) != 2:
    sys.exit(f"README's 'Set up' section must hold exactly two commands, found {len(commands)}")
print(commands[{"run": 0, "test": 1}[sys.argv[1]]])
