"""Errors a learner or instructor can meet, each with a message that says what to do.

    LabError                      base: printed as one line by the CLIs, never as a traceback
    ├── ConfigError               a LAB_* setting is missing or malformed
    ├── TargetError               the AWS target is unusable (credentials, account, region)
    ├── CloudDown                 the local cloud is not running or not healthy
    └── PortInUse                 a listener's port is taken by another process
"""

from __future__ import annotations


class LabError(Exception):
    """A mistake the user can fix; ``str(err)`` says what is wrong and what to do."""


class ConfigError(LabError):
    pass


class TargetError(LabError):
    pass


class CloudDown(LabError):
    def __init__(self, message: str = "the local cloud is not running: run make up") -> None:
        super().__init__(message)


class PortInUse(LabError):
    def __init__(self, name: str, port: int, setting: str) -> None:
        self.name, self.port, self.setting = name, port, setting
        super().__init__(
            f"port {port} ({name}) is already in use by another process: stop that process, "
            f"or choose another port with {setting}=<port> (for example {setting}={port + 1})"
        )
