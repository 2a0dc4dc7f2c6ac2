"""Subcommands ``hook``, ``approve`` and ``spool`` (argparse only: handlers in ``guard.commands``)."""

from __future__ import annotations

from typing import Any

H = "guard.commands:"


def register(sub: Any) -> None:
    """Add this area's subcommands to the ``aftershock`` parser."""
    hook = sub.add_parser("hook", help="the agent guardrail hook: answer, install, try a command",
                          description="Enforce consequence tiers where the agent acts (guard/README.md).")
    verbs = hook.add_subparsers(dest="hook_command", metavar="VERB")
    answer = verbs.add_parser("claude-code", help="answer one Claude Code hook call (input on stdin)")
    answer.add_argument("--policy", help="policy file (default: $AFTERSHOCK_GUARD_POLICY, "
                        "~/.aftershock/guard/policy.toml, the shipped default)")
    answer.set_defaults(handler=H + "answer")
    install = verbs.add_parser("install", help="add the hook to Claude Code's settings.json (kept merged)")
    install.add_argument("agent", choices=("claude-code",))
    where = install.add_mutually_exclusive_group()
    where.add_argument("--project", action="store_true", help="<folder>/.claude/settings.json (default)")
    where.add_argument("--user", action="store_true", help="~/.claude/settings.json")
    install.add_argument("--dir", default=".", help="the project folder (default: the current one)")
    install.add_argument("--uninstall", action="store_true", help="remove the hook, keep the rest")
    install.add_argument("--policy", help="policy file the installed hook uses")
    install.set_defaults(handler=H + "install")
    test = verbs.add_parser("test", help="print the tier, the decision and why for one command")
    test.add_argument("command", help="the shell command (or, with --tool, the file path)")
    test.add_argument("--tool", default="Bash", help="tool name (default Bash; Write/Edit take a path)")
    test.add_argument("--cwd", default=".", help="the workspace (default: the current folder)")
    test.add_argument("--policy", help="policy file")
    test.set_defaults(handler=H + "test")

    approve = sub.add_parser("approve", help="sign a grant for a request id the hook denied",
                             description="Second authorization: sign the exact action behind "
                             "REQUEST_ID with an approver's Ed25519 key; the token goes to stdout "
                             "(or --into the guard's grants folder). --keygen makes a key pair.")
    approve.add_argument("request_id", nargs="?", help="req_... from the hook's denial")
    approve.add_argument("--key", required=True, help="the approver's private key file (PEM)")
    approve.add_argument("--ttl", default="15m", help="how long the grant is valid (default 15m)")
    approve.add_argument("--name", help="approver name recorded in the grant (default: the key's)")
    approve.add_argument("--into", help="write the token into this grants folder")
    approve.add_argument("--keygen", action="store_true",
                         help="write a new private key to --key and print the public key line")
    approve.set_defaults(handler=H + "approve")

    spool = sub.add_parser("spool", help="ship the guard's recorded decisions to Kafka")
    spool_verbs = spool.add_subparsers(dest="spool_command", metavar="VERB")
    ship = spool_verbs.add_parser("ship", help="send the spool through the emitter SDK, then truncate it")
    ship.add_argument("--spool", help="spool folder (default: $AFTERSHOCK_GUARD_HOME/spool, "
                      "~/.aftershock/guard/spool)")
    ship.set_defaults(handler=H + "ship")
