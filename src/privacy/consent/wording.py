"""The banner's own words, in English and Simplified Chinese, and the hash that versions them.

The categories' titles and descriptions and each cookie's purpose come from the
declaration; the few words around them (buttons, headings, notices) live here, as `Text`
pairs like the declaration's, rather than in gettext catalogues: the banner version is a
hash of exactly the text shown, so the text must be assembled from one known source.

`banner_text()` lays the shown text out as plain lines in a fixed order; its SHA-256 is
the banner version a consent record carries, and the text itself is stored once per
version (models.BannerText).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from privacy.consent.declaration import CookieDeclaration
from privacy.policy.durations import Duration, DurationError
from privacy.policy.schema import Text

Lang = Literal["en", "zh"]

WORDS: dict[str, Text] = {
    "title": Text(en="Cookies on SogaWorks", zh="SogaWorks 的 Cookie"),
    "intro": Text(
        en="We use essential cookies to run this site. With your agreement we would also use "
        "performance, functionality and advertising cookies. Nothing optional is switched on "
        "until you choose, and you can change your mind at any time with “Cookie settings” at "
        "the foot of every page.",
        zh="我们使用必要 Cookie 来运行本网站。经您同意，我们还会使用性能、功能和广告 Cookie。"
        "在您作出选择之前，任何可选 Cookie 都不会开启；您可以随时通过每个页面底部的“Cookie 设置”更改选择。",
    ),
    "opt_out_note": Text(
        en="Where you are, the law allows performance and functionality cookies until you object: "
        "they are on until you choose. Advertising cookies stay off until you agree.",
        zh="根据您所在地的法律，在您反对之前可以使用性能和功能 Cookie：在您作出选择之前它们处于开启状态。"
        "广告 Cookie 在您同意之前保持关闭。",
    ),
    "gpc_honored": Text(en="Opt-Out Request Honored", zh="已依照您的退出请求处理（Opt-Out Request Honored）"),
    "gpc_detail": Text(
        en="Your browser sent a Global Privacy Control signal. Advertising cookies stay off, and we "
        "do not sell or share your personal information.",
        zh="您的浏览器发送了全球隐私控制（GPC）信号。广告 Cookie 保持关闭，我们不会出售或共享您的个人信息。",
    ),
    "accept_all": Text(en="Accept all", zh="全部接受"),
    "reject_all": Text(en="Reject all", zh="全部拒绝"),
    "customise": Text(en="Customise", zh="自定义"),
    "save": Text(en="Save my choices", zh="保存我的选择"),
    "withdraw": Text(en="Withdraw consent", zh="撤回同意"),
    "close": Text(en="Close", zh="关闭"),
    "always_on": Text(en="Always on", zh="始终开启"),
    "name": Text(en="Name", zh="名称"),
    "provider": Text(en="Provider", zh="提供方"),
    "purpose": Text(en="Purpose", zh="用途"),
    "duration": Text(en="Duration", zh="有效期"),
    "settings_link": Text(en="Cookie settings", zh="Cookie 设置"),
    "settings_title": Text(en="Cookie settings", zh="Cookie 设置"),
    "saved": Text(en="Your cookie choice has been saved.", zh="您的 Cookie 选择已保存。"),
    "current": Text(en="Your current choice", zh="您当前的选择"),
    "on": Text(en="On", zh="开启"),
    "off": Text(en="Off", zh="关闭"),
    "none_yet": Text(en="You have not chosen yet.", zh="您尚未作出选择。"),
    "widget_intro": Text(
        en="{provider} provides this {what}. Loading it lets {provider} receive your IP address and "
        "the address of this page, and set cookies on your device. Loading it switches on "
        "{category} cookies; you can switch them off again in “Cookie settings”.",
        zh="此{what}由 {provider} 提供。加载后，{provider} 会获得您的 IP 地址和本页面的地址，"
        "并可能在您的设备上设置 Cookie。加载即开启“{category}”Cookie；您可以在“Cookie 设置”中再次关闭。",
    ),
    "widget_load": Text(en="Load {what}", zh="加载{what}"),
    "widget_gpc": Text(
        en="This {what} stays off because your browser sent a Global Privacy Control signal.",
        zh="由于您的浏览器发送了全球隐私控制信号，此{what}保持关闭。",
    ),
}


def language_of(code: str | None) -> Lang:
    """The banner language for a Django language code: Simplified Chinese for zh*, else English."""
    return "zh" if (code or "").lower().startswith("zh") else "en"


def say(key: str, lang: Lang) -> str:
    text = WORDS[key]
    return text.zh if lang == "zh" else text.en


def pick(text: Text, lang: Lang) -> str:
    return text.zh if lang == "zh" else text.en


def duration_words(text: str, lang: Lang) -> str:
    """A cookie's declared duration in words ("P13M" -> "13 months", "13个月")."""
    if text == "session":
        return "浏览器会话" if lang == "zh" else "browser session"
    try:
        return Duration.parse(text).describe(lang)
    except DurationError:
        return text


@dataclass(frozen=True)
class BannerVersion:
    hash: str  # SHA-256 hex of `text`
    text: str
    language: Lang


def banner_text(decl: CookieDeclaration, lang: Lang, *, opt_out_note: bool, gpc: bool) -> BannerVersion:
    """The text shown by the banner in one language and variant, and its hash."""
    return _banner_text(decl, lang, opt_out_note, gpc)


@lru_cache(maxsize=64)
def _banner_text(decl: CookieDeclaration, lang: Lang, opt_out_note: bool, gpc: bool) -> BannerVersion:
    lines = [
        f"banner {decl.section.banner_version} · cookies {decl.version} · policy {decl.policy.version}",
        say("title", lang),
        say("intro", lang),
    ]
    if opt_out_note:
        lines.append(say("opt_out_note", lang))
    if gpc:
        lines += [say("gpc_honored", lang), say("gpc_detail", lang)]
    lines += [say("accept_all", lang), say("reject_all", lang), say("customise", lang)]
    for key in decl.categories:
        category = decl.section.categories[key]
        flag = f" [{say('always_on', lang)}]" if key in decl.essential else ""
        lines.append(f"## {pick(category.title, lang)}{flag}")
        lines.append(pick(category.description, lang))
        for cookie in decl.cookies_of(key):
            lines.append(
                f"- {cookie.name} | {cookie.provider} | {pick(cookie.purpose, lang)} | "
                f"{duration_words(cookie.duration, lang)}"
            )
    lines.append(say("save", lang))
    text = "\n".join(lines)
    return BannerVersion(hashlib.sha256(text.encode()).hexdigest(), text, lang)
