"""The HTML Refrain serves: a share page with a player, and short pages that explain refusals.

Plain ``string.Template`` with every value escaped: no template engine, no
third-party script, no web font. The page works without JavaScript (the
player is a native ``<audio>``); the script only reports listening.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from string import Template

from core.deliveries import SharedClip

STATIC_VERSION = "2"  # bump when web/static changes, so caches fetch the new file

_PAGE = Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<meta name="description" content="$description">
<meta property="og:site_name" content="Refrain">
<meta property="og:type" content="music.song">
<meta property="og:title" content="$title">
<meta property="og:description" content="$description">
<meta property="og:url" content="$page_url">
$og_audio<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="$title">
<meta name="twitter:description" content="$description">
<meta name="robots" content="noindex">
<link rel="stylesheet" href="/static/share.css?v=$static_version">
</head>
<body>
<main>
$body
</main>
<footer><a href="$get_your_own">Make your own licensed cover with Refrain</a></footer>
$script</body>
</html>
""")

_PLAYER = Template("""<article aria-labelledby="clip-title">
<p class="kicker">Licensed AI cover via Refrain</p>
<h1 id="clip-title">$heading</h1>
<div id="player" data-token="$token" data-beacon="/b" data-every="$every">
<audio id="audio" controls preload="metadata" src="$clip_src">
<a href="$clip_src">Download the clip</a>
</audio>
</div>
<dl class="credits">
$credits</dl>
<p class="note">This is a licensed cover: $paid are paid from every play.</p>
</article>""")

_MESSAGE = Template("""<article>
<h1>$heading</h1>
<p>$message</p>
</article>""")


@dataclass(frozen=True)
class PageLinks:
    page_url: str
    get_your_own: str


def share_page(shared: SharedClip, *, token: str, clip_src: str, clip_url: str,
               links: PageLinks, progress_every_s: float) -> str:
    """The share page of one delivery: heading, player, credits, rich-preview tags."""
    info = shared.credits
    credits = [("Song", info.song_title), ("Original artist", info.artist)]
    if shared.writers:
        credits.append(("Written by", ", ".join(shared.writers)))
    credits.append(("Style", info.style_name))
    if shared.voice or info.voice_owner:
        owner = f" (voice of {info.voice_owner}, with consent)" if info.voice_owner else ""
        credits.append(("Voice", f"{shared.voice or 'licensed voice'}{owner}"))
    credits.append(("Made by", "Licensed AI cover via Refrain"))
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>\n" for k, v in credits)
    paid = ("the songwriters, the original artist and the voice owner" if info.voice_owner
            else "the songwriters and the original artist")
    body = _PLAYER.substitute(
        heading=escape(shared.heading),
        token=escape(token),
        every=f"{progress_every_s:g}",
        clip_src=escape(clip_src),
        credits=rows,
        paid=paid,
    )
    description = info.line
    mime = _MIME.get(shared.delivery.fmt, "audio/ogg")
    og_audio = (f'<meta property="og:audio" content="{escape(clip_url)}">\n'
                f'<meta property="og:audio:type" content="{mime}">\n')
    return _PAGE.substitute(
        title=escape(shared.heading),
        description=escape(description),
        page_url=escape(links.page_url),
        og_audio=og_audio,
        static_version=STATIC_VERSION,
        body=body,
        get_your_own=escape(links.get_your_own),
        script=f'<script src="/static/player.js?v={STATIC_VERSION}" defer></script>\n',
    )


def message_page(heading: str, message: str, *, get_your_own: str) -> str:
    """A short page that says what happened and what to do next (404, 410, 403…)."""
    return _PAGE.substitute(
        title=escape(heading),
        description=escape(message),
        page_url="",
        og_audio="",
        static_version=STATIC_VERSION,
        body=_MESSAGE.substitute(heading=escape(heading), message=escape(message)),
        get_your_own=escape(get_your_own),
        script="",
    )


_MIME = {"opus": "audio/ogg", "mp3": "audio/mpeg", "m4a": "audio/mp4"}


def mime_type(fmt: str) -> str:
    """Content-Type of a delivery format (``Delivery.fmt``)."""
    return _MIME.get(fmt, "application/octet-stream")
