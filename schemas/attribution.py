"""AI attribution of a change, from the markers tools leave in commits and pull requests.

:func:`parse_attribution` reads commit messages / PR bodies, the author and PR labels:

============================================  ==================  ==========
marker                                        level               confidence
============================================  ==================  ==========
AI bot author (``copilot-swe-agent[bot]``)     agent_authored      0.95
``Generated with [Claude Code](...)``          agent_authored      0.85
``Generated-by: <tool>``                       agent_authored      0.85
``Co-authored-by: <AI identity>``              co_authored         0.9
``Assisted-by: <tool>[:model]``                co_authored         0.8
``Made-with: Cursor``                          co_authored         0.8
``(aider)`` suffix on the author name          co_authored         0.9
label ``ai-generated`` / ``agent-authored``    agent_authored      0.7
label ``ai-assisted`` or a tool name label     co_authored         0.6
label ``no-ai`` / ``human-only``               none                0.6
non-AI automation author (``dependabot[bot]``) none                0.7
============================================  ==================  ==========

The strongest level found wins (agent_authored > co_authored > suggested > none); each further
marker agreeing with it (any AI marker backs an AI level) adds 0.03 of confidence. No marker at
all gives ``unknown`` with confidence 0: the absence of a marker never means ``none``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CI gate reads attribution as plain data and must not load pydantic
    from schemas.change import AIAttribution, AILevel

# identity regex (matched against "name <email>", lower-cased) -> tool
_AI_IDENTITIES: tuple[tuple[str, str], ...] = (
    (r"claude|anthropic", "claude-code"),
    (r"copilot", "github-copilot"),
    (r"codex|chatgpt|openai", "openai-codex"),
    (r"cursor", "cursor"),
    (r"gemini|google-labs-jules", "gemini"),
    (r"devin", "devin"),
    (r"aider", "aider"),
    (r"windsurf|codeium", "windsurf"),
    (r"amazon[- ]?q|amazonq|codewhisperer", "amazon-q"),
    (r"openhands|all-hands\.dev", "openhands"),
    (r"sweep-ai|sweep\.dev", "sweep"),
    (r"tabnine", "tabnine"),
    (r"\bcline\b", "cline"),
    (r"\broo\b|roo-?code", "roo-code"),
    (r"sourcegraph|\bcody\b", "sourcegraph-cody"),
    (r"\bamp\b|ampcode", "amp"),
)
_IDENTITY_RES = tuple((re.compile(pattern), tool) for pattern, tool in _AI_IDENTITIES)
# a co-author is an AI only when its email, or its whole name, says so (humans are called Claude too)
_AI_EMAIL = re.compile(
    r"anthropic\.com|copilot|cursor(?:agent)?@|cursor\.com|aider\.chat|devin-ai|cognition|openai\.com"
    r"|codex|gemini|google-labs-jules|codeium\.com|windsurf|amazon-q|all-hands\.dev|sweep|tabnine"
)
_AI_NAME = re.compile(
    r"(?:claude (?:code|opus|sonnet|haiku)|(?:github )?copilot|(?:openai )?codex|chatgpt|cursor(?: agent)?"
    r"|gemini(?: code assist)?|devin ai|aider|windsurf|codeium|amazon q(?: developer)?|openhands)"
    r"(?:\b[^<]*)?$"
)
_NON_AI_BOTS = re.compile(r"dependabot|renovate|github-actions|snyk|greenkeeper|mergify|imgbot|pre-commit-ci")

_TRAILER = re.compile(r"^\s*(co-authored-by|assisted-by|generated-by|made-with)\s*:\s*(.+?)\s*$",
                      re.IGNORECASE | re.MULTILINE)
_GENERATED_WITH = re.compile(r"^.*?\bgenerated (?:with|by|using)\s+\[?([^\]\n(]{1,60}).*$",
                             re.IGNORECASE | re.MULTILINE)
_MODEL = re.compile(
    r"\b(claude-(?:opus|sonnet|haiku)[\w.-]*|claude-\d[\w.-]*|gpt-[\w.-]+|o[134](?:-mini|-pro)?\b"
    r"|gemini-[\w.-]+|codex-[\w.-]+"
    r"|(?:openai|anthropic|google|gemini|bedrock|azure|openrouter|deepseek|ollama|mistral)/[\w.:-]+)",
    re.IGNORECASE,
)
_CLAUDE_MODEL = re.compile(r"claude\s+(opus|sonnet|haiku)\s+(\d+(?:\.\d+)?)", re.IGNORECASE)

_LABELS_AGENT = {"ai-generated", "agent-authored", "ai-authored", "generated-by-ai", "ai:agent"}
_LABELS_ASSISTED = {"ai-assisted", "ai", "ai-coauthored", "ai:assisted", "llm"}
_LABELS_NONE = {"no-ai", "human-only", "ai:none", "not-ai"}

_RANK: dict[AILevel, int] = {"unknown": 0, "none": 1, "suggested": 2, "co_authored": 3,
                             "agent_authored": 4}


@dataclass(frozen=True)
class Marker:
    level: AILevel
    confidence: float
    evidence: str
    tool: str | None = None
    model: str | None = None


def ai_tool(identity: str) -> str | None:
    """The AI tool a name, email, bot login or free text refers to, if any."""
    lowered = identity.lower()
    if _NON_AI_BOTS.search(lowered):
        return None
    for pattern, tool in _IDENTITY_RES:
        if pattern.search(lowered):
            return tool
    return None


def model_in(text: str) -> str | None:
    """The model a marker names (``Claude Opus 4.1`` -> ``claude-opus-4.1``), if any."""
    claude = _CLAUDE_MODEL.search(text)
    if claude:
        return f"claude-{claude.group(1).lower()}-{claude.group(2).replace('.', '-')}"
    found = _MODEL.search(text)
    return found.group(1).lower() if found else None


def coauthor_tool(value: str) -> str | None:
    """The AI tool a ``Name <email>`` co-author is, or None for a person or a non-AI bot."""
    name, _, email = value.lower().partition("<")
    if _AI_EMAIL.search(email) or _AI_NAME.match(name.strip()):
        return ai_tool(email) or ai_tool(name)
    return None


def _trailer_marker(key: str, value: str) -> Marker | None:
    key = key.lower()
    evidence = f"{key.capitalize()}: {value}"[:200]
    if key == "co-authored-by":
        tool = coauthor_tool(value)
        return Marker("co_authored", 0.9, evidence, tool, model_in(value)) if tool else None
    tool = ai_tool(value)
    if key == "generated-by":
        return Marker("agent_authored", 0.85, evidence, tool or value.split()[0].lower(), model_in(value))
    tool = tool or value.split(":")[0].split()[0].lower()
    return Marker("co_authored", 0.8, evidence, tool, model_in(value))


def _message_markers(message: str) -> list[Marker]:
    markers = [m for key, value in _TRAILER.findall(message) if (m := _trailer_marker(key, value))]
    for match in _GENERATED_WITH.finditer(message):
        tool = ai_tool(match.group(1))
        if tool:
            line = match.group(0).strip()[:200]
            markers.append(Marker("agent_authored", 0.85, line, tool, model_in(line)))
    return markers


def _author_markers(author: str | None) -> list[Marker]:
    if not author:
        return []
    lowered = author.lower()
    if "(aider)" in lowered:
        return [Marker("co_authored", 0.9, f"author {author}", "aider")]
    if not lowered.endswith("[bot]"):
        return []
    tool = ai_tool(author)
    if tool:
        return [Marker("agent_authored", 0.95, f"bot author {author}", tool)]
    if _NON_AI_BOTS.search(lowered):
        return [Marker("none", 0.7, f"non-AI automation author {author}")]
    return []


def _label_markers(labels: list[str]) -> list[Marker]:
    markers = []
    for label in labels:
        name = label.strip().lower()
        tool = ai_tool(name)
        if name in _LABELS_AGENT:
            markers.append(Marker("agent_authored", 0.7, f"label {label}", tool))
        elif name in _LABELS_ASSISTED or tool:
            markers.append(Marker("co_authored", 0.6, f"label {label}", tool))
        elif name in _LABELS_NONE:
            markers.append(Marker("none", 0.6, f"label {label}"))
    return markers


def _combine(markers: list[Marker]) -> dict[str, Any]:
    if not markers:
        return {"level": "unknown", "tool": None, "model": None, "confidence": 0.0, "evidence": []}
    level = max((m.level for m in markers), key=_RANK.__getitem__)
    floor = min(_RANK[level], _RANK["suggested"])  # every AI marker backs an AI level
    agreeing = sorted((m for m in markers if _RANK[m.level] >= floor and (m.level == level or floor > 1)),
                      key=lambda m: (-_RANK[m.level], -m.confidence))
    confidence = min(0.99, agreeing[0].confidence + 0.03 * (len(agreeing) - 1))
    ranked = sorted(markers, key=lambda m: (-_RANK[m.level], -m.confidence))
    tool = next((m.tool for m in ranked if m.tool), None)
    model = next((m.model for m in ranked if m.model), None)
    evidence = list(dict.fromkeys(m.evidence for m in ranked))
    return {"level": level, "tool": tool, "model": model, "confidence": round(confidence, 3),
            "evidence": evidence}


def attribution_data(messages: list[str], author: str | None, labels: list[str]) -> dict[str, Any]:
    """:func:`parse_attribution` as plain JSON-ready data (the fields of ``AIAttribution``)."""
    markers = [m for message in messages for m in _message_markers(message)]
    markers += _author_markers(author) + _label_markers(labels)
    return _combine(markers)


def parse_attribution(messages: list[str], author: str | None, labels: list[str]) -> AIAttribution:
    """Level, tool, model, confidence and evidence of AI involvement in one change."""
    from schemas.change import AIAttribution

    return AIAttribution(**attribution_data(messages, author, labels))
