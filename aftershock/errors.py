"""The exception tree and exit codes.

Every error Aftershock raises on purpose derives from :class:`AftershockError`; the command
line prints ``aftershock: <message>`` on one line and exits with the error's code::

    AftershockError                 exit 1
    ├── ConfigError                 exit 2  (bad settings, bad arguments, missing files)
    ├── BrokerError                 exit 3  (no broker, broker would not start, Kafka I/O)
    │   └── ToolchainError          exit 3  (Java or Maven missing, jars not downloadable)
    ├── EventError                  exit 4  (an event or payload that does not fit a contract)
    ├── LakeError                   exit 5  (lake I/O, manifest conflicts)
    │   └── IntegrityError          exit 6  (verify found tampering)
    └── AnalyticsError              exit 7  (a query or report that cannot be answered)

Messages say what was wrong, where (file:line, topic[partition]@offset, JSON path) and, where
there is one, what to do.
"""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    CONFIG = 2
    BROKER = 3
    EVENT = 4
    LAKE = 5
    INTEGRITY = 6
    ANALYTICS = 7
    REJECTED = 8  # a batch finished but some items were rejected
    INTERRUPTED = 130


class AftershockError(Exception):
    exit_code: ExitCode = ExitCode.ERROR


class ConfigError(AftershockError):
    exit_code = ExitCode.CONFIG


class BrokerError(AftershockError):
    exit_code = ExitCode.BROKER


class ToolchainError(BrokerError):
    """Java or Maven is missing or too old, or the broker's jars cannot be fetched."""


class EventError(AftershockError):
    exit_code = ExitCode.EVENT


class LakeError(AftershockError):
    exit_code = ExitCode.LAKE


class IntegrityError(LakeError):
    exit_code = ExitCode.INTEGRITY


class AnalyticsError(AftershockError):
    exit_code = ExitCode.ANALYTICS
