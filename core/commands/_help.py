"""The cheat sheet users see with ``help``, and one page per command.

Short on purpose: chat messages are read on phones. Every line shows a
command to copy, because an example teaches the grammar faster than a
description of it.
"""

from __future__ import annotations

from core.commands._commands import MAX_CLIP_SECONDS
from core.commands._text import fold
from core.commands._verbs import find_verb

_OVERVIEW = """\
Refrain makes short, licensed covers of catalog songs.
• `cover "Golden Hour" style:lofi` — a cover in a style (`styles` lists them)
• `cover Golden Hour by Mira Vale in the style of synthwave length:30`
• `cover "Golden Hour" voice:"Ada Nova"` — sung by a consented voice model
• `remix Golden Hour style:drum-and-bass` — a remix of the recording itself
• `styles [song]`, `voices [song]` — what you can ask for
• `quota` — your seconds left · `status [id]` · `cancel <id>` · `upgrade` — paid plans
• `terms`, `terms accept` · `settings country DE` — your country
• `trace` + an audio file — whose clip is this? (moderators)
• `report <clip id> [what is wrong]` — flag a clip for this server's moderators
• Moderators: `settings`, `settings <key> <value>`, `audit`, `reports`, `resolve <id>`
`help <command>` explains one, e.g. `help cover`."""

_TOPICS = {
    "cover": f"""\
`cover <song> [by <artist>] [style:<style>] [voice:<voice>] [length:<seconds>]`
• The song comes first; quote it when it contains words like "by": \
`cover "Stand by Me" by Kai Orin style:lofi`
• Style: `style:lofi`, `in the style of synthwave`, or `as 8-bit` after the song.
• Voice: `voice:"Ada Nova"` or `in the voice of Ada Nova` (consented voice models only).
• Length: `length:30`, `length:45s` or `length:1:30`, at most {MAX_CLIP_SECONDS} seconds.
Without a style I ask which one; `styles <song>` lists what its license allows.""",
    "remix": """\
`remix <song> [by <artist>] style:<style> [length:<seconds>]`
A remix reuses the original recording's parts, so it keeps the original singer.
Example: `remix "Golden Hour" style:drum-and-bass length:60`""",
    "styles": """\
`styles` lists every style; `styles Golden Hour` those the song's license allows here.
Styles: lofi, synthwave, 8-bit, acoustic, orchestral-pad, drum-and-bass, a-cappella, \
instrumental.""",
    "voices": """\
`voices` lists the consented voice models; `voices Golden Hour` those licensed for the song.
Use one with `cover "Golden Hour" voice:"Ada Nova"`.""",
    "quota": "`quota` shows the render-seconds you have left and when they reset.",
    "status": "`status` shows your latest requests; `status 1a2b3c4d` shows one.",
    "upgrade": """\
`upgrade` (or `premium`) lists the paid plans: more render time and longer clips, paid \
with the platform's own payments (Telegram Stars, Discord). `upgrade fan-month` buys one.""",
    "cancel": """\
`cancel 1a2b3c4d` stops a queued or running request and gives its seconds back.
`status` shows the ids.""",
    "trace": """\
Send `trace` with an audio file attached: Refrain reads its watermark and says which \
request made the clip (moderators).""",
    "terms": "`terms` shows the terms of use; `terms accept` accepts them.",
    "settings": """\
You: `settings country DE` sets the country whose licenses apply to you \
(`settings country clear` resets it).
Moderators (`settings` shows the current ones):
• `settings styles lofi, acoustic` | `all` | `none`
• `settings disable-style synthwave`, `settings enable-style synthwave`
• `settings voices Ada Nova, Kai Orin` | `all` | `none`
• `settings channels #covers #music` | `all`
• `settings max-length 60` | `off` · `settings cooldown 30` | `off`
• `settings pool 3600` (seconds per day for the whole server) | `off`
• `settings user-limit 300` (seconds per day for each member, within the pool) | `off`
• `settings server-country DE` | `clear` — the default for members without one
• `settings ban @name`, `settings unban @name`
• `settings nsfw-filter on` | `off` — refuse songs their label marks explicit (Refrain \
takes no free-text prompts: catalog songs, fixed styles and voices).""",
    "audit": "`audit` (moderators) shows who changed which setting; `audit 50` shows more.",
    "report": """\
`report <clip id> [what is wrong]` tells this server's moderators about a clip, e.g. \
`report 1a2b3c4d wrong artist name`. The id can be the clip's, the copy's or the request's \
(`status` shows yours); the Report button under a clip does the same.""",
    "reports": "`reports` (moderators) lists the open reports, newest first; `reports 50` more.",
    "resolve": """\
`resolve <report id> [note]` (moderators) closes a report, e.g. `resolve 1a2b3c4d clip taken \
down`. `reports` shows the ids; the audit log keeps who closed it and why.""",
    "help": "`help` shows all commands; `help cover` explains one.",
}


def help_text(topic: str | None = None) -> str:
    """The cheat sheet, or the page for ``topic`` (a command, any case, ``/`` allowed)."""
    if topic is None or not topic.strip():
        return _OVERVIEW
    key = fold(topic).strip().lstrip("/!").strip()
    verb = find_verb(key.split()[0]) if key else None
    if verb is not None:
        return _TOPICS[verb.value]
    return f"I have no help on “{topic.strip()[:40]}”.\n{_OVERVIEW}"
