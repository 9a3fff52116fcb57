"""The local cloud's home page and check board, under /_lab/ on the gateway.

    LabComponent   GET  /_lab/                  the home page (page.py): components' health, links, the architecture
                                                picture lit by the learner's last checks, the class grid
                   GET  /_lab/architecture.svg  that picture alone (?learner=…; default: who published last)
                   GET  /_lab/api/checks        every learner's latest results and layers (board.py)
                   POST /_lab/api/checks        publish one learner's results (labkit.checkboard.publish)
                   DELETE /_lab/api/checks      forget them all (?learner=… one)
                   GET  /_lab/docs/…            the docs site, once make docs has built it into site/

Errors are JSON {"message": …} with a 4xx status, as the kit's other /_lab/ APIs answer; the board is kept in the
snapshot, so a class's results survive a restart of the cloud.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from ...architecture import svg
from ...config import PROJECT_ROOT
from ...endpoints import site_origin
from ..core.component import Component
from . import page
from .board import MAX_BODY, BadBody, CheckBoard

DOCS_SITE = PROJECT_ROOT / "site"  # where make docs (mkdocs build) writes the site
DOCS_SOURCE = PROJECT_ROOT / "docs"


class LabComponent(Component):
    name = "lab"

    def __init__(self, cloud: Any, docs_site: Path = DOCS_SITE) -> None:
        super().__init__(cloud)
        self.board = CheckBoard()
        self.docs_site = docs_site

    def routes(self) -> dict[str, Any]:
        return {"": self._home, "architecture.svg": self._architecture, "api/checks": self._checks,
                "docs": self._docs}

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "learners": len(self.board.learners)}

    def snapshot(self) -> Any:
        return self.board.snapshot()

    def restore(self, state: Any) -> None:
        self.board.restore(state)

    # -- pages ---------------------------------------------------------------------------------------------------
    def _selected(self, request: Request) -> str | None:
        asked = request.args.get("learner")
        return asked if asked in self.board.learners else self.board.latest()

    def _home(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return _json({"message": "the home page is read with GET"}, 405)
        learner = self._selected(request)
        html = page.home(
            health=self.cloud.health.document(),
            board=self.board.document(),
            learner=learner,
            picture=svg(self.board.layers(learner) if learner else {}),
            site=site_origin(self.cloud.cfg),
            docs=("/_lab/docs/", "the docs site") if (self.docs_site / "index.html").is_file() else
            (None, f"{DOCS_SOURCE} (make docs builds the site)"),
        )
        return Response(html, mimetype="text/html", headers={"Cache-Control": "no-store"})

    def _architecture(self, request: Request) -> Response:
        learner = self._selected(request)
        picture = svg(self.board.layers(learner) if learner else {})
        return Response(picture, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})

    def _checks(self, request: Request) -> Response:
        if request.method == "GET":
            return _json(self.board.document())
        if request.method == "DELETE":
            forgotten = self.board.clear(request.args.get("learner"))
            self.cloud.mark_changed()
            return _json({"deleted": forgotten})
        if request.method != "POST":
            return _json({"message": f"{request.method} is not answered here: GET, POST or DELETE"}, 405)
        if (request.content_length or 0) > MAX_BODY:
            return _json({"message": f"the body is {request.content_length} bytes; the board takes at most "
                                     f"{MAX_BODY}"}, 413)
        raw = request.stream.read(MAX_BODY + 1)
        if len(raw) > MAX_BODY:
            return _json({"message": f"the body is over {MAX_BODY} bytes, the most the board takes"}, 413)
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            return _json({"message": f"the body is not JSON: {exc}"}, 400)
        try:
            learner = self.board.publish(body)
        except BadBody as exc:
            return _json({"message": str(exc)}, 400)
        self.cloud.mark_changed()  # the gateway counts changes only for AWS calls: the snapshot must see this one
        return _json({"learner": learner, "layers": self.board.layers(learner)})

    def _docs(self, request: Request) -> Response:
        if request.path == "/_lab/docs":
            return Response(status=302, headers={"Location": "/_lab/docs/"})  # the site's links are relative
        rest = request.path[len("/_lab/docs/"):]
        inside = safe_join(str(self.docs_site), rest) if rest else str(self.docs_site)
        if inside is not None and Path(inside).is_dir():
            if rest and not rest.endswith("/"):
                return Response(status=302, headers={"Location": f"/_lab/docs/{rest}/"})
            rest += "index.html"
        try:
            return send_from_directory(self.docs_site, rest, request.environ)
        except NotFound:
            return Response(f"not in the built docs site ({self.docs_site}): {rest}; make docs rebuilds it", 404,
                            mimetype="text/plain")


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, indent=2), status, mimetype="application/json",
                    headers={"Cache-Control": "no-store"})
