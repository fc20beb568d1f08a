"""The ``settings`` grammar: a user's own country, and the moderators' policy keys.

``settings country DE`` is the user's own territory; the server default is
``settings server-country DE``, so the same words never mean two things.
Lists are forgiving: styles may be separated by commas or spaces ("lo fi
acoustic" is two styles, found by their names); voice names contain spaces,
so voices are separated by commas or written in quotes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core.commands._commands import (
    MAX_CLIP_SECONDS,
    Command,
    ModeratorSettingCommand,
    SetCountryCommand,
    ShowSettingsCommand,
)
from core.commands._errors import ErrorCode, ParseError
from core.commands._settings import (
    ChannelList,
    ChannelRef,
    CountryChoice,
    Duration,
    SettingKey,
    SettingValue,
    StyleList,
    Switch,
    VoiceList,
)
from core.commands._styles import MAX_STYLE_WORDS, StyleIndex
from core.commands._text import fold, shorten, squash
from core.commands._tokens import Token, TokenKind, tokenize, value_text
from core.commands._values import (
    CLEAR_WORDS,
    country_hint,
    parse_channel,
    parse_country,
    parse_length,
    parse_user,
)
from core.commands._verbs import closest

MAX_COOLDOWN_SECONDS = 86_400
MAX_POOL_SECONDS = 1_000_000
MAX_USER_LIMIT_SECONDS = 86_400  # a member cannot render more than a day of audio a day

_USER_COUNTRY = "country"
_KEYS: dict[str, SettingKey | None] = {
    "country": None,
    "styles": SettingKey.STYLES,
    "style": SettingKey.STYLES,
    "disablestyle": SettingKey.DISABLE_STYLE,
    "disablestyles": SettingKey.DISABLE_STYLE,
    "enablestyle": SettingKey.ENABLE_STYLE,
    "enablestyles": SettingKey.ENABLE_STYLE,
    "voices": SettingKey.VOICES,
    "voice": SettingKey.VOICES,
    "channels": SettingKey.CHANNELS,
    "channel": SettingKey.CHANNELS,
    "maxlength": SettingKey.MAX_LENGTH,
    "maxlen": SettingKey.MAX_LENGTH,
    "cooldown": SettingKey.COOLDOWN,
    "pool": SettingKey.POOL,
    "userlimit": SettingKey.USER_LIMIT,
    "memberlimit": SettingKey.USER_LIMIT,
    "servercountry": SettingKey.SERVER_COUNTRY,
    "defaultcountry": SettingKey.SERVER_COUNTRY,
    "ban": SettingKey.BAN,
    "unban": SettingKey.UNBAN,
    "nsfwfilter": SettingKey.NSFW_FILTER,
    "nsfw": SettingKey.NSFW_FILTER,
    "explicitfilter": SettingKey.NSFW_FILTER,
}
"""Setting names with separators squashed, so ``max_length`` and ``maxLength`` work too."""

_FIRST_WORDS = frozenset(
    {"disable", "enable", "server", "default", "max", "user", "member", "nsfw", "explicit"}
)
_ON_WORDS = frozenset({"on", "yes", "true", "enable", "enabled", "1"})
_OFF_WORDS = frozenset({"off", "no", "false", "disable", "disabled", "0"})

_EXAMPLES = {
    None: "settings country DE",
    SettingKey.STYLES: "settings styles lofi, acoustic",
    SettingKey.DISABLE_STYLE: "settings disable-style synthwave",
    SettingKey.ENABLE_STYLE: "settings enable-style synthwave",
    SettingKey.VOICES: "settings voices Ada Nova, Kai Orin",
    SettingKey.CHANNELS: "settings channels #covers",
    SettingKey.MAX_LENGTH: "settings max-length 60",
    SettingKey.COOLDOWN: "settings cooldown 60",
    SettingKey.POOL: "settings pool 3600",
    SettingKey.USER_LIMIT: "settings user-limit 300",
    SettingKey.SERVER_COUNTRY: "settings server-country DE",
    SettingKey.BAN: "settings ban @name",
    SettingKey.UNBAN: "settings unban @name",
    SettingKey.NSFW_FILTER: "settings nsfw-filter on",
}


def setting_names() -> list[str]:
    return [_USER_COUNTRY, *(key.value for key in SettingKey)]


def _name(key: SettingKey | None) -> str:
    return _USER_COUNTRY if key is None else key.value


def _split_key(tokens: list[Token]) -> tuple[str, list[Token]]:
    """The setting name and the value tokens; ``cooldown:30`` and ``disable style`` work."""
    first, rest = tokens[0], tokens[1:]
    word = first.text
    if first.kind is TokenKind.WORD and ":" in word.rstrip(":"):
        word, _, glued = word.partition(":")
        rest = [Token(TokenKind.WORD, glued, glued), *rest]
    word = word.rstrip(":")
    if squash(word) in _FIRST_WORDS and rest and squash(word + rest[0].text) in _KEYS:
        return word + "-" + rest[0].text.rstrip(":"), rest[1:]
    return word, rest


def parse_settings(arguments: str, styles: StyleIndex) -> Command | ParseError:
    """Read what follows ``settings``: nothing shows them, ``<key> <value>`` changes one."""
    tokens = tokenize(arguments)
    if not tokens:
        return ShowSettingsCommand()
    word, rest = _split_key(tokens)
    if squash(word) not in _KEYS:
        guess = closest(word.replace("_", "-"), setting_names())
        hint = f"Did you mean `settings {guess}`? " if guess else ""
        return ParseError(
            ErrorCode.UNKNOWN_SETTING,
            f"There is no setting “{shorten(word, 30)}”.",
            f"{hint}Settings: country (your own); for moderators "
            + ", ".join(k.value for k in SettingKey)
            + ". `help settings` explains them.",
        )
    key = _KEYS[squash(word)]
    if not value_text(rest):
        return ParseError(
            ErrorCode.MISSING_VALUE,
            f"`settings {_name(key)}` needs a value.",
            f"For example `{_EXAMPLES[key]}`; `settings` shows the current ones.",
        )
    if key is None:
        country = _country(rest, key)
        return country if isinstance(country, ParseError) else SetCountryCommand(country.code)
    value = _value(key, rest, styles)
    if isinstance(value, ParseError):
        return value
    return ModeratorSettingCommand(key, value)


def _bad(key: SettingKey, message: str, example: str | None = None) -> ParseError:
    return ParseError(
        ErrorCode.BAD_SETTING_VALUE, message, f"For example `{example or _EXAMPLES[key]}`."
    )


def _keyword(tokens: Sequence[Token]) -> str | None:
    """The folded word when the value is one unquoted word: ``"all"`` in quotes is a name."""
    if len(tokens) == 1 and tokens[0].kind is TokenKind.WORD:
        return fold(tokens[0].text)
    return None


def _value(key: SettingKey, tokens: list[Token], styles: StyleIndex) -> SettingValue | ParseError:
    text = value_text(tokens)
    word = _keyword(tokens)
    match key:
        case SettingKey.STYLES:
            if word in ("all", "none"):
                return StyleList(None if word == "all" else ())
            return StyleList(_style_ids(tokens, styles))
        case SettingKey.DISABLE_STYLE | SettingKey.ENABLE_STYLE:
            if word in ("all", "none"):
                every = "all" if key is SettingKey.ENABLE_STYLE else "none"
                return _bad(key, f"`{key.value}` takes style names.", f"settings styles {every}")
            return StyleList(_style_ids(tokens, styles))
        case SettingKey.VOICES:
            if word in ("all", "none"):
                return VoiceList(None if word == "all" else ())
            return VoiceList(_unique(value_text(g) for g in _groups(tokens)))
        case SettingKey.CHANNELS:
            return _channels(tokens, word)
        case SettingKey.MAX_LENGTH:
            return _duration(key, tokens, 1, MAX_CLIP_SECONDS, None)
        case SettingKey.COOLDOWN:
            return _duration(key, tokens, 0, MAX_COOLDOWN_SECONDS, 0)
        case SettingKey.POOL:
            return _duration(key, tokens, 1, MAX_POOL_SECONDS, None)
        case SettingKey.USER_LIMIT:
            return _duration(key, tokens, 1, MAX_USER_LIMIT_SECONDS, None)
        case SettingKey.NSFW_FILTER:
            if word in _ON_WORDS or word in _OFF_WORDS:
                return Switch(word in _ON_WORDS)
            return _bad(key, f"`settings {key.value}` takes `on` or `off` (not “{shorten(text, 20)}”).")
        case SettingKey.SERVER_COUNTRY:
            return _country(tokens, key)
        case SettingKey.BAN | SettingKey.UNBAN:
            user = parse_user(tokens[0].text) if len(tokens) == 1 else None
            if user is None:
                return _bad(
                    key,
                    f"I can't tell who “{shorten(text, 30)}” is; name one user by mention, "
                    "@username or id.",
                )
            return user


def _country(tokens: Sequence[Token], key: SettingKey | None) -> CountryChoice | ParseError:
    text = value_text(tokens)
    if _keyword(tokens) in CLEAR_WORDS:
        return CountryChoice(None)
    code = parse_country(text)
    if code is not None:
        return CountryChoice(code)
    hint = country_hint(text)
    message = (
        f"“{shorten(text, 20)}” isn't an ISO country code; use `{hint}`."
        if hint
        else f"“{shorten(text, 20)}” isn't a two-letter country code."
    )
    return ParseError(
        ErrorCode.BAD_COUNTRY,
        message,
        f"For example `settings {_name(key)} {hint or 'DE'}` (or `settings {_name(key)} clear`).",
    )


def _duration(
    key: SettingKey, tokens: Sequence[Token], low: int, high: int, off: int | None
) -> Duration | ParseError:
    text = value_text(tokens)
    if _keyword(tokens) in CLEAR_WORDS:
        return Duration(off)
    seconds = parse_length(text)
    if seconds is None or not low <= seconds <= high:
        return _bad(
            key,
            f"`settings {key.value}` takes seconds from {low} to {high:,} or `off`"
            f" (not “{shorten(text, 20)}”).",
        )
    return Duration(seconds)


def _groups(tokens: Sequence[Token]) -> list[list[Token]]:
    """Comma-separated groups; a quoted token is a group of its own."""
    groups: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind is TokenKind.QUOTED:
            groups.extend([[token], []])
            continue
        for number, piece in enumerate(token.raw.split(",")):
            if number:
                groups.append([])
            if piece:
                groups[-1].append(Token(TokenKind.WORD, piece, piece))
    return [group for group in groups if value_text(group)]


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


def _style_ids(tokens: Sequence[Token], styles: StyleIndex) -> tuple[str, ...]:
    """Style ids from a list, finding multi-word names (``lo fi``) among space-separated ones."""
    found: list[str] = []
    for group in _groups(tokens):
        if len(group) == 1 and group[0].kind is TokenKind.QUOTED:
            found.append(styles.canonical(group[0].text))
            continue
        words = [t.text for t in group]
        unknown: list[str] = []
        start = 0
        while start < len(words):
            for stop in range(min(len(words), start + MAX_STYLE_WORDS), start, -1):
                style = styles.lookup(" ".join(words[start:stop]))
                if style is not None:
                    found.extend([" ".join(unknown)] if unknown else [])
                    unknown = []
                    found.append(style)
                    start = stop
                    break
            else:
                unknown.append(words[start])
                start += 1
        found.extend([" ".join(unknown)] if unknown else [])
    return _unique(found)


def _channels(tokens: Sequence[Token], word: str | None) -> ChannelList | ParseError:
    if word == "all":
        return ChannelList(None)
    if word == "none":
        return _bad(
            SettingKey.CHANNELS,
            "Covers need at least one channel; to allow them everywhere use `all`.",
            "settings channels all",
        )
    channels: list[ChannelRef] = []
    for token in tokens:
        for piece in token.text.replace(",", " ").split():
            channel = parse_channel(piece)
            if channel is None:
                return _bad(SettingKey.CHANNELS, f"“{shorten(piece, 30)}” isn't a channel.")
            if channel not in channels:
                channels.append(channel)
    return ChannelList(tuple(channels))
