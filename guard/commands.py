"""Handlers of ``aftershock hook``, ``approve`` and ``spool ship``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from aftershock.errors import BrokerError, ConfigError, ExitCode


def answer(args: argparse.Namespace, settings: Any) -> int:
    from guard.hook import run

    return run(sys.stdin.buffer, sys.stdout, sys.stderr, args.policy)


def install(args: argparse.Namespace, settings: Any) -> int:
    from guard import install as installer

    path = installer.settings_path(args.user, args.dir)
    command = None if args.uninstall else installer.hook_command(args.policy)
    installer.install(path, command)
    print(f"{'removed the hook from' if args.uninstall else 'hook installed in'} {path}")
    if command:
        print(f"  command: {command}")
    return 0


def test(args: argparse.Namespace, settings: Any) -> int:
    from guard import policy
    from guard.judge import judge

    path = policy.resolve_path(args.policy)
    loaded = policy.load_or_fail_safe(path)
    if loaded.broken:
        print(f"policy {path} is broken ({loaded.broken}); the fail-safe policy applies")
    key = "command" if args.tool.lower() == "bash" else "file_path"
    verdict, findings = judge(loaded, args.tool, {key: args.command}, os.path.abspath(args.cwd),
                              environment=os.environ.get("AFTERSHOCK_GUARD_ENVIRONMENT"))
    print(f"tier      {verdict.tier}")
    print(f"decision  {verdict.action}")
    print(f"rule      {verdict.rule}: {verdict.reason}")
    for finding in findings:
        targets = f" -> {', '.join(finding.targets)}" if finding.targets else ""
        print(f"  {finding.tier:13} {finding.label:32} {finding.what}{targets}")
    return 0


def approve(args: argparse.Namespace, settings: Any) -> int:
    from guard import grants, policy

    key_file = Path(args.key).expanduser()
    if args.keygen:
        return _keygen(key_file)
    if not args.request_id or not args.request_id.startswith("req_"):
        raise ConfigError("approve needs the request id (req_...) the hook printed (arguments)")
    try:
        ttl = policy.duration(args.ttl, "--ttl")
        pem = key_file.read_bytes()
        token = grants.sign(pem, args.request_id, ttl, args.name or key_file.stem)
    except policy.PolicyError as exc:
        raise ConfigError(f"{exc} (arguments): give e.g. --ttl 15m") from None
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"cannot sign with {key_file} ({exc}): give an Ed25519 private key "
                          "made by `aftershock approve --keygen --key FILE`") from None
    _show_request(args.request_id)
    if args.into:
        folder = Path(args.into).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{args.request_id}-{os.getpid()}.token"
        target.write_text(token + "\n", encoding="utf-8")
        print(f"grant written to {target} (valid {args.ttl}, one use)", file=sys.stderr)
    print(token)
    return 0


def _keygen(key_file: Path) -> int:
    from guard import grants

    if key_file.exists():
        raise ConfigError(f"{key_file} exists (--key): choose a new file; keys are never overwritten")
    pem, public = grants.keygen()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    key_file.with_name(key_file.name + ".pub").write_text(public + "\n", encoding="utf-8")
    print(f'{{ name = "{key_file.stem}", key = "{public}" }}')
    print(f"private key: {key_file} (keep it away from the agent); add the line above to the "
          "policy's [grants] approvers", file=sys.stderr)
    return 0


def _show_request(request_id: str) -> None:
    from guard import spool

    note = spool.home() / "requests" / f"{request_id}.json"
    if note.is_file():
        print(f"approving: {note.read_text(encoding='utf-8').strip()}", file=sys.stderr)
    else:
        print(f"approving {request_id} (its action is not recorded on this machine)", file=sys.stderr)


def ship(args: argparse.Namespace, settings: Any) -> int:
    from guard import spool
    from guard.ship import ship as send

    folder = Path(args.spool).expanduser() if args.spool else spool.home() / "spool"
    result = send(folder, settings)
    print(f"spool ship: {result.sent} sent, {result.rejected} rejected, {result.waiting} waiting")
    if result.waiting:
        raise BrokerError(f"{result.waiting} events not acknowledged ({folder / 'sdk'}): they are kept "
                          "and sent first by the next `aftershock spool ship`")
    return int(ExitCode.REJECTED) if result.rejected else 0
