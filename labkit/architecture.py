"""The contact site's architecture, each layer lit by its last check result: one picture for notebooks and /_lab/.

    LAYERS                         layer name → (title, caption), in workshop order (the validators' layers)
    layers_from_results(results)   check results → {layer: {"status", "score", "hint", "check"}}
    svg(layers)                    the picture as SVG text: browser → Route 53 → CloudFront (WAF, ACM, S3 origin) →
                                   Cognito → API Gateway → Lambda (DynamoDB, SNS) → mailbox, with a legend and the
                                   hints of the failed layers
    show(layers)                   display it in a notebook (a no-op outside IPython)

A layer's status comes from its checks (a check's layer is its id up to the first "."): fail if any failed, else
pending if any is pending (AWS still settling), else blocked if any waits on another layer, else pass; skip when
every check was skipped (not applicable on this target). Its score is passed/counted, as the report's.
"""

from __future__ import annotations

import sys
import textwrap
from html import escape
from typing import Any

LAYERS: dict[str, tuple[str, str]] = {
    "setup": ("Setup", "00 · target, account, tools"),
    "s3": ("S3 origin", "01 · the site's files"),
    "certificate": ("ACM certificate", "02 · HTTPS names"),
    "dns": ("Route 53", "03 · the domain"),
    "cdn": ("CloudFront", "04 · cache, HTTPS"),
    "waf": ("WAF", "05 · screens requests"),
    "cognito": ("Cognito", "06 · sign-in"),
    "dynamodb": ("DynamoDB", "07 · the messages"),
    "lambda": ("Lambda", "08 · the handler"),
    "api": ("API Gateway", "09 · POST /messages"),
    "sns": ("SNS", "10 · mails the owner"),
    "journey": ("End to end", "11 · sign in, send, read the mail"),
}
STATUSES = ("pass", "fail", "pending", "blocked", "skip")
# Order of precedence when a layer's checks disagree (the first found wins).
_PRECEDENCE = ("fail", "pending", "blocked")

# status → (fill, stroke, text colour, symbol, word); None is a layer with no result yet. The /_lab/ page colours
# its class grid from it too.
LOOK: dict[str | None, tuple[str, str, str, str, str]] = {
    "pass": ("#e6f4ea", "#188038", "#0d652d", "✓", "passed"),
    "fail": ("#fce8e6", "#c5221f", "#a50e0e", "✗", "failed"),
    "pending": ("#fef7e0", "#e37400", "#9a4f00", "…", "pending"),
    "blocked": ("#f3e8fd", "#8430ce", "#681da8", "⊘", "blocked"),
    "skip": ("#f8f9fa", "#9aa0a6", "#5f6368", "–", "skipped"),
    None: ("#f1f3f4", "#9aa0a6", "#5f6368", "○", "not yet"),
}


def layer_of(check_id: str) -> str:
    return check_id.split(".", 1)[0]


def layers_from_results(results: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Each layer's status, score and the hint of the check that decided the status.

    ``results`` are check results as the validators' Result.as_dict() gives them ("check", "status", "hint",
    optionally "counted", False for a check that does not apply to the target); unknown statuses are ignored."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        if result.get("status") in STATUSES and result.get("check"):
            grouped.setdefault(layer_of(str(result["check"])), []).append(result)
    layers: dict[str, dict[str, str]] = {}
    for layer, checks in grouped.items():
        counted = [r for r in checks if r.get("counted", r["status"] != "skip")]
        deciding = next((r for status in _PRECEDENCE for r in checks if r["status"] == status), None)
        if deciding is not None:
            status = deciding["status"]
        else:
            status = "skip" if all(r["status"] == "skip" for r in checks) else "pass"
        layers[layer] = {
            "status": status,
            "score": f"{sum(r['status'] == 'pass' for r in counted)}/{len(counted)}",
            "hint": str((deciding or {}).get("hint") or (deciding or {}).get("observed") or ""),
            "check": str((deciding or {}).get("check") or ""),
            "doc": str((deciding or {}).get("doc") or ""),  # where that check is explained (validators/explain.py)
        }
    return layers


# -- the picture -------------------------------------------------------------------------------------------------
# 420 wide: on a 390 px phone the picture is drawn at ~0.85, which keeps 12 px text readable.
WIDTH = 420
_PAD, _GAP, _INDENT = 10, 26, 18
_COL = (WIDTH - 2 * _PAD - _GAP) // 2  # 187
_LEFT, _RIGHT = _PAD, _PAD + _COL + _GAP
_TOP, _PITCH, _BOX_H = 100, 82, 62
_BAR_H = 46
_HINT_CHARS, _HINT_LINES = 58, 4


def _row_y(row: int) -> int:
    return _TOP + row * _PITCH


# name → (column x, row, indented): the browser-side path on the left, the application on the right.
_PLACES: dict[str, tuple[int, int, bool]] = {
    "browser": (_LEFT, 0, False), "dns": (_LEFT, 1, False), "cdn": (_LEFT, 2, False),
    "waf": (_LEFT, 3, True), "certificate": (_LEFT, 4, True), "s3": (_LEFT, 5, True),
    "cognito": (_RIGHT, 0, False), "api": (_RIGHT, 1, False), "lambda": (_RIGHT, 2, False),
    "dynamodb": (_RIGHT, 3, True), "sns": (_RIGHT, 4, True), "mailbox": (_RIGHT, 5, True),
}
_PLAIN = {"browser": ("Browser", "the contact page"), "mailbox": ("Mailbox", "the owner's inbox")}


def _box(name: str) -> tuple[int, int, int, int]:
    x, row, indented = _PLACES[name]
    return x + (_INDENT if indented else 0), _row_y(row), _COL - (_INDENT if indented else 0), _BOX_H


def _text(x: float, y: float, content: str, cls: str, anchor: str = "start", fill: str = "") -> str:
    colour = f' fill="{fill}"' if fill else ""
    return f'<text x="{x}" y="{y}" class="{cls}" text-anchor="{anchor}"{colour}>{escape(content)}</text>'


def _layer_box(name: str, x: int, y: int, w: int, h: int, layer: dict[str, str] | None, note: int | None) -> str:
    """Name and caption on the left; the status line (symbol, word, score, hint number) under them in a box, at the
    right of the first line in a bar (setup, end to end)."""
    title, caption = LAYERS[name]
    status = (layer or {}).get("status")
    status = status if status in STATUSES else None
    fill, stroke, ink, symbol, word = LOOK[status]
    score = (layer or {}).get("score", "") if status in ("pass", "fail") else ""
    line = " ".join(filter(None, (symbol, word, score))) + (f" · hint {note}" if note else "")
    tooltip = f"{title}: {word}" + (f" ({score})" if score else "") + (f". {layer['hint']}" if layer and
                                                                        layer.get("hint") and status != "pass" else "")
    dash = ' stroke-dasharray="5 3"' if status is None else ""
    bar = h < _BOX_H
    status_text = _text(x + w - 10, y + 20, line, "word", "end", ink) if bar else _text(x + 10, y + 52, line, "word",
                                                                                         fill=ink)
    return (f'<g class="layer" data-layer="{name}" data-status="{status or "none"}"><title>{escape(tooltip)}</title>'
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{1.5 if status is None else 2}"{dash}/>'
            + _text(x + 10, y + 20, title, "name") + _text(x + 10, y + 36, caption, "caption") + status_text + "</g>")


def _plain_box(name: str) -> str:
    x, y, w, h = _box(name)
    title, caption = _PLAIN[name]
    return (f'<g class="plain" data-box="{name}"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="#fff" '
            f'stroke="#5f6368" stroke-width="1.5"/>' + _text(x + 10, y + 20, title, "name")
            + _text(x + 10, y + 36, caption, "caption") + "</g>")


def _arrow(x1: float, y1: float, x2: float, y2: float, label: str = "") -> str:
    line = f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" class="flow"/>'
    return line + (_text(x1 + 7, (y1 + y2) / 2 + 4, label, "flowlabel") if label else "")


def _down(upper: str, lower: str, label: str = "") -> str:
    ux, uy, uw, uh = _box(upper)
    lx, ly, lw, _ = _box(lower)
    x = lx + lw / 2
    return _arrow(x, uy + uh, x, ly - 2, label)


def _tree(parent: str, children: list[str]) -> str:
    """A file-tree connector: the parent's service uses each child (CloudFront: WAF, ACM, S3 origin)."""
    px, py, _, ph = _box(parent)
    x = px + _INDENT / 2
    last = _box(children[-1])
    parts = [f'<line x1="{x}" y1="{py + ph}" x2="{x}" y2="{last[1] + _BOX_H / 2}" class="tree"/>']
    for child in children:
        cx, cy, _, _ = _box(child)
        parts.append(_arrow(x, cy + _BOX_H / 2, cx - 2, cy + _BOX_H / 2))
    return "".join(parts)


def _bar(name: str, y: int, layer: dict[str, str] | None, note: int | None) -> str:
    return _layer_box(name, _PAD, y, WIDTH - 2 * _PAD, _BAR_H, layer, note)


def _legend(y: int) -> str:
    parts, x = [], _PAD
    for status in (*STATUSES, None):
        fill, stroke, ink, symbol, word = LOOK[status]
        parts.append(f'<rect x="{x}" y="{y - 11}" width="14" height="14" rx="3" fill="{fill}" stroke="{stroke}"/>'
                     + _text(x + 7, y, symbol, "legendmark", "middle", ink) + _text(x + 18, y, word, "legend"))
        x += 18 + round(len(word) * 6.2) + 8  # each item as wide as its word
    return "".join(parts)


def _hints(notes: list[tuple[int, str, dict[str, str]]], y: int) -> tuple[str, int]:
    if not notes:
        return "", y
    parts = [_text(_PAD, y, "What the checks say", "name")]
    y += 20
    for number, name, layer in notes:
        _, _, ink, symbol, _ = LOOK[layer["status"]]
        heading = f"{number}. {LAYERS[name][0]}" + (f" · {layer['check']}" if layer.get("check") else "")
        head = _text(_PAD, y, heading, "hinthead", fill=ink)
        if layer.get("doc", "").startswith(("http://", "https://", "file:")):  # the check's entry in the docs
            head = f'<a href="{escape(layer["doc"])}" target="_blank">{head}</a>'
        parts.append(f'<g class="hint" data-layer="{escape(name)}">' + head)
        lines = textwrap.wrap(layer["hint"], _HINT_CHARS) or [""]
        if len(lines) > _HINT_LINES:
            lines = lines[:_HINT_LINES]
            lines[-1] = lines[-1][: _HINT_CHARS - 1].rstrip() + "…"
        for line in lines:
            y += 16
            parts.append(_text(_PAD + 14, y, line, "hinttext"))
        parts.append("</g>")
        y += 24
    return "".join(parts), y - 8


_STYLE = (
    "text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;fill:#202124}"
    ".title{font-size:17px;font-weight:600}.name{font-size:14px;font-weight:600}.caption{font-size:12px;"
    "fill:#5f6368}.word{font-size:12px;font-weight:700}"
    ".flow{stroke:#5f6368;stroke-width:1.5;marker-end:url(#lab-arch-arrow)}.tree{stroke:#5f6368;stroke-width:1.5}"
    ".flowlabel{font-size:11px;fill:#5f6368}.legend{font-size:11.5px;fill:#3c4043}.legendmark{font-size:10px;"
    "font-weight:700}.hinthead{font-size:12.5px;font-weight:700}a .hinthead{text-decoration:underline}"
    ".hinttext{font-size:12px;fill:#3c4043}"
)


def svg(layers: dict[str, dict[str, str]] | None = None, title: str = "The contact site, layer by layer") -> str:
    """The architecture as SVG text (self-contained: no fonts or scripts to fetch). ``layers`` maps a layer name to
    {"status": pass|fail|pending|blocked|skip, "score": "3/4", "hint": …}, as layers_from_results gives; a layer
    missing from it is drawn grey, "not yet". Failed and pending layers' hints are listed under the legend."""
    layers = layers or {}
    notes = [(n, name, layers[name]) for n, name in enumerate(
        (name for name in LAYERS if (layers.get(name) or {}).get("status") in ("fail", "pending")
         and layers[name].get("hint")), start=1)]
    number = {name: n for n, name, _ in notes}
    body = [_text(_PAD, 24, title, "title"), _bar("setup", 34, layers.get("setup"), number.get("setup"))]
    for name in _PLACES:
        if name in _PLAIN:
            body.append(_plain_box(name))
        else:
            body.append(_layer_box(name, *_box(name), layers.get(name), number.get(name)))
    body += [_down("browser", "dns", "looks up the name"), _down("dns", "cdn", "alias record"),
             _tree("cdn", ["waf", "certificate", "s3"]), _down("cognito", "api", "token (JWT)"),
             _down("api", "lambda", "invokes"), _tree("lambda", ["dynamodb", "sns"]), _down("sns", "mailbox", "e-mail")]
    bx, by, bw, _ = _box("browser")
    cx = _box("cognito")[0]
    body.append(_arrow(bx + bw, by + _BOX_H / 2, cx - 2, by + _BOX_H / 2))
    journey_y = _row_y(5) + _BOX_H + 22
    body.append(_bar("journey", journey_y, layers.get("journey"), number.get("journey")))
    legend_y = journey_y + _BAR_H + 28
    body.append(_legend(legend_y))
    hints, bottom = _hints(notes, legend_y + 32)
    body.append(hints)
    height = max(bottom, legend_y) + 16
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="lab-architecture" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">'
            f'<defs><marker id="lab-arch-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#5f6368"/></marker>'
            f"<style>{_STYLE}</style></defs>"
            f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>' + "".join(body) + "</svg>")


def show(layers: dict[str, dict[str, str]] | None = None) -> None:
    """Display the picture in the running notebook; outside IPython (make check in a terminal) it does nothing."""
    ipython = sys.modules.get("IPython")  # a kernel has imported it; importing it here would slow other importers
    if ipython is None or ipython.get_ipython() is None:
        return
    from IPython.display import SVG, display

    display(SVG(svg(layers)))
