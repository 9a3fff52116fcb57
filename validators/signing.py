"""Local clients shared by every run of a process, each request signed with the keys of the run it is made for.

Grading a class checks many learners in one process, and a boto3 client costs some 15 ms of CPU to make even from
a session that has its service models loaded (its class, its event handlers, its endpoint rules): fifteen clients
a learner, fifty learners, were a third of the grader's CPU. On the local target every learner's clients are alike
but for their keys, so a process makes each client once and signs each request with the keys of the run on whose
thread it is made.

    signing_as(keys)               requests made on this thread (and in what it runs) are signed with ``keys``
    signing_keys()                 the keys of this thread's run, or None outside one
    shared_client(service, cfg)    the process's client of ``service`` for ``cfg``'s region and endpoint

A request made with a shared client on a thread that signs as nobody raises LabError rather than act in another
learner's account.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
from botocore.credentials import CredentialProvider, CredentialResolver, Credentials

from labkit import Config, LabError, client

_KEYS: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("lab_signing_keys", default=None)
_lock = threading.Lock()
_session: boto3.session.Session | None = None
_clients: dict[Any, Any] = {}


@contextlib.contextmanager
def signing_as(keys: tuple[str, str]) -> Iterator[None]:
    token = _KEYS.set(keys)
    try:
        yield
    finally:
        _KEYS.reset(token)


def signing_keys() -> tuple[str, str] | None:
    return _KEYS.get()


class _RunCredentials(Credentials):
    """Credentials whose keys are the current run's, read at each signature."""

    method = "lab-run"
    token = None
    account_id = None

    def __init__(self) -> None:  # no fixed keys: Credentials' own __init__ would store some
        pass

    @staticmethod
    def _keys() -> tuple[str, str]:
        keys = _KEYS.get()
        if keys is None:
            raise LabError("a shared local client signed outside a validator run: use Context.client within a run")
        return keys

    @property
    def access_key(self) -> str:  # type: ignore[override]
        return self._keys()[0]

    @property
    def secret_key(self) -> str:  # type: ignore[override]
        return self._keys()[1]


class _RunKeysProvider(CredentialProvider):
    METHOD = "lab-run"

    def load(self) -> Credentials:
        return _RunCredentials()


def shared_client(service: str, cfg: Config, **kwargs: Any) -> Any:
    global _session
    key = (service, cfg.region, cfg.gateway_url, *sorted(kwargs.items()))
    with _lock:
        if key not in _clients:
            if _session is None:
                core = botocore.session.Session()
                core.register_component("credential_provider", CredentialResolver([_RunKeysProvider()]))
                _session = boto3.session.Session(botocore_session=core)
            # No keys given: the client takes the session's, which are each run's own (target.client would set
            # the keys of cfg's account otherwise).
            _clients[key] = client(service, cfg, session=_session, aws_access_key_id=None,
                                   aws_secret_access_key=None, **kwargs)
        return _clients[key]
