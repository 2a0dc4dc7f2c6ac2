"""``python -m tests.moto_serial HOST PORT``: moto's S3 server with its writes serialised.

moto checks a create-only put (``If-None-Match: *``) and stores the object in two steps, and its
server answers requests on several threads: two puts of one key at the same moment can both
succeed, which S3 never allows (its conditional write is atomic). Taking one lock around every
write (PUT, POST, DELETE) makes moto's conditional put atomic as S3's is; reads stay concurrent.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

WRITES = frozenset({"PUT", "POST", "DELETE"})
_LOCK = threading.Lock()


def serialised(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in WRITES:
            return app(environ, start_response)
        with _LOCK:
            return list(app(environ, start_response))

    return wrapped


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    run_simple(host, port, serialised(DomainDispatcherApplication(create_backend_app)), threaded=True,
               request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
