"""The mailbox's HTML: the list at /_lab/mail and one message at /_lab/mail/<id>.

    listing(messages, to, …)   the list page: newest first, a filter box (?to=…), one account's mail or all
                            (?account=…, a picker once several accounts have mail), validator mail hidden behind
                            a toggle, verification codes large with a copy button; its script polls
                            /_lab/mail/api/messages and redraws without reloading (the filters stay)
    message_page(m)         one mail, its links clickable

The list is drawn by the page's script from the API's JSON (the first round comes embedded in the page, so nothing
waits on a request); a <noscript> list serves a browser without scripts. Text reaches the page through
textContent or escaping, never as markup.
"""

from __future__ import annotations

import html
import json
import re
import time
from typing import Any

POLL_MS = 2000
_LINK = re.compile(r"https?://[^\s<>\"']+")

_CSS = (
    "*{box-sizing:border-box}body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
    "margin:0;color:#202124;background:#f6f7f9;line-height:1.4}header{background:#1f2937;color:#fff;padding:.8rem 1rem}"
    "header h1{font-size:1.2rem;margin:0}header a{color:#cfe1ff}.bar{display:flex;flex-wrap:wrap;gap:.6rem 1rem;"
    "align-items:center;padding:.8rem 1rem;background:#fff;border-bottom:1px solid #e5e7eb;position:sticky;top:0;"
    "z-index:1}.bar input[type=search]{font:inherit;padding:.45rem .6rem;border:1px solid #9aa0a6;border-radius:6px;"
    "flex:1 1 14rem;min-width:0}.bar select{font:inherit;padding:.3rem}.bar label{white-space:nowrap}.muted{color:#5f6368;font-size:.85rem}"
    "ol#mails{list-style:none;margin:0;padding:.8rem 1rem;max-width:60rem}li.mail{background:#fff;border:1px solid "
    "#e5e7eb;border-radius:10px;padding:.7rem .9rem;margin-bottom:.7rem;overflow-wrap:anywhere}li.mail.validator"
    "{border-style:dashed;background:#fafafa}.subject{font-weight:600;font-size:1.05rem}.subject a{color:#1a56c4}"
    ".when{color:#5f6368;font-size:.85rem}.iso{white-space:nowrap}.addr{font-size:.9rem}"
    ".addr b{font-weight:600;color:#5f6368}"
    ".code{display:flex;align-items:center;gap:.8rem;flex-wrap:wrap;margin:.5rem 0}.digits{font:700 2rem/1.1 "
    "ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;letter-spacing:.25em;background:#e8f0fe;color:#174ea6;"
    "padding:.3rem .6rem;border-radius:8px;user-select:all}button.copy{font:inherit;font-weight:600;padding:.45rem "
    ".9rem;border-radius:6px;border:1px solid #1a73e8;background:#1a73e8;color:#fff;cursor:pointer}"
    "button.copy.done{background:#188038;border-color:#188038}details summary{cursor:pointer;color:#1a56c4;"
    "font-size:.9rem}pre{white-space:pre-wrap;font-size:.9rem;background:#f8f9fa;padding:.6rem;border-radius:6px;"
    "margin:.4rem 0 0}.empty{padding:1rem;color:#5f6368}"
)


def page(title: str, body: str, head: str = "") -> str:
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
            f"content='width=device-width, initial-scale=1'><title>{html.escape(title)}</title><style>{_CSS}</style>"
            f"{head}</head><body><header><h1>{html.escape(title)}</h1></header>{body}</body></html>")


def _embed(data: Any) -> str:
    """JSON that cannot end the <script> element holding it."""
    return json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _noscript(messages: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<li><a href='/_lab/mail/{html.escape(m['id'])}'>{html.escape(m['subject'] or '(no subject)')}</a> — to "
        f"{html.escape(', '.join(m['to']))}, {html.escape(m['received_at_iso'])}</li>" for m in messages)
    return f"<noscript><ol>{rows or '<li>No mail yet.</li>'}</ol></noscript>"


_SCRIPT = r"""
const POLL = %d;
const box = document.getElementById('to'), toggle = document.getElementById('show-validator');
const list = document.getElementById('mails'), hiddenNote = document.getElementById('hidden-count');
const picker = document.getElementById('account'), account = new URL(location.href).searchParams.get('account');
let mails = JSON.parse(document.getElementById('initial').textContent), rounds = 0;
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text; return e; }
function linkified(text) {
  const pre = el('pre'); let last = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"']+/g)) {
    pre.append(text.slice(last, m.index));
    const a = el('a', '', m[0]); a.href = m[0]; pre.append(a); last = m.index + m[0].length;
  }
  pre.append(text.slice(last)); return pre;
}
function copy(button) {
  const code = button.dataset.code;
  const done = () => { button.textContent = 'Copied'; button.classList.add('done');
    setTimeout(() => { button.textContent = 'Copy'; button.classList.remove('done'); }, 1500); };
  const fallback = () => { const r = document.createRange(); r.selectNodeContents(button.previousSibling);
    const s = getSelection(); s.removeAllRanges(); s.addRange(r); document.execCommand('copy'); done(); };
  if (navigator.clipboard) navigator.clipboard.writeText(code).then(done, fallback); else fallback();
}
function card(m) {
  const li = el('li', 'mail' + (m.validator ? ' validator' : '')); li.dataset.id = m.id;
  const when = el('div', 'when'); const t = el('time', '', new Date(m.received_at * 1000).toLocaleString());
  t.dateTime = m.received_at_iso; when.append(t, ' · ', el('span', 'iso', m.received_at_iso));
  const subject = el('div', 'subject'); const a = el('a', '', m.subject || '(no subject)');
  a.href = '/_lab/mail/' + encodeURIComponent(m.id); subject.append(a);
  const from = el('div', 'addr'); from.append(el('b', '', 'From: '), (m.headers && m.headers.From) || m.mail_from);
  const to = el('div', 'addr'); to.append(el('b', '', 'To: '), m.to.join(', '));
  li.append(when, subject, from, to);
  if (m.code) {
    const code = el('div', 'code'); const button = el('button', 'copy', 'Copy');
    button.type = 'button'; button.dataset.code = m.code; button.setAttribute('aria-label', 'copy the code ' + m.code);
    button.addEventListener('click', () => copy(button));
    code.append(el('span', 'digits', m.code), button); li.append(code);
  }
  const more = el('details'); more.append(el('summary', '', 'the whole mail'), linkified(m.text)); li.append(more);
  return li;
}
function draw() {
  const want = box.value.trim().toLowerCase(), showValidator = toggle.checked;
  const open = new Set([...list.querySelectorAll('details[open]')].map(d => d.closest('li').dataset.id));
  const matching = mails.filter(m => !want || m.to.some(r => r.toLowerCase().includes(want)));
  const shown = matching.filter(m => showValidator || !m.validator);
  const hidden = matching.length - shown.length;
  hiddenNote.textContent = hidden ? `(${hidden} hidden)` : '';
  list.replaceChildren(...shown.map(m => { const li = card(m);
    if (open.has(m.id)) li.querySelector('details').open = true; return li; }));
  if (!shown.length) list.append(el('li', 'empty', mails.length ? 'No mail matches.' : 'No mail yet.'));
}
function remember() {
  const url = new URL(location.href);
  if (box.value.trim()) url.searchParams.set('to', box.value.trim()); else url.searchParams.delete('to');
  if (toggle.checked) url.searchParams.set('validator', '1'); else url.searchParams.delete('validator');
  history.replaceState(null, '', url);
  draw();
}
async function poll() {
  try {
    // Only what is new, merged by id; every tenth round the whole list, to notice a cleared mailbox.
    const full = rounds++ %% 10 === 0, since = full || !mails.length ? 0 : mails[0].received_at;
    const query = new URLSearchParams({since});
    if (account) query.set('account', account);
    const answer = await fetch('/_lab/mail/api/messages?' + query, {cache: 'no-store'});
    const fresh = (await answer.json()).messages;
    const before = JSON.stringify(mails.map(m => m.id));
    if (full) mails = fresh;
    else { const known = new Set(mails.map(m => m.id));
      mails = fresh.filter(m => !known.has(m.id)).concat(mails); }
    mails.sort((a, b) => b.received_at - a.received_at);
    if (JSON.stringify(mails.map(m => m.id)) !== before) draw();
    document.getElementById('updated').textContent = 'checked ' + new Date().toLocaleTimeString();
  } catch (err) { document.getElementById('updated').textContent = 'the local cloud does not answer'; }
  setTimeout(poll, POLL);
}
box.addEventListener('input', remember); toggle.addEventListener('change', remember);
if (picker) picker.addEventListener('change', () => { const url = new URL(location.href);
  if (picker.value) url.searchParams.set('account', picker.value); else url.searchParams.delete('account');
  location.assign(url); });
draw(); setTimeout(poll, POLL);
""" % POLL_MS


def _account_picker(account: str | None, accounts: list[str]) -> str:
    """A select of the accounts that have mail; none while one account (or none) has any, unless one is chosen."""
    if len(accounts) < 2 and not account:
        return ""
    choices = [("", "all accounts")] + [(a, f"account {a}") for a in sorted(set(accounts) | ({account} - {None}))]
    options = "".join(f"<option value='{html.escape(value, quote=True)}'"
                      f"{' selected' if value == (account or '') else ''}>{html.escape(label)}</option>"
                      for value, label in choices)
    return f"<label>show <select id='account' aria-label='whose mail'>{options}</select></label>"


def listing(messages: list[dict[str, Any]], to: str, show_validator: bool, *, account: str | None = None,
            accounts: list[str] | None = None) -> str:
    """``messages``: the API's summaries, newest first (already only ``account``'s, when one is chosen);
    ``accounts``: every account that has mail, for the picker."""
    wanted = to.strip().lower()
    plain = [m for m in messages if not wanted or any(wanted in r.lower() for r in m["to"])]
    bar = (
        "<div class='bar'><input type='search' id='to' placeholder='filter by address' aria-label='filter by address'"
        f" value='{html.escape(to, quote=True)}'>{_account_picker(account, accounts or [])}"
        "<label><input type='checkbox' id='show-validator'"
        f"{' checked' if show_validator else ''}> show validator mail <span id='hidden-count' class='muted'></span>"
        "</label><span class='muted'><span id='updated'>live</span> · <a href='/_lab/'>lab home</a> · "
        f"<a href='/_lab/mail/api/messages{'?account=' + html.escape(account) if account else ''}'>JSON</a>"
        "</span></div>"
    )
    whose = (f"Account {html.escape(account)}'s mail: what its user pools and topics sent (and mail that names no "
             "account)." if account else "Everything the local cloud e-mails lands here: Cognito's codes, SNS's "
             "notifications.")
    body = (f"{bar}<p class='muted' style='margin:.6rem 1rem 0'>{whose}</p><ol id='mails'></ol>" + _noscript(plain)
            + f"<script type='application/json' id='initial'>{_embed(messages)}</script><script>{_SCRIPT}</script>")
    return page("Local cloud mailbox", body)


def message_page(m: dict[str, Any]) -> str:
    text = _LINK.sub(lambda found: f"<a href='{found.group(0)}'>{found.group(0)}</a>", html.escape(m["text"]))
    local = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(m["received_at"]))
    code = (f"<div class='code'><span class='digits'>{html.escape(m['code'])}</span></div>" if m.get("code") else "")
    body = (f"<ol id='mails'><li class='mail'><div class='when'>{local} · {html.escape(m['received_at_iso'])}</div>"
            f"<div class='addr'><b>From:</b> {html.escape(m['headers'].get('From') or m['mail_from'])}</div>"
            f"<div class='addr'><b>To:</b> {html.escape(', '.join(m['to']))}</div>{code}"
            f"<pre>{text}</pre></li></ol><p style='margin:0 1rem'><a href='/_lab/mail'>← all mail</a></p>")
    return page(m["subject"] or "(no subject)", body)
