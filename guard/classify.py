"""The tier and label of one simple command (wrappers already removed by ``guard.unwrap``).

Decided by the command's name and its subcommands and options, never by searching its text, so
``echo "rm -rf /"`` and ``git commit -m "DROP TABLE"`` are what they are: an echo and a commit.
SQL given to a database client (``psql -c``, ``mysql -e``, a here-string or ``echo ... |``) is
read for ``DROP``/``TRUNCATE``/``DELETE`` without ``WHERE``. Labels are what policy rows match
(guard/README.md lists them); an unknown command gets the policy's ``unknown`` tier.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from guard import gitref
from guard.findings import Finding, Scene, short
from guard.paths import inside, resolve
from guard.shell import DYNAMIC
from guard.unwrap import name_of

Words = tuple[str, ...]

READ_COMMANDS = {
    "ls", "cat", "head", "tail", "less", "more", "grep", "egrep", "fgrep", "rg", "ag", "ack", "pwd",
    "echo", "printf", "which", "whereis", "type", "wc", "stat", "du", "df", "ps", "top", "htop",
    "true", "false", "test", "[", "[[", "date", "whoami", "id", "uname", "hostname", "tree", "file",
    "sort", "uniq", "cut", "tr", "diff", "cmp", "comm", "jq", "yq", "basename", "dirname",
    "realpath", "readlink", "md5sum", "sha256sum", "sha1sum", "shasum", "nl", "column", "fd",
    "env", "printenv", "history", "man", "help", "cd", "pushd", "popd", "sleep", "seq", "xxd",
    "hexdump", "od", "strings", "uptime", "free", "lsof", "netstat", "ss", "dig", "nslookup",
    "ping", "host", "tldr", "bat", "exa", "eza", "lsblk", "blkid", "mount", "groups", "locale",
    "tput", "clear", "set", "export", "local", "declare", "read", "shift", "wait", "jobs", ":",
    "zcat", "zless", "zgrep", "awk", "gawk", "sed", "tac", "rev", "expr", "bc", "cal", "getent",
}

_SYSTEM_DIRS = ("/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/opt", "/proc", "/root",
                "/sbin", "/sys", "/usr", "/var", "/home", "/Users", "/System", "/Library",
                "/Applications", "/private", "/srv")
_SYSTEM_BINS = ("/bin/", "/usr/bin/", "/usr/local/bin/", "/sbin/", "/usr/sbin/", "/opt/homebrew/bin/")
# regular expressions are kept as text and compiled by ``re`` on first use: most calls need few
_DISK_DEVICE = (r"^/dev/(sd|hd|vd|xvd|nvme|disk|rdisk|mmcblk|md|dm-|mapper/|loop)")
_SAFE_SINKS = {"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty"}


def classify(words: Words, scene: Scene, stdin_text: str | None = None) -> list[Finding]:
    """Findings of one unwrapped command (at least one)."""
    name = name_of(words[0])
    if DYNAMIC in words[0]:
        return [Finding(scene.fallback_tier, "dynamic-command", short(words))]
    handler = _HANDLERS.get(name)
    if handler is not None:
        return handler(words, scene, stdin_text)
    if name.startswith("mkfs") or name in _DISK_TOOLS:
        return [Finding("destructive", "disk-format", short(words))]
    if name in READ_COMMANDS:
        if "/" in words[0] and not words[0].startswith(_SYSTEM_BINS):
            return [Finding(scene.unknown_tier, "unknown-command", short(words))]  # ./scripts/test
        return _read_or_in_place(name, words)
    if name in _DB_CLIENTS:
        return _database(name, words, stdin_text)
    if name in _SIMPLE:
        tier, label = _SIMPLE[name]
        if label == "inline-code" and any(re.search(_RISKY_CODE, w) for w in words[1:]):
            return [Finding("mutate_config", "inline-code-risky", short(words))]
        return [Finding(tier, label, short(words))]
    return [Finding(scene.unknown_tier, "unknown-command", short(words))]


def _read_or_in_place(name: str, words: Words) -> list[Finding]:
    if name in ("sed", "gsed") and any(w.startswith(("-i", "--in-place")) for w in words[1:]):
        return [Finding("mutate", "edit-in-place", short(words), _files(words[1:]))]
    if name in ("awk", "gawk") and any("system(" in w or "|" in w for w in words[1:]):
        return [Finding("mutate", "inline-code", short(words))]
    return [Finding("read", "read-only", short(words))]


def _files(args: Words) -> tuple[str, ...]:
    return tuple(a for a in args if not a.startswith("-"))


def _flags(args: Words) -> set[str]:
    """Short option letters and long options (``-rf`` -> {"r", "f"}; ``--force`` kept whole)."""
    found: set[str] = set()
    for arg in args:
        if arg == "--":
            break
        if arg.startswith("--"):
            found.add(arg.split("=", 1)[0])
        elif arg.startswith("-") and len(arg) > 1:
            found.update(arg[1:])
    return found


# -- files ------------------------------------------------------------------------------------------
def _rm(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    flags = _flags(words[1:])
    targets = _operands(words[1:])
    recursive = bool(flags & {"r", "R", "--recursive"})
    return _deletion("rm", recursive, targets, words, scene)


def _operands(args: Words) -> list[str]:
    out, options = [], True
    for arg in args:
        if options and arg == "--":
            options = False
        elif options and arg.startswith("-") and arg != "-":
            continue
        else:
            out.append(arg)
    return out


def _deletion(verb: str, recursive: bool, targets: list[str], words: Words, scene: Scene) -> list[Finding]:
    what = short(words)
    resolved = [resolve(t, scene.cwd, scene.home) for t in targets] or [None]
    known = tuple(p for p in resolved if p is not None)
    if any(p is not None and _catastrophic(p, scene) for p in resolved):
        return [Finding("destructive", f"{verb}-recursive-root" if recursive else f"{verb}-system",
                        what, known)]
    outside = any(p is None or not inside(p, scene.workspace) for p in resolved)
    if recursive:
        label = f"{verb}-recursive-outside-workspace" if outside else f"{verb}-recursive-workspace"
        return [Finding("destructive", label, what, known)]
    if outside:
        return [Finding("destructive", f"{verb}-outside-workspace", what, known)]
    return [Finding("mutate", f"{verb}-file", what, known)]


def _catastrophic(path: str, scene: Scene) -> bool:
    """/, system folders, the home folder and the workspace itself (or a parent of it), or every
    entry of one of them (``/*``)."""
    if any(c in posixpath.basename(path) for c in "*?["):
        path = posixpath.dirname(path)
    return (path in _SYSTEM_DIRS or path == scene.home or inside(scene.workspace, path)
            or inside(scene.home, path))


def _find(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    """``find ROOT ... -delete`` deletes what it matches below ROOT (ROOT itself only when it matches)."""
    if "-delete" not in words:
        return [Finding("read", "read-only", short(words))]
    root = next((w for w in words[1:] if not w.startswith(("-", "(", "!"))), ".")
    path = resolve(root, scene.cwd, scene.home)
    if path is None or not inside(path, scene.workspace):
        system = path is not None and (path in _SYSTEM_DIRS or inside(scene.home, path))
        label = "find-delete-root" if system else "find-delete-outside-workspace"
        return [Finding("destructive", label, short(words), (path,) if path else ())]
    return [Finding("destructive", "find-delete-workspace", short(words), (path,))]


def _shred(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    return [Finding("destructive", "shred", short(words), _files(words[1:]))]


def _dd(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    targets = [w[3:] for w in words[1:] if w.startswith("of=")]
    if any(re.match(_DISK_DEVICE, t) or DYNAMIC in t for t in targets):
        return [Finding("destructive", "disk-write", short(words), tuple(targets))]
    return [Finding("mutate", "dd", short(words), tuple(targets))]


def _chmod(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    flags = _flags(words[1:])
    targets = [resolve(t, scene.cwd, scene.home) for t in _operands(words[1:])[1:]]
    if flags & {"R", "--recursive"} and any(p is None or _catastrophic(p, scene) for p in targets):
        return [Finding("destructive", "permissions-recursive-root", short(words))]
    return [Finding("mutate_config", "permissions", short(words), tuple(p for p in targets if p))]


def _mv(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    operands = _operands(words[1:])
    if operands and operands[-1] in _SAFE_SINKS:
        return _deletion("rm", True, operands[:-1], words, scene)
    sources = [resolve(o, scene.cwd, scene.home) for o in operands[:-1]]
    if any(p is not None and _catastrophic(p, scene) for p in sources):
        return [Finding("destructive", "mv-system", short(words))]
    return [Finding("mutate", "write", short(words), tuple(operands[-1:]))]


def _truncate(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    files = _operands(words[1:])
    resolved = [resolve(f, scene.cwd, scene.home) for f in files if not f[:1].isdigit()]
    if any(p is None or not inside(p, scene.workspace) for p in resolved):
        return [Finding("destructive", "truncate-outside-workspace", short(words))]
    return [Finding("mutate", "write", short(words), tuple(p for p in resolved if p))]


# -- version control -----------------------------------------------------------------------------------
_GIT_VALUE = {"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path"}
_GIT_READ = {"status", "log", "diff", "show", "blame", "grep", "rev-parse", "ls-files", "ls-tree",
             "describe", "shortlog", "reflog", "fetch", "cat-file", "rev-list", "whatchanged",
             "help", "version", "merge-base", "name-rev", "for-each-ref", "show-ref", "ls-remote",
             "check-ignore", "count-objects", "var"}


def _git(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    args = list(words[1:])
    repo = scene.cwd
    while args and args[0].startswith("-"):
        option = args.pop(0)
        if option in _GIT_VALUE and args:
            value = args.pop(0)
            if option == "-C":
                repo = resolve(value, repo, scene.home)
    if not args:
        return [Finding("read", "read-only", short(words))]
    sub, rest = args[0], tuple(args[1:])
    what, flags = short(words), _flags(rest)
    if sub == "push":
        return _git_push(rest, what, repo)
    if sub == "reset" and "--hard" in flags:
        return [Finding("destructive", "git-reset-hard", what)]
    if sub == "clean" and flags & {"f", "--force"}:
        return [Finding("destructive", "git-clean", what)]
    if sub in ("filter-branch", "filter-repo") or (sub == "reflog" and rest[:1] == ("expire",)):
        return [Finding("destructive", "git-history-rewrite", what)]
    if sub == "branch" and flags & {"D", "d", "--delete"}:
        return [Finding("mutate", "git-branch-delete", what)]
    if sub in ("checkout", "restore") and (flags & {"f", "--force"} or "." in rest):
        return [Finding("mutate", "git-discard-changes", what)]
    if sub == "config" and not flags & {"l", "--list", "--get", "--get-all", "--show-origin"}:
        return [Finding("mutate_config", "git-config", what)]
    if sub in _GIT_READ or (sub in ("branch", "tag", "remote", "stash") and _git_listing(sub, rest)):
        return [Finding("read", "read-only", what)]
    return [Finding("mutate", f"git-{sub}" if sub.isidentifier() or sub.isalnum() else "git", what)]


def _git_listing(sub: str, rest: Words) -> bool:
    positional = [w for w in rest if not w.startswith("-")]
    if sub == "stash":
        return bool(positional) and positional[0] in ("list", "show")
    if sub == "remote":
        return not positional or positional[0] in ("show", "get-url")
    return not positional or bool(_flags(rest) & {"l", "--list", "a", "r", "v", "--contains"})


def _git_push(rest: Words, what: str, repo: str | None) -> list[Finding]:
    flags = _flags(rest)
    positional = [w for w in rest if not w.startswith("-")]
    refspecs = positional[1:]
    targets = tuple(_push_target(r) for r in refspecs) or (gitref.current_branch(repo) or "HEAD",)
    if flags & {"f", "--force", "--mirror", "--prune"} or any(r.startswith("+") for r in refspecs):
        return [Finding("destructive", "git-force-push", what, targets)]
    if flags & {"d", "--delete"} or any(r.startswith(":") for r in refspecs):
        return [Finding("destructive", "git-push-delete", what, targets)]
    if any(f.startswith("--force-with-lease") or f == "--force-if-includes" for f in flags):
        return [Finding("destructive", "git-force-with-lease", what, targets)]
    return [Finding("mutate", "git-push", what, targets)]


def _push_target(refspec: str) -> str:
    destination = refspec.lstrip("+").split(":")[-1]
    return destination.removeprefix("refs/heads/") or refspec


# -- infrastructure -----------------------------------------------------------------------------------
def _terraform(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    args = [w for w in words[1:] if not w.startswith("-chdir")]
    sub = next((w for w in args if not w.startswith("-")), "")
    rest, what = tuple(args), short(words)
    if sub == "destroy" or (sub == "apply" and any(w in ("-destroy", "--destroy") for w in rest)):
        return [Finding("destructive", "terraform-destroy", what)]
    if sub == "workspace" and "delete" in rest:
        return [Finding("destructive", "terraform-destroy", what)]
    if sub in ("apply", "import", "taint", "untaint", "force-unlock", "state", "refresh"):
        if sub == "state" and rest[1:2] and rest[1] in ("list", "show", "pull"):
            return [Finding("read", "read-only", what)]
        return [Finding("mutate_config", "terraform-apply", what)]
    if sub in ("plan", "show", "validate", "output", "version", "providers", "graph", "console", ""):
        return [Finding("read", "read-only", what)]
    return [Finding("mutate", "terraform", what)]


_KUBECTL_VALUE = {"-n", "--namespace", "--context", "--kubeconfig", "-s", "--server", "--cluster",
                  "--user", "-l", "--selector", "-o", "--output", "-f", "--filename", "-c",
                  "--container", "--token", "--as"}
_KUBECTL_READ = {"get", "describe", "logs", "top", "explain", "api-resources", "api-versions",
                 "version", "cluster-info", "diff", "auth", "events", "wait", "completion", "plugin"}
_KUBECTL_CONFIG = {"apply", "patch", "edit", "replace", "create", "set", "label", "annotate",
                   "rollout", "scale", "autoscale", "expose", "run", "taint", "cordon", "uncordon",
                   "drain", "exec", "cp", "port-forward", "attach", "debug", "certificate", "proxy"}


def _kubectl(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    positional: list[str] = []
    args, i = words[1:], 0
    while i < len(args):
        if args[i] == "--":
            break
        if args[i] in _KUBECTL_VALUE:
            i += 2
            continue
        if not args[i].startswith("-"):
            positional.append(args[i])
        i += 1
    verb, what, flags = (positional or [""])[0], short(words), _flags(words[1:])
    if verb == "delete" or (verb == "replace" and "--force" in flags) or "--prune" in flags:
        return [Finding("destructive", "kubectl-delete", what, tuple(positional[1:]))]
    if verb == "config":
        sub = positional[1] if len(positional) > 1 else ""
        reads = ("view", "get-contexts", "current-context", "get-clusters")
        tier = "read" if sub in reads else "mutate_config"
        return [Finding(tier, "read-only" if tier == "read" else "kubectl-config", what)]
    if verb in _KUBECTL_READ or verb == "":
        return [Finding("read", "read-only", what)]
    if verb in _KUBECTL_CONFIG:
        return [Finding("mutate_config", f"kubectl-{verb}", what, tuple(positional[1:]))]
    return [Finding("mutate_config", "kubectl", what)]


def _helm(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    sub = next((w for w in words[1:] if not w.startswith("-")), "")
    what = short(words)
    if sub in ("uninstall", "delete", "del", "un"):
        return [Finding("destructive", "helm-uninstall", what)]
    if sub in ("install", "upgrade", "rollback"):
        return [Finding("mutate_config", "helm-release", what)]
    if sub in ("list", "ls", "status", "get", "template", "show", "search", "lint", "version",
               "history", "env", "diff", ""):
        return [Finding("read", "read-only", what)]
    return [Finding("mutate", "helm", what)]


_CLOUD_DELETE = (r"^(delete|terminate|remove|purge|destroy|deregister|revoke|detach|"
                           r"schedule-key-deletion|disable|stop-logging|rb$|rm$)")
_CLOUD_READ = (r"^(describe|list|get|head|lookup|search|ls$|show|wait|help|check|"
                         r"validate|estimate|simulate|filter-log-events|tail)")
_AWS_VALUE = {"--profile", "--region", "--output", "--endpoint-url", "--query", "--color",
              "--cli-read-timeout", "--cli-connect-timeout", "--ca-bundle"}


def _aws(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    positional: list[str] = []
    args, i = words[1:], 0
    while i < len(args) and len(positional) < 2:
        if args[i] in _AWS_VALUE:
            i += 2
            continue
        if not args[i].startswith("-"):
            positional.append(args[i])
        i += 1
    service, op = (positional + ["", ""])[:2]
    flags, what = _flags(words[1:]), short(words)
    if service == "s3":
        if op == "rm" and "--recursive" in flags or op == "rb" or (op == "sync" and "--delete" in flags):
            return [Finding("destructive", "cloud-delete", what)]
        if op in ("ls", "presign", ""):
            return [Finding("read", "read-only", what)]
        return [Finding("mutate", "cloud-storage-write", what)]
    return _cloud_op(op, service, what)


def _cloud_op(op: str, service: str, what: str) -> list[Finding]:
    if re.match(_CLOUD_DELETE, op):
        return [Finding("destructive", "cloud-delete", what)]
    if re.match(_CLOUD_READ, op) or op == "" or service in ("sts", "help", "--version"):
        return [Finding("read", "read-only", what)]
    return [Finding("mutate_config", "cloud-mutate", what)]


def _gcloud(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    positional = [w for w in words[1:] if not w.startswith("-")]
    what = short(words)
    if any(re.match(_CLOUD_DELETE, w) for w in positional[:5]):
        return [Finding("destructive", "cloud-delete", what)]
    if any(re.match(_CLOUD_READ, w) for w in positional[:5]) or positional[:2] == ["config", "list"]:
        return [Finding("read", "read-only", what)]
    if name_of(words[0]) == "gsutil" and positional[:1] in (["cp"], ["rsync"]):
        return [Finding("destructive" if "-d" in words else "mutate", "cloud-storage-write", what)]
    return [Finding("mutate_config", "cloud-mutate", what)]


def _docker(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    positional = [w for w in words[1:] if not w.startswith("-")]
    sub, what, flags = " ".join(positional[:2]), short(words), _flags(words[1:])
    first = positional[0] if positional else ""
    if sub in ("system prune", "volume rm", "volume prune", "image prune", "container prune",
               "network prune", "builder prune") or (first in ("rm", "rmi") and flags & {"f", "--force"}):
        return [Finding("destructive", "docker-prune", what)]
    if first in ("ps", "images", "logs", "inspect", "version", "info", "stats", "top", "history",
                 "search", "port", "diff", "") or sub in ("compose ps", "compose logs", "image ls",
                                                            "container ls", "volume ls"):
        return [Finding("read", "read-only", what)]
    if first == "push":
        return [Finding("mutate_config", "publish", what)]
    if sub in ("compose down",) and flags & {"v", "--volumes"}:
        return [Finding("destructive", "docker-prune", what)]
    return [Finding("mutate", "docker", what)]


def _platform(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    """gh, heroku, flyctl, vercel, netlify, doctl, az: deletes are destructive, reads read."""
    positional = [w.split(":")[-1] for w in words[1:] if not w.startswith("-")]
    what = short(words)
    if any(w in ("delete", "destroy", "rm", "remove", "purge", "uninstall") for w in positional[:4]):
        return [Finding("destructive", "cloud-delete", what)]
    if any(w in ("list", "ls", "show", "view", "status", "info", "logs", "get", "diff", "checks")
           for w in positional[:3]) or not positional:
        return [Finding("read", "read-only", what)]
    if name_of(words[0]) == "gh" and positional[:1] in (["pr"], ["issue"], ["api"]):
        return [Finding("mutate", "gh", what)]
    return [Finding("mutate_config", "cloud-mutate", what)]


# -- databases ---------------------------------------------------------------------------------------------
_DB_CLIENTS = {"psql", "mysql", "mariadb", "sqlite3", "sqlite", "clickhouse-client", "clickhouse",
               "mongo", "mongosh", "redis-cli", "cockroach", "sqlcmd", "duckdb", "snowsql", "cqlsh",
               "bq", "pgcli", "mycli", "usql", "trino", "presto"}
_SQL_OPTIONS = {"-c", "--command", "-e", "--execute", "-q", "--query", "--eval", "-Q", "-x"}
_SQL_DESTRUCTIVE = (r"(?i)"
    r"\b(drop\s+(table|database|schema|index|view|user|role|keyspace|collection|owned)|truncate\b|"
    r"delete\s+from\s+[\w.\"`]+\s*(;|$)|flushall|flushdb|dropdatabase\s*\(|\.drop\s*\(|"
    r"deletemany\s*\(\s*\{\s*\}\s*\))")
_SQL_CONFIG = (r"(?i)"
    r"\b(alter|grant|revoke|create\s+(user|role)|config\s+set|rename\s+table|"
                         r"vacuum\s+full)\b")
_SQL_WRITE = (r"(?i)"
    r"\b(insert|update|delete|create|merge|upsert|copy|replace|set|del|call|"
                        r"exec)\b")
# inline interpreter code (python -c, node -e...) that deletes files or starts a shell: what it
# runs cannot be read, so it is asked about
_RISKY_CODE = (r"(?i)rmtree|os\.(remove|unlink|rmdir|system|popen|exec)|\.unlink\(|subprocess|child_process|"
               r"\bexecSync\b|\bspawn\(|rm\s+-[a-z]*[rf]|drop\s+(table|database)|truncate\s|"
               r"fs\.(rm|unlink)|system\(|`")
_SQL_COMMENT = (r"(?s)"
    r"--[^\n]*|/\*.*?\*/")


def _database(name: str, words: Words, stdin_text: str | None) -> list[Finding]:
    sql = _sql_of(name, words) or stdin_text
    what = short(words)
    if name == "bq" and any(w in ("rm", "rmdataset") for w in words[1:3]):
        return [Finding("destructive", "sql-drop", what)]
    if sql is None:
        return [Finding("mutate_config", "sql-unseen", what)]
    return [sql_finding(sql, what)]


def sql_finding(sql: str, what: str) -> Finding:
    text = re.sub(_SQL_COMMENT, " ", sql)
    if re.search(_SQL_DESTRUCTIVE, text):
        return Finding("destructive", "sql-drop", what)
    if re.search(_SQL_CONFIG, text):
        return Finding("mutate_config", "sql-ddl", what)
    if DYNAMIC in text:
        return Finding("mutate_config", "sql-unseen", what)
    if re.search(_SQL_WRITE, text):
        return Finding("mutate", "sql-write", what)
    return Finding("read", "read-only", what)


def _sql_of(name: str, words: Words) -> str | None:
    args = words[1:]
    parts = [args[i + 1] for i, w in enumerate(args[:-1]) if w in _SQL_OPTIONS]
    parts += [w.split("=", 1)[1] for w in args if w.startswith(("--command=", "--execute=", "--query=",
                                                                   "--eval="))]
    if name in ("sqlite3", "sqlite", "duckdb"):
        positional = [w for w in args if not w.startswith("-")]
        parts += positional[1:]
    if name == "redis-cli":
        positional = _redis_command(args)
        parts += [" ".join(positional)] if positional else []
    return "; ".join(parts) if parts else None


def _redis_command(args: Words) -> list[str]:
    out, i = [], 0
    while i < len(args):
        if args[i] in ("-h", "-p", "-a", "-n", "-u", "--user", "--pass"):
            i += 2
            continue
        if not args[i].startswith("-"):
            out.append(args[i])
        i += 1
    return out


# -- table -------------------------------------------------------------------------------------------------
_DISK_TOOLS = {"mke2fs", "mkswap", "wipefs", "fdisk", "sfdisk", "parted", "sgdisk", "gdisk",
               "diskutil", "format", "blkdiscard", "cryptsetup"}
_SIMPLE: dict[str, tuple[str, str]] = {
    "shutdown": ("destructive", "system-power"), "reboot": ("destructive", "system-power"),
    "halt": ("destructive", "system-power"), "poweroff": ("destructive", "system-power"),
    "userdel": ("destructive", "identity-delete"), "groupdel": ("destructive", "identity-delete"),
    "useradd": ("mutate_config", "identity"), "usermod": ("mutate_config", "identity"),
    "passwd": ("mutate_config", "identity"), "visudo": ("mutate_config", "identity"),
    "chown": ("mutate_config", "permissions"), "chgrp": ("mutate_config", "permissions"),
    "systemctl": ("mutate_config", "service-control"), "service": ("mutate_config", "service-control"),
    "launchctl": ("mutate_config", "service-control"), "iptables": ("mutate_config", "firewall"),
    "ufw": ("mutate_config", "firewall"), "nft": ("mutate_config", "firewall"),
    "crontab": ("mutate_config", "scheduler"), "kill": ("mutate", "process"),
    "pkill": ("mutate", "process"), "killall": ("mutate", "process"),
    "twine": ("mutate_config", "publish"), "ansible-playbook": ("mutate_config", "deploy"),
    "pulumi": ("mutate_config", "deploy"), "cdk": ("mutate_config", "deploy"),
    "serverless": ("mutate_config", "deploy"), "sls": ("mutate_config", "deploy"),
    "argocd": ("mutate_config", "deploy"), "flux": ("mutate_config", "deploy"),
    "skaffold": ("mutate_config", "deploy"), "kustomize": ("read", "read-only"),
    "python": ("mutate", "inline-code"), "python3": ("mutate", "inline-code"),
    "node": ("mutate", "inline-code"), "perl": ("mutate", "inline-code"),
    "ruby": ("mutate", "inline-code"), "php": ("mutate", "inline-code"),
    "<script>": ("mutate", "script"), "<interactive-shell>": ("mutate_config", "interactive-shell"),
    "source": ("mutate", "script"), ".": ("mutate", "script"),
    "npm": ("mutate", "build"), "pnpm": ("mutate", "build"), "yarn": ("mutate", "build"),
    "pip": ("mutate", "build"), "pip3": ("mutate", "build"), "uv": ("mutate", "build"),
    "make": ("mutate", "build"), "cargo": ("mutate", "build"), "go": ("mutate", "build"),
    "pytest": ("mutate", "build"), "mvn": ("mutate", "build"), "gradle": ("mutate", "build"),
    "tsc": ("mutate", "build"), "ruff": ("mutate", "build"), "mypy": ("read", "read-only"),
    "cp": ("mutate", "write"), "touch": ("mutate", "write"), "mkdir": ("mutate", "write"),
    "tee": ("mutate", "write"), "ln": ("mutate", "write"), "install": ("mutate", "write"),
    "rsync": ("mutate", "write"), "tar": ("mutate", "write"), "unzip": ("mutate", "write"),
    "curl": ("mutate", "network"), "wget": ("mutate", "network"), "scp": ("mutate", "network"),
    "rmdir": ("mutate", "write"), "unlink": ("mutate", "write"), "patch": ("mutate", "write"),
}
_PUBLISH = {"publish"}


def _builders(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    """npm/cargo/yarn/pnpm: ``publish`` is a release, the rest a build step."""
    if any(w in _PUBLISH for w in words[1:3]) and "--dry-run" not in words:
        return [Finding("mutate_config", "publish", short(words))]
    return [Finding("mutate", "build", short(words))]


def _systemctl(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    sub = next((w for w in words[1:] if not w.startswith("-")), "")
    if sub in ("status", "list-units", "list-unit-files", "is-active", "is-enabled", "show", "cat", ""):
        return [Finding("read", "read-only", short(words))]
    return [Finding("mutate_config", "service-control", short(words))]


def _crontab(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    if "-r" in words[1:]:
        return [Finding("destructive", "scheduler-delete", short(words))]
    if "-l" in words[1:]:
        return [Finding("read", "read-only", short(words))]
    return [Finding("mutate_config", "scheduler", short(words))]


def _iptables(words: Words, scene: Scene, _stdin: str | None) -> list[Finding]:
    flags = _flags(words[1:])
    if flags & {"F", "X", "--flush", "--delete-chain"}:
        return [Finding("destructive", "firewall-flush", short(words))]
    if flags & {"L", "S", "--list"}:
        return [Finding("read", "read-only", short(words))]
    return [Finding("mutate_config", "firewall", short(words))]


_Handler = Callable[[Words, Scene, "str | None"], list[Finding]]
_HANDLERS: dict[str, _Handler] = {
    "rm": _rm, "find": _find, "shred": _shred, "srm": _shred, "dd": _dd, "chmod": _chmod,
    "mv": _mv, "truncate": _truncate, "git": _git, "terraform": _terraform, "tofu": _terraform,
    "terragrunt": _terraform, "kubectl": _kubectl, "oc": _kubectl, "k": _kubectl, "helm": _helm,
    "aws": _aws, "gcloud": _gcloud, "gsutil": _gcloud, "az": _platform, "gh": _platform,
    "heroku": _platform, "flyctl": _platform, "fly": _platform, "vercel": _platform,
    "netlify": _platform, "doctl": _platform, "docker": _docker, "podman": _docker,
    "npm": _builders, "cargo": _builders, "yarn": _builders, "pnpm": _builders,
    "systemctl": _systemctl, "crontab": _crontab, "iptables": _iptables, "ip6tables": _iptables,
}
