"""The classify path starts lean: no pydantic for the rules or the attribution, the same result."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from schemas.attribution import attribution_data, parse_attribution
from tests.gate.gitrepo import commit, init

ROOT = Path(__file__).resolve().parents[2]
_PROBE = """\
import contextlib, io, json, sys
from aftershock.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["classify", "--git", "HEAD~1..HEAD", "--repo", sys.argv[1], "--format", "json"])
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"pydantic", "pydantic_core", "duckdb", "pyarrow"})
print(json.dumps({"code": code, "loaded": loaded, "result": json.loads(out.getvalue())}))
"""


def test_classify_loads_no_pydantic(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    init(repo)
    commit(repo, {"README.md": "hi\n"}, "base")
    commit(repo, {"iam/policies/admin.json": '{"Action": "*"}\n'},
           "grant\n\nCo-authored-by: Claude <noreply@anthropic.com>")
    done = subprocess.run([sys.executable, "-c", _PROBE, str(repo)], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    seen = json.loads(done.stdout)
    assert seen["loaded"] == []
    assert seen["result"]["ai"]["level"] == "co_authored"
    assert [s["name"] for s in seen["result"]["signals"]] == ["iam_wildcard"]
    assert seen["code"] == 10 and seen["result"]["tier"] == "high"


def test_plain_attribution_is_the_validated_one() -> None:
    cases = [(["x\n\nCo-authored-by: Claude <noreply@anthropic.com>\nAssisted-by: aider"], None, []),
             ([], "copilot-swe-agent[bot]", ["ai-generated"]), ([], None, []), (["plain"], "bob", ["no-ai"])]
    for messages, author, labels in cases:
        plain = attribution_data(messages, author, labels)
        assert plain == parse_attribution(messages, author, labels).model_dump(mode="json")
