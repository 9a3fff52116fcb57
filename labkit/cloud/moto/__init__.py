"""The shared part of the kit's use of moto's internals. moto calls them internal and liable to change between
versions, so the version is pinned (requirements.txt) and checked on import: a new moto breaks this package and
the services' models.py, not the whole kit. Only this package and the models.py files import moto.

    PINNED_MOTO / check_version()   the pin, verified at import
    LOCK                            serialises every use of moto's models (requests, snapshots, reads)
    importhook                      patch a moto module once it is imported (when_imported, if_imported)
    dispatch, accounts              moto's server application, and its account lookup made cheap
    state                           moto's backends exported and imported, for snapshots
    protocols                       botocore models, moto's request parser and response serializer
    changes                         counts of state-changing requests per service
Each service's models.py holds what reads or patches that service's moto models.
"""

from __future__ import annotations

import threading

import moto

PINNED_MOTO = "5.2.5"


def check_version() -> None:
    if moto.__version__ != PINNED_MOTO:
        raise RuntimeError(
            f"moto {moto.__version__} is installed but the local cloud is built on moto {PINNED_MOTO}: "
            "run `make setup` (it reinstalls requirements.txt)"
        )


check_version()


LOCK = threading.RLock()
