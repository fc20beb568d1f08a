"""Every verb besides cover and remix, and the moderator settings, as typed values."""

from __future__ import annotations

import pytest

from core.commands import (
    AcceptTermsCommand,
    AuditCommand,
    CancelCommand,
    ChannelList,
    ChannelRef,
    Command,
    CountryChoice,
    Duration,
    HelpCommand,
    ModeratorSettingCommand,
    QuotaCommand,
    RefKind,
    SetCountryCommand,
    SettingKey,
    ShowSettingsCommand,
    ShowTermsCommand,
    StatusCommand,
    StyleList,
    StylesCommand,
    TraceCommand,
    UserRef,
    VoiceList,
    VoicesCommand,
    parse_command,
)

ID, NAME = RefKind.ID, RefKind.NAME


def setting(key: SettingKey, value: object) -> ModeratorSettingCommand:
    return ModeratorSettingCommand(key, value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("styles", StylesCommand()),
        ("/styles Golden Hour", StylesCommand("Golden Hour")),
        ("style “Golden Hour”", StylesCommand("Golden Hour")),
        ("styles song:Golden Hour", StylesCommand("Golden Hour")),
        ("voices", VoicesCommand()),
        ('voices "Golden Hour"', VoicesCommand("Golden Hour")),
        ("quota", QuotaCommand()),
        ("!QUOTA", QuotaCommand()),
        ("status", StatusCommand()),
        ("status 1a2b3c4d", StatusCommand("1a2b3c4d")),
        ("status #1a2b3c4d", StatusCommand("1a2b3c4d")),
        ("status id:1a2b3c4d", StatusCommand("1a2b3c4d")),
        ("cancel `1a2b3c4d`", CancelCommand("1a2b3c4d")),
        (
            "/cancel@RefrainBot 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            CancelCommand("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"),
        ),
        ("trace", TraceCommand()),
        ("help", HelpCommand()),
        ("/help cover", HelpCommand("cover")),
        ("help /Remix", HelpCommand("remix")),
        ("help style", HelpCommand("styles")),
        ("help Dancing", HelpCommand("dancing")),
        ("?", HelpCommand()),
        ("/start", HelpCommand()),
        ("terms", ShowTermsCommand()),
        ("terms accept", AcceptTermsCommand()),
        ("Terms  I Agree", AcceptTermsCommand()),
        ("audit", AuditCommand(20)),
        ("audit 5", AuditCommand(5)),
        # the user's own settings
        ("settings country de", SetCountryCommand("DE")),
        ("settings country: FR", SetCountryCommand("FR")),
        ("settings country ＪＰ", SetCountryCommand("JP")),
        ("settings country clear", SetCountryCommand(None)),
        ("settings country none", SetCountryCommand(None)),
        # moderators
        ("settings", ShowSettingsCommand()),
        ("/settings", ShowSettingsCommand()),
        (
            "settings styles lofi, acoustic",
            setting(SettingKey.STYLES, StyleList(("lofi", "acoustic"))),
        ),
        (
            "settings styles lo fi 8 bit karaoke",
            setting(SettingKey.STYLES, StyleList(("lofi", "8-bit", "instrumental"))),
        ),
        ("settings styles lofi,lofi,Lo-Fi", setting(SettingKey.STYLES, StyleList(("lofi",)))),
        ("settings styles polka, lofi", setting(SettingKey.STYLES, StyleList(("polka", "lofi")))),
        ("settings styles all", setting(SettingKey.STYLES, StyleList(None))),
        ("settings styles none", setting(SettingKey.STYLES, StyleList(()))),
        (
            "settings disable-style synthwave",
            setting(SettingKey.DISABLE_STYLE, StyleList(("synthwave",))),
        ),
        (
            "settings disable style dnb, chiptune",
            setting(SettingKey.DISABLE_STYLE, StyleList(("drum-and-bass", "8-bit"))),
        ),
        ("settings enable_style lo-fi", setting(SettingKey.ENABLE_STYLE, StyleList(("lofi",)))),
        (
            "settings voices Ada Nova, Kai Orin",
            setting(SettingKey.VOICES, VoiceList(("Ada Nova", "Kai Orin"))),
        ),
        (
            'settings voices "Ada Nova" "Kai Orin"',
            setting(SettingKey.VOICES, VoiceList(("Ada Nova", "Kai Orin"))),
        ),
        ("settings voices all", setting(SettingKey.VOICES, VoiceList(None))),
        ("settings voices none", setting(SettingKey.VOICES, VoiceList(()))),
        (
            "settings channels #covers <#55>",
            setting(
                SettingKey.CHANNELS, ChannelList((ChannelRef(NAME, "covers"), ChannelRef(ID, "55")))
            ),
        ),
        (
            "settings channels -1001234567, music",
            setting(
                SettingKey.CHANNELS,
                ChannelList((ChannelRef(ID, "-1001234567"), ChannelRef(NAME, "music"))),
            ),
        ),
        ("settings channels all", setting(SettingKey.CHANNELS, ChannelList(None))),
        ("settings max-length 30", setting(SettingKey.MAX_LENGTH, Duration(30))),
        ("settings max_length 1:30", setting(SettingKey.MAX_LENGTH, Duration(90))),
        ("settings max length 2m", setting(SettingKey.MAX_LENGTH, Duration(120))),
        ("settings max-length off", setting(SettingKey.MAX_LENGTH, Duration(None))),
        ("settings cooldown 60", setting(SettingKey.COOLDOWN, Duration(60))),
        ("settings cooldown:5min", setting(SettingKey.COOLDOWN, Duration(300))),
        ("settings cooldown off", setting(SettingKey.COOLDOWN, Duration(0))),
        ("settings cooldown 0", setting(SettingKey.COOLDOWN, Duration(0))),
        ("settings pool 3600", setting(SettingKey.POOL, Duration(3600))),
        ("settings pool 2h", setting(SettingKey.POOL, Duration(7200))),
        ("settings pool off", setting(SettingKey.POOL, Duration(None))),
        ("settings server-country at", setting(SettingKey.SERVER_COUNTRY, CountryChoice("AT"))),
        ("settings server country clear", setting(SettingKey.SERVER_COUNTRY, CountryChoice(None))),
        ("settings ban <@!123>", setting(SettingKey.BAN, UserRef(ID, "123"))),
        ("settings ban <@123>", setting(SettingKey.BAN, UserRef(ID, "123"))),
        ("settings ban 123456789", setting(SettingKey.BAN, UserRef(ID, "123456789"))),
        ("settings unban @erin_k", setting(SettingKey.UNBAN, UserRef(NAME, "erin_k"))),
    ],
    ids=repr,
)
def test_command_means(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


def test_flattened_views_for_simple_consumers() -> None:
    """``values`` and ``number`` give strings and seconds without the typed wrappers."""
    channels = parse_command("settings channels #covers <#55>")
    assert isinstance(channels, ModeratorSettingCommand)
    assert (channels.values, channels.number) == (("covers", "55"), None)
    cooldown = parse_command("settings cooldown 1m")
    assert isinstance(cooldown, ModeratorSettingCommand)
    assert (cooldown.values, cooldown.number) == (None, 60)
    ban = parse_command("settings ban @erin")
    assert isinstance(ban, ModeratorSettingCommand)
    assert ban.values == ("erin",)
    country = parse_command("settings server-country se")
    assert isinstance(country, ModeratorSettingCommand)
    assert country.values == ("SE",)
    every = parse_command("settings styles all")
    assert isinstance(every, ModeratorSettingCommand)
    assert every.values is None


def test_quoted_keywords_are_names() -> None:
    """``"none"`` in quotes is a voice called none, not the keyword."""
    assert parse_command('settings voices "none"') == setting(
        SettingKey.VOICES, VoiceList(("none",))
    )
