"""Consequence tiers of cloud API calls, Kubernetes requests and agent tool calls.

``read`` < ``propose`` < ``mutate`` < ``mutate_config`` < ``destructive``. Destructive: what
deletes or cuts off (DeleteStack, TerminateInstances, DeleteTrail, ``kubectl delete namespace``,
``terraform destroy``, ``rm -rf``, force-push, ``DROP TABLE``). mutate_config: identity, access
and configuration (IAM policies, RBAC, secrets, config maps, CI/deploy config).
"""

from __future__ import annotations

import re

from schemas.agent_action import ConsequenceTier

# -- AWS CloudTrail -------------------------------------------------------------------------
_AWS_DESTRUCTIVE = re.compile(
    r"^(Delete|Terminate|Remove|Purge|Destroy|Deregister|Disable|Stop(Logging|Instances)|"
    r"ScheduleKeyDeletion|Detach(Role|User|Group)Policy|Revoke)"
)
_AWS_CONFIG = re.compile(
    r"^(Put|Attach|Create(Role|User|Policy|AccessKey|LoginProfile|Group|Trail)|Update(.*Policy|Trail|"
    r"AssumeRolePolicy|FunctionConfiguration)|Add.*Permission|Authorize|Modify.*(Attribute|Group)|"
    r"SetDefaultPolicyVersion|Set.*Policy)"
)
_AWS_READ = re.compile(
    r"^(Get|List|Describe|Head|Lookup|Search|Check|Validate|Estimate|Assume|Decrypt|"
    r"GenerateDataKey|ConsoleLogin|Select|Query|Scan)"
)


def cloudtrail_tier(event_name: str, read_only: bool | None) -> ConsequenceTier:
    if read_only is True or _AWS_READ.match(event_name):
        return "read"
    if _AWS_DESTRUCTIVE.match(event_name):
        return "destructive"
    if _AWS_CONFIG.match(event_name):
        return "mutate_config"
    return "mutate"


# -- Kubernetes -------------------------------------------------------------------------------
_K8S_READ_VERBS = {"get", "list", "watch"}
_K8S_CONFIG = {
    "roles",
    "rolebindings",
    "clusterroles",
    "clusterrolebindings",
    "secrets",
    "configmaps",
    "serviceaccounts",
    "networkpolicies",
    "customresourcedefinitions",
    "mutatingwebhookconfigurations",
    "validatingwebhookconfigurations",
    "podsecuritypolicies",
}
_K8S_WIDE = {
    "namespaces",
    "persistentvolumes",
    "persistentvolumeclaims",
    "nodes",
    "customresourcedefinitions",
    "deployments",
    "statefulsets",
    "daemonsets",
    "services",
}


def k8s_tier(verb: str, resource: str, subresource: str | None) -> ConsequenceTier:
    if verb in _K8S_READ_VERBS:
        return "read"
    if subresource in {"exec", "attach", "portforward"}:
        return "mutate_config"  # a shell inside a running workload
    if verb in {"delete", "deletecollection"}:
        return "destructive" if resource in _K8S_WIDE or verb == "deletecollection" else "mutate"
    if resource in _K8S_CONFIG:
        return "mutate_config"
    return "mutate"


# -- agent commands and tools --------------------------------------------------------------------
_CMD_DESTRUCTIVE = re.compile(
    r"\brm\s+(-[a-zA-Z]*[rf][a-zA-Z]*\s+)+|\bterraform\s+(destroy|apply\s+.*-destroy)|"
    r"\bkubectl\s+delete\b|\bhelm\s+(uninstall|delete)\b|\bgit\s+push\s+.*(--force\b|-f\b|--force-with-lease)|"
    r"\bgit\s+push\s+\S+\s+\+|\bgit\s+reset\s+--hard\b|\bgit\s+clean\s+-[a-z]*f|\bdrop\s+(table|database|schema)\b|"
    r"\btruncate\s+table\b|\baws\s+\S+\s+(delete|terminate|remove)-|\bgcloud\s+.*\sdelete\b|\bdd\s+if=|\bmkfs\b|"
    r"\bdocker\s+(system\s+prune|rm\s+-f|volume\s+rm)|\bshred\b",
    re.IGNORECASE,
)
_CMD_CONFIG = re.compile(
    r"\bkubectl\s+(apply|patch|edit|create\s+(secret|role|rolebinding|clusterrole)|set)\b|\bterraform\s+apply\b|"
    r"\bhelm\s+(install|upgrade)\b|\baws\s+iam\b|\bchmod\b|\bchown\b|\bgcloud\s+.*(iam|set)\b|"
    r"\bgit\s+push\b|\bgit\s+config\b|\bcrontab\b|\bsystemctl\b",
    re.IGNORECASE,
)
_CMD_READ = re.compile(
    r"^\s*(ls|cat|head|tail|less|grep|rg|find|pwd|echo|which|git\s+(status|log|diff|show|branch)|"
    r"kubectl\s+(get|describe|logs)|terraform\s+(plan|show|validate)|npm\s+test|pytest|go\s+test|"
    r"cargo\s+test|make\s+test|wc|stat|du|df|env|ps|aws\s+\S+\s+(describe|list|get)-)\b",
    re.IGNORECASE,
)
_TOOL_TIERS: dict[str, ConsequenceTier] = {
    "read": "read",
    "grep": "read",
    "glob": "read",
    "ls": "read",
    "webfetch": "read",
    "websearch": "read",
    "todowrite": "propose",
    "exitplanmode": "propose",
    "task": "propose",
    "write": "mutate",
    "edit": "mutate",
    "multiedit": "mutate",
    "notebookedit": "mutate",
}
_CONFIG_PATH = re.compile(
    r"(^|/)(\.github/workflows|deploy|helm|k8s|terraform|iam|infra)(/|$)|"
    r"\.(tf|tfvars)$|Dockerfile$|\.env",
    re.IGNORECASE,
)
_READ_FUNCTION = re.compile(r"^(get|list|read|search|fetch|find|describe|lookup|query)[_A-Z-]", re.IGNORECASE)


def command_tier(command: str) -> ConsequenceTier:
    if _CMD_DESTRUCTIVE.search(command):
        return "destructive"
    if _CMD_CONFIG.search(command):
        return "mutate_config"
    if _CMD_READ.match(command) and not re.search(r"[>|;&]", command):
        return "read"
    return "mutate"


def tool_tier(tool: str, command: str | None, file_path: str | None) -> ConsequenceTier:
    """Tier of one agent tool call (Bash by its command, file tools by their path)."""
    if command is not None:
        return command_tier(command)
    tier = _TOOL_TIERS.get(tool.lower())
    if tier == "mutate" and file_path and _CONFIG_PATH.search(file_path):
        return "mutate_config"
    if tier is not None:
        return tier
    return "read" if _READ_FUNCTION.match(tool) else "mutate"
