"""Handler of ``aftershock classify``: gather the change, classify it, check, print, emit."""

from __future__ import annotations

import json
import os
import sys
from argparse import Namespace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aftershock.errors import ConfigError

if TYPE_CHECKING:
    from gate.events import RequestEvent


def classify(args: Namespace, settings: None) -> int:
    pending = None
    if args.git:  # git runs while the rules and the models are imported
        from gate.git import start_range

        pending = start_range(args.repo, args.git)
    from analytics.rules.model import load_rules
    from gate.checks import items
    from gate.classify import EXIT_CODES, decision_of, final_decision
    from gate.classify import classify as run
    from gate.detectors import detect
    from gate.report import as_dict
    from gate.services import blast_radius
    from gate.sources import catalog_of, gather

    rules = load_rules(args.rules)
    catalog = catalog_of(args.catalog)
    event = _event(args, catalog)
    change = gather(args, event, pending)
    if args.history_features:
        change = _with_history(args, change)
    signals = detect(change.files) if change.diff_known else None
    blast = blast_radius(catalog, change.repository, [f.path for f in change.files])
    result = run(rules, change, signals, blast)
    todo = [*_manual(result.tier.verification), *items(result.tier.require)]
    checked = _check(args, event, change, todo, result.tier.require) if args.check else None
    decision = final_decision(decision_of(rules, result.tier), checked)
    d = as_dict(result, checked if checked is not None else todo, checked is not None, decision)
    _print(args.format, d)
    if args.emit:
        from gate.spool import append, decision_event

        append(args.emit, decision_event(d, result.payload | {"attributes": result.attributes},
                                         blast.services[0].name if blast.services else None))
    return EXIT_CODES[decision]


def _with_history(args: Namespace, change: Any) -> Any:
    from dataclasses import replace

    from gate.history import history_features

    if not args.git:
        raise ConfigError("classify (command line): --history-features needs --git RANGE")
    try:
        return replace(change, features=history_features(args.repo, args.git, change, change.title))
    except ValueError as exc:
        raise ConfigError(f"classify (command line): {exc}") from exc


def _manual(texts: list[str]) -> list[Any]:
    from gate.checks import Item

    return [Item(f"manual:{n}", text, None, "not machine-checkable") for n, text in enumerate(texts, 1)]


def _event(args: Namespace, catalog: Any) -> RequestEvent | None:
    from gate.events import load_github, load_gitlab, read_json

    if args.github_event and args.gitlab_event:
        raise ConfigError("classify (command line): --github-event and --gitlab-event both given: pass one")
    if args.gitlab_event:
        return load_gitlab(args.gitlab_event, catalog)
    if args.github_event:
        return load_github(args.github_event, catalog)
    env = os.environ.get("GITHUB_EVENT_PATH")
    if not env:
        return None
    if args.git or args.files:  # another input given: use the event only when it is a pull request
        body = read_json(Path(env), "GitHub event")
        return load_github(Path(env), catalog) if _is_pull_request(body) else None
    return load_github(Path(env), catalog)


def _is_pull_request(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("pull_request"), dict)


def _check(args: Namespace, event: RequestEvent | None, change: Any, todo: list[Any],
           require: Any) -> list[Any]:
    from gate.checks import Evidence, approvers_from, check, find_codeowners, jobs_from, parse_codeowners

    author = event.author if event else change.author
    approvers = _parsed(args.reviews, "reviews file", lambda d: approvers_from(d, author))
    jobs = _parsed(args.ci_status, "CI status file", jobs_from)
    owners_file = args.codeowners or find_codeowners(args.repo)
    owners = None
    if owners_file is not None:
        try:
            owners = parse_codeowners(owners_file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"CODEOWNERS {owners_file}: cannot read ({exc.strerror}): "
                              "check --codeowners") from exc
    labels = event.labels if event else change.labels
    ev = Evidence(author, labels, [f.path for f in change.files], approvers, owners, jobs)
    return check(todo, require, ev)


def _parsed(path: Path | None, what: str, parse: Any) -> Any:
    from gate.events import read_json

    if path is None:
        return None
    try:
        return parse(read_json(path, what))
    except (ValueError, AttributeError, TypeError) as exc:
        raise ConfigError(f"{what} {path}: {exc}: see gate/README.md for the accepted JSON") from exc


def _print(fmt: str, d: dict[str, Any]) -> None:
    from gate import report

    if fmt == "json":
        sys.stdout.write(json.dumps(d, indent=2, sort_keys=True) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(report.markdown(d))
    elif fmt == "github":
        from gate.github import write

        write(d, sys.stdout)
    else:
        sys.stdout.write(report.text(d))
