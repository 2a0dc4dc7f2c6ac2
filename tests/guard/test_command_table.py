"""The command table (commands.txt) under the shipped default policy, and obfuscated variants of
every destructive or denied row, which must get the same decision and tier."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.judge import judge
from guard.policy import Policy
from tests.guard.conftest import HOME, WORKSPACE

TABLE = Path(__file__).with_name("commands.txt")


def rows() -> list[tuple[str, str, str]]:
    out = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            decision, tier, command = (part.strip() for part in line.split("|", 2))
            out.append((decision, tier, command))
    return out


def verdict(policy: Policy, command: str) -> tuple[str, str]:
    result, _ = judge(policy, "Bash", {"command": command}, WORKSPACE, home=HOME)
    return result.action, result.tier


def test_the_table_is_large_and_covers_every_decision() -> None:
    table = rows()
    assert len(table) >= 300
    assert {d for d, _, _ in table} == {"pass", "ask", "grant", "deny"}


@pytest.mark.parametrize(("decision", "tier", "command"), rows(), ids=[r[2][:60] for r in rows()])
def test_default_policy_decision(default_policy: Policy, decision: str, tier: str, command: str) -> None:
    assert verdict(default_policy, command) == (decision, tier)


def _shell_quote(command: str) -> str:
    return "'" + command.replace("'", "'\\''") + "'"


WRAPPERS = {
    "sudo": lambda c: f"sudo {c}",
    "sudo -u": lambda c: f"sudo -u root -E {c}",
    "env": lambda c: f"env DEBUG=1 {c}",
    "prefix assignment": lambda c: f"LANG=C {c}",
    "bash -c": lambda c: f"bash -c {_shell_quote(c)}",
    "sh -lc": lambda c: f"sh -lc {_shell_quote(c)}",
    "nested": lambda c: f"sudo sh -c {_shell_quote('bash -c ' + _shell_quote(c))}",
    "sequence": lambda c: f"echo start; {c}",
    "and": lambda c: f"true && {c}",
    "or": lambda c: f"false || {c}",
    "subshell": lambda c: f"( {c} )",
    "group": lambda c: f"{{ {c}; }}",
    "substitution": lambda c: f"echo $({c})",
    "backticks": lambda c: f"echo `{c}`",
    "eval": lambda c: f"eval {_shell_quote(c)}",
    "nohup": lambda c: f"nohup {c} &",
    "timeout": lambda c: f"timeout 60 {c}",
    "pipe into sh": lambda c: f"echo {_shell_quote(c)} | sh",
    "here-string": lambda c: f"bash <<< {_shell_quote(c)}",
    "if": lambda c: f"if true; then {c}; fi",
    "function": lambda c: f"f() {{ {c}; }}; f",
    "pipeline": lambda c: f"{c} | cat",
}


def _renamed(command: str) -> list[str]:
    """Spellings of the command's name a shell runs the same: /usr/bin/x, \\x, "x", 'x', x''."""
    name, _, rest = command.partition(" ")
    if not name.isidentifier() and not name.replace("-", "").replace(".", "").isalnum():
        return []
    return [f"/usr/bin/{name} {rest}", f"\\{name} {rest}", f'"{name}" {rest}', f"'{name}' {rest}",
            f"{name[0]}''{name[1:]} {rest}", f"{name[0]}\\{name[1:]} {rest}"]


def variant_rows() -> list[tuple[str, str, str, str]]:
    out = []
    for decision, tier, command in rows():
        if decision not in ("grant", "deny") or "cd " in command or "$" in command:
            continue
        for label, wrap in WRAPPERS.items():
            out.append((decision, tier, label, wrap(command)))
        out += [(decision, tier, "renamed", variant) for variant in _renamed(command)]
    return out


@pytest.mark.parametrize(("decision", "tier", "how", "command"), variant_rows(),
                         ids=[f"{r[2]}: {r[3][:50]}" for r in variant_rows()])
def test_obfuscated_variants_get_the_same_decision(default_policy: Policy, decision: str, tier: str,
                                                   how: str, command: str) -> None:
    assert verdict(default_policy, command) == (decision, tier)
