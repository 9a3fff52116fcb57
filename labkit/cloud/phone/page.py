"""The outbox page at /_lab/sms: the texts newest first, as a phone shows them, grouped by number; a one-time
password large, a text that was not delivered marked so, with the reason. It reloads itself every few seconds, so
a learner waiting for a code only watches. Every text reaches the page escaped, never as markup."""

from __future__ import annotations

import html
from typing import Any

REFRESH_S = 3

_CSS = (
    "*{box-sizing:border-box}body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
    "margin:0;color:#202124;background:#f6f7f9;line-height:1.4}header{background:#1f2937;color:#fff;padding:.8rem 1rem}"
    "header h1{font-size:1.2rem;margin:0}header p{margin:.2rem 0 0;color:#cbd5e1;font-size:.9rem}"
    "main{padding:.8rem 1rem;max-width:44rem}h2{font-size:1rem;margin:1.2rem 0 .5rem;color:#374151}"
    ".text{background:#e8f0fe;border-radius:18px 18px 18px 4px;padding:.6rem .9rem;margin:.4rem 0;max-width:36rem;"
    "overflow-wrap:anywhere;white-space:pre-wrap}.text.failed{background:#fce8e6;border:1px dashed #c5221f}"
    ".meta{color:#5f6368;font-size:.8rem;margin:0 0 .6rem .4rem}.reason{color:#a50e0e;font-size:.85rem;margin-top:.3rem}"
    ".code{font:700 1.8rem/1.1 ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;letter-spacing:.2em;"
    "color:#174ea6;user-select:all;display:block;margin:.2rem 0}.empty{color:#5f6368}"
)


def _text(entry: dict[str, Any]) -> str:
    failed = not entry["delivered"]
    code = f'<span class="code">{html.escape(entry["code"])}</span>' if entry.get("code") else ""
    reason = f'<div class="reason">{html.escape(entry["reason"])}</div>' if failed else ""
    origin = entry["origin"].rsplit(":", 1)[-1] if entry["origin"].startswith("arn:") else entry["origin"]
    meta = (f'{html.escape(entry["sent_at_iso"])} · from {html.escape(origin)} · account '
            f'{html.escape(entry["account"])} · {"not delivered" if failed else "delivered"}')
    return (f'<div class="text{" failed" if failed else ""}" data-id="{html.escape(entry["id"])}">{code}'
            f'{html.escape(entry["text"])}{reason}</div><p class="meta">{meta}</p>')


def listing(texts: list[dict[str, Any]], account: str | None) -> str:
    numbers: dict[str, list[dict[str, Any]]] = {}
    for entry in texts:
        numbers.setdefault(entry["to"], []).append(entry)
    body = "".join(f"<h2>{html.escape(number)}</h2>" + "".join(_text(e) for e in entries)
                   for number, entries in numbers.items())
    whose = f"account {html.escape(account)}" if account else "every account"
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Texts · local cloud</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="refresh" content="{REFRESH_S}"><style>{_CSS}</style></head><body><header>'
            f'<h1>Texts (SMS) sent by the local cloud</h1><p>{len(texts)} text(s), {whose}, newest first; '
            f'this page reloads every {REFRESH_S} s</p></header><main>'
            + (body or '<p class="empty">No texts yet. SNS Publish with a PhoneNumber, an sms subscription, or '
                       'CreateSMSSandboxPhoneNumber sends one here.</p>')
            + "</main></body></html>")
