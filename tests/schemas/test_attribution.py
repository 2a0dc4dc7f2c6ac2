"""AI attribution from commit trailers, authors and labels."""

from __future__ import annotations

import pytest

from schemas.attribution import parse_attribution

CLAUDE_CODE = ("Fix retry budget\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"
               "Co-Authored-By: Claude <noreply@anthropic.com>")


@pytest.mark.parametrize(
    ("message", "author", "labels", "level", "tool"),
    [
        (CLAUDE_CODE, "alice", [], "agent_authored", "claude-code"),
        ("x\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>", "bob", [],
         "co_authored", "github-copilot"),
        ("x\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>", "bob", [], "co_authored", "cursor"),
        ("x\n\nCo-authored-by: aider (openai/gpt-4o) <noreply@aider.chat>", "bob", [], "co_authored",
         "aider"),
        ("x\n\nCo-authored-by: gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users."
         "noreply.github.com>", "bob", [], "co_authored", "gemini"),
        ("x\n\nAssisted-by: Claude:claude-3-opus", "bob", [], "co_authored", "claude-code"),
        ("x\n\nGenerated-by: OpenAI Codex", "bob", [], "agent_authored", "openai-codex"),
        ("x\n\nMade-with: Cursor", "bob", [], "co_authored", "cursor"),
        ("x", "devin-ai-integration[bot]", [], "agent_authored", "devin"),
        ("x", "amazon-q-developer[bot]", [], "agent_authored", "amazon-q"),
        ("x", "Paul (aider)", [], "co_authored", "aider"),
        ("x", "carol", ["ai-generated"], "agent_authored", None),
        ("x", "carol", ["copilot"], "co_authored", "github-copilot"),
        ("x\n\nCo-authored-by: Windsurf <noreply@codeium.com>", "bob", [], "co_authored", "windsurf"),
    ],
)
def test_markers(message: str, author: str, labels: list[str], level: str, tool: str | None) -> None:
    ai = parse_attribution([message], author, labels)
    assert (ai.level, ai.tool) == (level, tool)
    assert ai.evidence and 0 < ai.confidence < 1


def test_no_marker_is_unknown_not_none() -> None:
    ai = parse_attribution(["Tighten retry budget"], "alice", ["bug"])
    assert (ai.level, ai.tool, ai.confidence, ai.evidence) == ("unknown", None, 0.0, [])


def test_human_named_like_a_tool_is_not_an_ai() -> None:
    ai = parse_attribution(["x\n\nCo-authored-by: Claude Monet <claude@example.com>\n"
                            "Co-authored-by: Devin Smith <devin@example.com>"], "alice", [])
    assert ai.level == "unknown"


def test_non_ai_bots_are_not_ai() -> None:
    trailer = "Co-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"
    assert parse_attribution([f"x\n\n{trailer}"], "ctbur", []).level == "unknown"
    assert parse_attribution(["bump"], "dependabot[bot]", []).level == "none"


def test_model_is_read_from_the_marker() -> None:
    ai = parse_attribution(["x\nCo-authored-by: Claude Opus 4.1 <noreply@anthropic.com>"], "a", [])
    assert ai.model == "claude-opus-4-1"
    assert parse_attribution(["x\nAssisted-by: Claude:claude-3-opus"], "a", []).model == "claude-3-opus"


def test_corroborating_markers_raise_confidence() -> None:
    one = parse_attribution(["x\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)"], "a", [])
    both = parse_attribution([CLAUDE_CODE], "a", [])
    assert both.confidence > one.confidence
    assert len(both.evidence) == 2


def test_strongest_level_wins_across_messages() -> None:
    ai = parse_attribution(["a\n\nCo-authored-by: Claude <noreply@anthropic.com>", "b"],
                           "copilot-swe-agent[bot]", [])
    assert ai.level == "agent_authored" and ai.tool == "github-copilot"
