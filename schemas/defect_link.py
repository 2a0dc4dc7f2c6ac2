"""``defect_link``: an outside statement that one change was defective, and which change fixed it.

A link names both changes by reference only; it never creates or alters a change. Analytics
resolve ``change`` the way incident causes are resolved (our change_id, a commit sha or a source
ref), whether the change landed before or after the link.
"""

from __future__ import annotations

from typing import Literal

from schemas.common import Model, ShortStr, Text, field

DefectOrigin = Literal["szz", "tracker", "manual", "other"]


class DefectLink(Model):
    change: ShortStr = field(
        "The defective change: its change_id, a commit sha or its source ref.",
        "acme/payments@9f1c2e7",
    )
    fixed_by: ShortStr = field(
        "The change that fixed it (change_id, commit sha, PR id or URL).", "acme/payments#57"
    )
    origin: DefectOrigin = field(
        "How the link was found: szz (SZZ-style blame of a fix), tracker (an issue tracker's "
        "link), manual, or other.", "szz", default="szz",
    )
    evidence: Text | None = field("Why the link holds: text or a URL.",
                                  "https://github.com/acme/payments/issues/311", default=None)
