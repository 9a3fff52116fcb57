"""The /_lab/ home page as HTML: drawn here only, in Python; its script re-fetches the page when something changed.

    home(health, board, learner, picture, site, docs)   the whole page

The script polls /_lab/api/checks and /_lab/health every POLL_MS; when the board or a component's status changed it
fetches the page again and swaps the parts marked data-live, so there is one way to draw each part. Everything
taken from outside (learner names, hints, health details) is escaped. No fonts or scripts are fetched: the page
works offline.
"""

from __future__ import annotations

import time
from html import escape
from typing import Any
from urllib.parse import quote

from ...architecture import LAYERS, LOOK

POLL_MS = 3000


def _status_css() -> str:
    rules = []
    for status, (fill, stroke, ink, _, _) in LOOK.items():
        rules.append(f".s-{status or 'none'}{{background:{fill};border-color:{stroke};color:{ink}}}")
    return "".join(rules)


_CSS = (
    "*{box-sizing:border-box}body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
    "margin:0;color:#202124;background:#f6f7f9;line-height:1.4}header{background:#1f2937;color:#fff;padding:.8rem "
    "1rem}header h1{font-size:1.2rem;margin:0 0 .5rem}nav{display:flex;flex-wrap:wrap;gap:.5rem}nav a,nav span{"
    "color:#fff;background:#374151;border-radius:6px;padding:.35rem .7rem;text-decoration:none;font-size:.9rem}"
    "nav a:hover{background:#4b5563}nav span{background:none;padding-left:0;color:#d1d5db;overflow-wrap:anywhere}"
    # A phone reads the parts in page order (picture, class, components); a wide screen puts the components beside
    # the picture and the class under both.
    "main{display:grid;gap:1rem;padding:1rem;max-width:1200px;grid-template-columns:minmax(0,540px) minmax(0,1fr);"
    "grid-template-areas:'picture components' 'class class';align-items:start}#picture{grid-area:picture}"
    "#components{grid-area:components}#class{grid-area:class}"
    "section{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:.8rem 1rem;min-width:0}"
    "h2{font-size:1.05rem;margin:0 0 .5rem}.arch svg{width:100%;height:auto;display:block}"
    ".muted{color:#5f6368;font-size:.9rem}.notice{background:#fef7e0;border:1px solid #e37400;border-radius:8px;"
    "padding:.5rem .8rem;margin:1rem 1rem 0}ul.components{list-style:none;margin:0;padding:0}"
    "ul.components li{display:flex;gap:.5rem;align-items:baseline;padding:.3rem 0;border-bottom:1px solid #f1f3f4;"
    "flex-wrap:wrap}.dot{display:inline-block;width:.7rem;height:.7rem;border-radius:50%;flex:none;"
    "align-self:center}.ok{background:#188038}.bad{background:#c5221f}.starting{background:#e37400}"
    ".cname{font-weight:600;min-width:7rem}.cdetail{color:#5f6368;font-size:.85rem;overflow-wrap:anywhere;"
    "flex:1 1 12rem}"
    ".gridwrap{overflow-x:auto}table.grid{border-collapse:separate;"
    "border-spacing:3px;font-size:.85rem}table.grid th{font-weight:600;text-align:center;padding:.2rem .3rem;"
    "white-space:nowrap}table.grid th.learner{text-align:left;position:sticky;left:0;background:#fff;z-index:1}"
    "table.grid td.cell{border:2px solid;border-radius:6px;text-align:center;min-width:3.2rem;padding:.25rem;"
    "cursor:pointer;white-space:nowrap}table.grid td.cell:focus{outline:3px solid #1a73e8}tr.selected th.learner"
    "{text-decoration:underline}td.total{font-weight:700;text-align:right;padding:0 .4rem;white-space:nowrap}"
    "#cell-hint{margin-top:.6rem;padding:.5rem .8rem;border-radius:8px;border:2px solid #e5e7eb;min-height:2.4rem;"
    "overflow-wrap:anywhere}a{color:#1a56c4}" + _status_css()
    # last, so that it overrides the rules above on a narrow screen
    + "@media (max-width:800px){main{grid-template-columns:minmax(0,1fr);grid-template-areas:none;padding:.5rem;"
    "gap:.5rem}#picture,#components,#class{grid-area:auto}section{padding:.6rem .5rem}header{padding:.6rem .5rem}"
    "nav a,nav span{font-size:.85rem;padding:.3rem .55rem}}"
)


def _detail(report: dict[str, Any]) -> str:
    """A component's health entry in a few words: scalars as they are, ports and other maps flattened, lists
    counted (the gateway's providers would fill the line)."""
    words = []
    for key, value in report.items():
        if key == "status":
            continue
        if isinstance(value, dict):
            inner = " · ".join(f"{k} {v}" for k, v in value.items() if not isinstance(v, (dict, list)))
            words.append(f"{key}: {inner}" if inner else f"{key}: {len(value)}")
        elif isinstance(value, list):
            words.append(f"{len(value)} {key}")
        elif key.endswith("_at") and isinstance(value, (int, float)):  # a time.time(), as people read it
            words.append(f"{key} {time.strftime('%H:%M:%S', time.localtime(value))}")
        elif value is not None:
            words.append(f"{key} {value}")
    return "; ".join(words)


def _components(health: dict[str, Any]) -> str:
    items = []
    for name, report in health.get("components", {}).items():
        status = str(report.get("status", "?"))
        dot = "ok" if status == "ok" else "starting" if status == "starting" else "bad"
        items.append(f'<li data-component="{escape(name)}" data-health="{escape(status)}"><span class="dot {dot}" '
                     f'title="{escape(status)}"></span><span class="cname">{escape(name)}</span><span>'
                     f'{escape(status)}</span><span class="cdetail">{escape(_detail(report))}</span></li>')
    overall = escape(str(health.get("status", "?")))
    return (f'<section id="components" data-live><h2>Components: {overall}</h2><ul class="components">'
            f'{"".join(items)}</ul><p class="muted">As <a href="/_lab/health">/_lab/health</a> reports them.</p>'
            "</section>")


def _picture(board: dict[str, Any], learner: str | None, picture: str) -> str:
    if learner is None:
        said = ('<p class="muted">No results yet: run <code>make check</code>, or the last cell of a notebook, '
                "to light the layers.</p>")
        heading = "The layers"
    else:
        entry = board["learners"][learner]
        said = (f'<p class="muted">Last checked <time datetime="{escape(entry["updated"])}">'
                f'{escape(entry["updated"])}</time> on the {escape(entry["target"] or "?")} target. Hover or tap a '
                "box for its hint.</p>")
        heading = f"Layers of {escape(learner)}"
    # The SVG is the kit's own (architecture.svg escapes every text it draws): inserted as markup, not escaped.
    return f'<section id="picture" data-live><h2>{heading}</h2>{said}<div class="arch">{picture}</div></section>'


def _total(layers: dict[str, dict[str, str]]) -> str:
    passed = counted = 0
    for layer in layers.values():
        done, _, of = layer["score"].partition("/")
        passed, counted = passed + int(done or 0), counted + int(of or 0)
    return f"{passed}/{counted}"


def _grid(board: dict[str, Any], learner: str | None) -> str:
    learners = board["learners"]
    if len(learners) < 2:
        return '<section id="class" data-live hidden></section>'
    names = list(LAYERS) + sorted({n for e in learners.values() for n in e["layers"]} - set(LAYERS))
    head = "".join(f'<th title="{escape(" · ".join(LAYERS.get(n, (n, ""))))}">{escape(n)}</th>' for n in names)
    rows = []
    for name, entry in learners.items():
        cells = []
        for layer in names:
            found = entry["layers"].get(layer)
            status = found["status"] if found else None
            word = LOOK[status][4]
            shown = found["score"] if found and status in ("pass", "fail") else LOOK[status][3]
            hint = word
            if found:
                hint = f"{word} {found['score']}" + (f": {found['hint']}" if found.get("hint") else "")
            cells.append(f'<td class="cell s-{status or "none"}" tabindex="0" data-layer="{escape(layer)}" '
                         f'data-learner="{escape(name)}" data-hint="{escape(hint)}" title="{escape(hint)}">'
                         f"{escape(shown)}</td>")
        selected = ' class="selected"' if name == learner else ""
        link = f'<a href="?learner={escape(quote(name, safe=""))}">{escape(name)}</a>'
        rows.append(f'<tr{selected} data-learner="{escape(name)}"><th class="learner">{link}</th><td class="total">'
                    f'{_total(entry["layers"])}</td>{"".join(cells)}</tr>')
    return (f'<section id="class" data-live><h2>The class</h2><p class="muted">{len(learners)} learners. Tap a cell '
            f'for its hint, a name for that learner\'s picture.</p><div class="gridwrap"><table class="grid"><thead>'
            f'<tr><th class="learner">learner</th><th>score</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            '</table></div><div id="cell-hint" class="muted">Tap a cell.</div></section>')


def _nav(site: str, docs: tuple[str | None, str], mailbox: str) -> str:
    href, label = docs
    docs_link = (f'<a href="{escape(href)}">Docs</a>' if href else
                 f'<span title="the docs site is not built">Docs: {escape(label)}</span>')
    return (f'<nav><a href="{escape(site)}" id="site-link">The site: {escape(site)}</a>'
            f'<a href="{escape(mailbox)}" id="mail-link">Mailbox</a>' + docs_link
            + '<a href="/_lab/api/checks">Check results (JSON)</a></nav>')


_SCRIPT = """
const POLL = %d;
function localTimes(root) {
  for (const t of root.querySelectorAll('time[datetime]')) {
    const d = new Date(t.getAttribute('datetime'));
    if (!isNaN(d)) { t.textContent = d.toLocaleString(); t.title = t.getAttribute('datetime'); }
  }
}
function showHint(cell) {
  const panel = document.getElementById('cell-hint');
  panel.textContent = cell.dataset.learner + ' · ' + cell.dataset.layer + ' · ' + cell.dataset.hint;
  panel.className = cell.className.replace('cell', '').trim();
}
document.addEventListener('click', e => { const c = e.target.closest('td.cell'); if (c) showHint(c); });
document.addEventListener('keydown', e => {
  const c = e.target.closest && e.target.closest('td.cell');
  if (c && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); showHint(c); }
});
let seen = null;
async function state() {
  const [checks, health] = await Promise.all([fetch('/_lab/api/checks'), fetch('/_lab/health')]);
  const comps = (await health.json()).components || {};
  return (await checks.text()) + JSON.stringify(Object.keys(comps).map(k => [k, comps[k].status]));
}
async function poll() {
  try {
    const now = await state();
    if (seen !== null && now !== seen) {
      const html = await (await fetch(location.href, {cache: 'no-store'})).text();
      const fresh = new DOMParser().parseFromString(html, 'text/html');
      for (const part of document.querySelectorAll('[data-live]')) {
        const next = fresh.getElementById(part.id);
        if (next) part.replaceWith(next);
      }
      localTimes(document);
    }
    seen = now;
    document.body.dataset.polled = String(Date.now());
  } catch (err) { /* the cloud restarting: try again on the next round */ }
  setTimeout(poll, POLL);
}
localTimes(document);
poll();
""" % POLL_MS


def home(*, health: dict[str, Any], board: dict[str, Any], learner: str | None, picture: str, site: str,
         docs: tuple[str | None, str]) -> str:
    """``learner``: whose picture is shown; the Mailbox link opens that learner's account's mail."""
    entry = board["learners"].get(learner) if learner else None
    account = entry.get("account") if entry else None
    mailbox = f"/_lab/mail?account={account}" if account else "/_lab/mail"
    notices = "".join(f'<p class="notice">{escape(str(n))}</p>' for n in health.get("notices", []))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'><title>Serverless Lab Kit · local cloud"
        f"</title><style>{_CSS}</style></head><body><header><h1>Serverless Lab Kit · local cloud</h1>"
        f"{_nav(site, docs, mailbox)}</header>{notices}<main>{_picture(board, learner, picture)}{_grid(board, learner)}"
        f"{_components(health)}</main>"
        f"<script>{_SCRIPT}</script></body></html>"
    )

