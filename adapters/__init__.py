"""Adapters: what real tools already send (GitHub, GitLab, PagerDuty, CloudTrail...) -> events."""
