"""Publishing check results to the local cloud's check board (/_lab/), which lights the architecture picture of each
learner and, for a class, draws a grid of learners × layers.

    publish(cfg, learner, results)   POST the results to <gateway>/_lab/api/checks; a no-op on the AWS target.
                                     The board keeps the learner's other layers (a notebook checks one layer);
                                     replace=True forgets them
    latest(cfg, learner)             the learner's results on the board, every layer published so far ([] on AWS)

Publishing is a courtesy to the page, never a reason for a check to fail: a cloud that is down, slow (over
TIMEOUT seconds) or refusing the body is ignored without a word.
"""

from __future__ import annotations

from typing import Any

from .config import Config

TIMEOUT = 1.0
# What the board keeps of a result (a validator's Result.as_dict() has more: a bug's traceback in "detail").
FIELDS = ("check", "status", "title", "hint", "observed", "counted", "doc")


def publish(cfg: Config, learner: str, results: list[Any], *, replace: bool = False) -> None:
    """Send ``learner``'s latest results (dicts, or objects with as_dict()) to the check board; never raises."""
    if not cfg.local:
        return
    try:
        import requests

        rows = [r.as_dict() if hasattr(r, "as_dict") else dict(r) for r in results]
        body = {"learner": learner, "target": cfg.target, "account": cfg.account, "replace": replace,
                "results": [{k: row[k] for k in FIELDS if k in row} for row in rows]}
        requests.post(f"{cfg.gateway_url}/_lab/api/checks", json=body, timeout=TIMEOUT)
    except Exception:  # noqa: BLE001 - the board is optional: a failure here must not break make check
        return


def latest(cfg: Config, learner: str) -> list[dict[str, Any]]:
    """Every result the board holds for ``learner`` (all the layers published so far, in workshop order), to draw
    the whole picture after checking one layer; [] on AWS, for an unknown learner, or when the cloud does not
    answer within TIMEOUT. Never raises."""
    if not cfg.local:
        return []
    try:
        import requests

        board = requests.get(f"{cfg.gateway_url}/_lab/api/checks", timeout=TIMEOUT).json()
        return list(board["learners"][learner]["results"])
    except Exception:  # noqa: BLE001 - as publish: the picture falls back to this run's results
        return []
