"""The declaration, written out as the published privacy policy or cookie notice.

Each section of the declaration names the keys that carry its content; a renderer per key
shape turns that part of the declaration into blocks (paragraphs, tables, lists) in one
language. The words around the data (table headings, "after the order is completed")
live here in both languages, because they are the page's wording, not the policy's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from privacy.policy.document import Block, Bullets, Document, Heading, Lang, Notice, Paragraph, Table, Terms
from privacy.policy.durations import Duration
from privacy.policy.schema import Policy, Representative, Section, Text, section_anchor

DJANGO_LANGUAGE: dict[Lang, str] = {"en": "en", "zh": "zh-hans"}
LANGUAGE_NAMES: dict[Lang, str] = {"en": "English", "zh": "简体中文"}

_WORDS: dict[str, tuple[str, str]] = {
    "contents": ("Contents", "目录"),
    "version": ("Version", "版本"),
    "effective": ("Effective date", "生效日期"),
    "cookie_notice": ("Cookie Notice", "Cookie 声明"),
    # Collection contexts.
    "contexts_caption": ("What we collect, at a glance", "我们收集的信息一览"),
    "context": ("Where", "场景"),
    "information": ("Information", "信息"),
    "required": ("Required", "必填"),
    "required_none": ("Nothing is required in every case", "没有在所有情况下都必须提供的信息"),
    "collected": ("What we collect", "我们收集的信息"),
    "used_for": ("Used for", "用途"),
    "consent": ("Consent", "同意"),
    "consent_gate": ("Only with your consent to {category}", "仅在您同意使用{category}后"),
    "source_subject": ("You give it to us", "由您提供"),
    "source_automatic": ("Collected automatically", "自动收集"),
    "source_third_party": ("Received from our analytics providers", "从我们的分析服务提供商处获得"),
    "how_collected": ("How", "收集方式"),
    # Purposes.
    "purposes_caption": ("Purposes and their legal bases", "处理目的及其法律依据"),
    "purpose": ("Purpose", "目的"),
    "legal_basis": ("Legal basis", "法律依据"),
    "law_added": (
        "The law also lets us keep data, and do nothing else with it, where we must: while your "
        "processing is restricted or an erasure has to wait for a legal retention period to end.",
        "在法律要求的情况下，法律也允许我们仅保存数据而不作其他处理：例如在您的数据处理受到限制期间，"
        "或删除必须等待法定保存期限届满时。",
    ),
    "basis_consent": ("Your consent", "您的同意"),
    "basis_contract": ("Performing our contract with you", "履行与您的合同"),
    "basis_legal_obligation": ("A legal obligation", "法定义务"),
    "basis_vital_interests": ("Protecting vital interests", "保护重大利益"),
    "basis_public_task": ("A task in the public interest", "公共利益任务"),
    "basis_legitimate_interests": ("Our legitimate interests", "我们的合法利益"),
    "objection_absolute": (
        "You can object at any time, and we stop for good",
        "您可随时反对，我们将永久停止",
    ),
    # Recipients and transfers.
    "recipients_caption": ("Who receives personal information", "个人信息的接收方"),
    "recipient": ("Recipient", "接收方"),
    "kind": ("Kind", "类型"),
    "function": ("What they do", "职能"),
    "countries": ("Countries", "国家或地区"),
    "safeguards": ("Safeguards", "保障措施"),
    "kind_affiliate": ("Affiliate", "关联公司"),
    "kind_processor": ("Service provider acting on our instructions", "按我们的指示处理的服务提供商"),
    "kind_third_party": ("Independent third party", "独立第三方"),
    "kind_successor": ("Successor", "承继方"),
    "kind_authority": ("Public authority", "公共机构"),
    "aggregated_only": ("Aggregated, anonymous figures only", "仅汇总的匿名数据"),
    "transfers_caption": (
        "Transfers outside China and how they are protected",
        "向中国境外的传输及其保障措施",
    ),
    "destination": ("Destination", "目的地"),
    "gdpr_mechanism": ("Protection under EU law (GDPR)", "欧盟法律（GDPR）下的保障"),
    "pipl_mechanism": ("Protection under Chinese law (PIPL)", "中国法律（《个人信息保护法》）下的保障"),
    "gdpr_adequacy": ("Adequacy decision", "充分性认定"),
    "gdpr_scc": ("Standard contractual clauses", "标准合同条款"),
    "gdpr_bcr": ("Binding corporate rules", "有约束力的公司规则"),
    "gdpr_derogation": (
        "Necessary to perform our contract with you (GDPR Art. 49(1)(b))",
        "为履行与您的合同所必需（GDPR 第 49(1)(b) 条）",
    ),
    "gdpr_not_applicable": ("Not a transfer under EU law", "不属于欧盟法律下的传输"),
    "pipl_standard_contract": (
        "Standard contract (PIPL Art. 38)",
        "标准合同（《个人信息保护法》第三十八条）",
    ),
    "pipl_certification": ("Certification (PIPL Art. 38)", "认证（《个人信息保护法》第三十八条）"),
    "pipl_security_assessment": (
        "Security assessment (PIPL Art. 38)",
        "安全评估（《个人信息保护法》第三十八条）",
    ),
    "pipl_exempt": ("Exempt: necessary for our contract with you", "豁免：为履行与您的合同所必需"),
    "pipl_not_applicable": ("Not an export under Chinese law", "不属于中国法律下的出境"),
    "separate_consent": ("We ask for your separate consent first", "我们会事先征得您的单独同意"),
    "copy_on_request": (
        "You can ask for a copy of these safeguards at {email}.",
        "您可以发送电子邮件至 {email} 索取这些保障措施的副本。",
    ),
    # Cookies.
    "cookie_version": (
        "This Cookie Notice is version {version}; the cookie banner is version {banner}.",
        "本 Cookie 声明的版本为 {version}；Cookie 横幅的版本为 {banner}。",
    ),
    "cookie_max_age": (
        "We ask for your cookie choices again after {months} months, or sooner when this notice changes.",
        "我们会在 {months} 个月后，或在本声明变更时更早，再次询问您的 Cookie 选择。",
    ),
    "always_on": ("Always active: these cannot be switched off.", "始终启用：无法关闭。"),
    "your_choice": (
        "Your choice: switch them on or off at any time in Cookie Settings.",
        "由您选择：可随时在 Cookie 设置中开启或关闭。",
    ),
    "cookies_caption": ("Every cookie we set", "我们设置的全部 Cookie"),
    "cookie": ("Cookie", "Cookie"),
    "provider": ("Provider", "提供方"),
    "category": ("Category", "类别"),
    "duration": ("Duration", "有效期"),
    "party": ("First or third party", "第一方或第三方"),
    "party_first": ("First party", "第一方"),
    "party_third": ("Third party", "第三方"),
    "session": ("Until you close your browser", "关闭浏览器时失效"),
    "jurisdictions_intro": (
        "Where the law requires your consent before cookies are placed, we ask first: no "
        "cookie other than the essential ones is set until you agree. How we ask depends on "
        "where you are:",
        "凡法律要求在放置 Cookie 之前征得您同意的，我们都会先征求您的同意："
        "在您同意之前，除必要 Cookie 外不会设置任何 Cookie。"
        "具体的征询方式取决于您所在的地区：",
    ),
    "where": ("Where you are", "您所在的地区"),
    "how_we_ask": ("How we ask", "征询方式"),
    "source": ("Legal source", "法律依据"),
    "model_opt_in": (
        "We ask first: non-essential cookies stay off until you agree",
        "先征询：在您同意之前不启用非必要 Cookie",
    ),
    "model_opt_out": (
        "Non-essential cookies are on until you say no; a Global Privacy Control signal counts as no",
        "在您拒绝之前启用非必要 Cookie；全球隐私控制（GPC）信号视为拒绝",
    ),
    "model_implied": ("Using the site counts as agreement", "使用本网站即视为同意"),
    # Rights.
    "request_email": ("Send your request to {email}.", "请将您的请求发送至 {email}。"),
    "unverified": (
        "If we ask you to confirm your identity and do not hear back within {period}, we close the "
        "request; you can open it again at any time.",
        "如果我们请您确认身份而在 {period}内未收到回复，我们将关闭该请求；您可以随时重新提出。",
    ),
    "deadlines_intro": (
        "We answer every request within {promise} of receipt, wherever you are. Where a law sets a "
        "shorter time, we keep to it. The table shows each law's limits:",
        "无论您身在何处，我们都会在收到请求后 {promise}内答复。"
        "如果法律规定的期限更短，我们将遵守更短的期限。下表列出了各项法律的期限：",
    ),
    "deadlines_caption": ("Time limits for answering your requests", "答复请求的期限"),
    "answer_within": ("Answer within", "答复期限"),
    "extension": ("Possible extension", "可延长期限"),
    "extension_notice": ("We tell you of an extension within", "延期通知期限"),
    "acknowledge": ("Acknowledgement within", "确认收到期限"),
    "pause": ("Clock paused while we verify your identity", "核实身份期间暂停计时"),
    "none": ("None", "无"),
    "yes": ("Yes", "是"),
    "no": ("No", "否"),
    # Children.
    "children_intro": (
        "Our minimum age is {age}, or the higher age that the law of your country sets:",
        "我们的最低年龄为 {age} 周岁，如您所在国家的法律规定了更高年龄，则以该年龄为准：",
    ),
    "ages_caption": ("Minimum age by country", "各国家和地区的最低年龄"),
    "local_age": ("Age in local law", "当地法律规定的年龄"),
    "our_age": ("Our minimum age", "我们的最低年龄"),
    "children_erasure": (
        "When we learn that a child has registered, we suspend the account at once and delete the "
        "child's information within {days} days.",
        "一旦我们发现有儿童注册，我们会立即暂停该账户，并在 {days} 天内删除该儿童的信息。",
    ),
    # Retention.
    "retention_caption": ("How long we keep your information", "我们保存您的信息的期限"),
    "kept_for": ("Kept", "保存期限"),
    "then": ("Then", "到期后"),
    "erase": ("Deleted", "删除"),
    "anonymise": ("Anonymised", "匿名化"),
    "legal_hold": (
        "kept even after an erasure request, as the law requires",
        "依法律要求，即使您要求删除也会保留",
    ),
    "not_stored": ("Not stored", "不存储"),
    "until_trigger": ("Until {trigger}", "直至{trigger}"),
    "period_after": ("{period} {trigger}", "{trigger}{period}"),
    "until_withdrawal": ("Until you withdraw your consent", "直至您撤回同意"),
    "indefinite_anonymised": ("Only in anonymous form, without time limit", "仅以匿名形式保存，不设期限"),
    "trigger_collected": ("after collection", "自收集之日起"),
    "trigger_account_closed": ("after the account is closed", "自账户注销之日起"),
    "trigger_order_completed": ("after the order is completed", "自订单完成之日起"),
    "trigger_last_activity": ("after the last activity", "自最后一次活动之日起"),
    "trigger_consent_withdrawn": ("after you withdraw your consent", "自您撤回同意之日起"),
    "until_collected": ("collection", "收集时"),
    "until_account_closed": ("the account is closed", "账户注销"),
    "until_order_completed": ("the order is completed", "订单完成"),
    "until_last_activity": ("the last activity", "最后一次活动"),
    "until_consent_withdrawn": ("you withdraw your consent", "您撤回同意"),
    # Changes.
    "major_intro": ("We treat these as major changes:", "以下变更属于重大变更："),
    "notify_by": (
        "We tell you about a major change by: {channels}.",
        "发生重大变更时，我们会通过以下方式通知您：{channels}。",
    ),
    "notify_website_notice": ("a notice on our Website", "在我们的网站上发布通知"),
    "notify_email": ("e-mail", "电子邮件"),
    "notify_banner": ("a banner when you next visit", "在您下次访问时显示横幅提示"),
    "reconsent": (
        "If a change affects the {what} of processing, we ask for your consent again where consent is "
        "the basis.",
        "如果变更涉及处理的{what}，对于以同意为依据的处理，我们会再次征得您的同意。",
    ),
    "reconsent_purposes": ("purposes", "目的"),
    "reconsent_means": ("means", "方式"),
    "reconsent_categories": ("categories of personal information", "个人信息种类"),
    # Contact.
    "company": ("Company", "公司"),
    "headquarters": ("Headquarters", "总部"),
    "mailing_address": ("Mailing address", "邮寄地址"),
    "privacy_email": ("Privacy questions and requests", "隐私问题和请求"),
    "marketing_email": ("Marketing and testimonials", "营销和用户评价"),
    "website": ("Website", "网站"),
    "eu_representative": ("Representative in the European Union (GDPR Art. 27)", "欧盟代表（GDPR 第 27 条）"),
    "pipl_officer": (
        "Personal information protection officer (PIPL Art. 52)",
        "个人信息保护负责人（《个人信息保护法》第五十二条）",
    ),
    "to_be_designated": (
        "To be designated; meanwhile write to {email}",
        "尚待指定；在此期间请发送电子邮件至 {email}",
    ),
}


def word(key: str, lang: Lang, **values: object) -> str:
    en, zh = _WORDS[key]
    return (zh if lang == "zh" else en).format(**values)


def language_for(code: str | None) -> Lang | None:
    """ "zh", "zh-hans", "zh-CN" -> "zh"; "en", "en-GB" -> "en"; anything else -> None."""
    if not code:
        return None
    code = code.strip().lower().replace("_", "-")
    if code == "zh" or code.startswith(("zh-hans", "zh-cn", "zh-sg")):
        return "zh"
    if code == "en" or code.startswith("en-"):
        return "en"
    return None


def build_document(policy: Policy, *, lang: Lang, notice: Notice = "privacy") -> Document:
    """The privacy policy (every section) or the cookie notice (its sections), in `lang`."""
    sections = [section for section in policy.sections if notice == "privacy" or section.notice == notice]
    toc = tuple(
        Heading(section.level, _t(section.heading, lang), section_anchor(section)) for section in sections
    )
    blocks: list[Block] = []
    for section, heading in zip(sections, toc, strict=True):
        blocks.append(heading)
        blocks += [Paragraph(_t(text, lang)) for text in section.text]
        for key in section.keys:
            blocks += _blocks_for(policy, section, key, lang)
        blocks += [Paragraph(_t(text, lang)) for text in section.text_after]
    title = _t(policy.title, lang) if notice == "privacy" else word("cookie_notice", lang)
    version = policy.version if notice == "privacy" else policy.cookies.version
    return Document(
        lang=lang,
        html_lang=DJANGO_LANGUAGE[lang],
        notice=notice,
        title=title,
        meta=(
            (word("version", lang), version),
            (word("effective", lang), format_date(policy.effective_date, lang)),
            ("", _t(policy.last_updated_label, lang)),
        ),
        effective_date_iso=policy.effective_date.isoformat(),
        contents_label=word("contents", lang),
        toc=toc,
        blocks=tuple(blocks),
    )


def format_date(day: dt.date, lang: Lang) -> str:
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%B} {day.year}"


def localized(text: Text, lang: Lang) -> str:
    return text.zh if lang == "zh" else text.en


_t = localized


def _join(items: Iterable[str], lang: Lang) -> str:
    return ("；" if lang == "zh" else "; ").join(items)


# Renderers by key ------------------------------------------------------------------------

Renderer = Callable[[Policy, Section, list[str], Lang], list[Block]]


def _blocks_for(policy: Policy, section: Section, key: str, lang: Lang) -> list[Block]:
    parts = key.split(".")
    for pattern, renderer in _RENDERERS:
        # "?" matches any one key; every other part, "*" included, matches itself.
        if len(pattern) == len(parts) and all(p in ("?", q) for p, q in zip(pattern, parts, strict=True)):
            return renderer(policy, section, parts, lang)
    return _generic(_resolve(policy, parts), lang)


def _resolve(value: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(value, BaseModel):
            value = getattr(value, part, None)
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def _generic(value: Any, lang: Lang) -> list[Block]:
    if isinstance(value, Text):
        return [Paragraph(_t(value, lang))]
    if isinstance(value, list) and all(isinstance(item, Text) for item in value):
        return [Bullets(tuple(_t(item, lang) for item in value))] if value else []
    if isinstance(value, str | int | float | dt.date):
        return [Paragraph(str(value))]
    return []


def _summary(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    return [Paragraph(_t(policy.summary, lang))]


def _category_name(policy: Policy, key: str, lang: Lang) -> str:
    label = policy.labels.categories.get(key)
    return _t(label, lang) if label else key


def _contexts(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    rows = []
    for context in policy.contexts.values():
        rows.append(
            (
                (_t(context.title, lang),),
                tuple(_category_name(policy, key, lang) for key in context.categories),
                tuple(_category_name(policy, key, lang) for key in context.required)
                or (word("required_none", lang),),
            )
        )
    headers = (word("context", lang), word("information", lang), word("required", lang))
    return [Table(word("contexts_caption", lang), headers, tuple(rows))]


def _context(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    context = policy.contexts[parts[1]]
    blocks: list[Block] = []
    if sum(key.startswith("contexts.") for key in section.keys) > 1:
        blocks.append(Heading(min(section.level + 1, 6), _t(context.title, lang)))
    blocks.append(Paragraph(_t(context.description, lang)))
    terms = [
        (
            word("collected", lang),
            _join((_category_name(policy, key, lang) for key in context.categories), lang),
        ),
        (
            word("required", lang),
            _join((_category_name(policy, key, lang) for key in context.required), lang)
            or word("required_none", lang),
        ),
        (word("how_collected", lang), word(f"source_{context.source}", lang)),
        (word("used_for", lang), _join(_purpose_titles(policy, context.purposes, lang), lang)),
    ]
    category = policy.cookies.categories.get(context.cookie_category or "")
    if category is not None:
        terms.append((word("consent", lang), word("consent_gate", lang, category=_t(category.title, lang))))
    blocks.append(Terms(tuple(terms)))
    return blocks


def _purpose_titles(policy: Policy, keys: Iterable[str], lang: Lang) -> list[str]:
    return [_t(policy.purposes[key].title, lang) for key in keys if policy.purposes[key].listed_in_policy]


def _purposes(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    rows = []
    for purpose in policy.listed_purposes.values():
        lines = [_t(purpose.title, lang)]
        if purpose.description is not None:
            lines.append(_t(purpose.description, lang))
        basis = [word(f"basis_{purpose.legal_basis}", lang)]
        if purpose.objection_absolute:
            basis.append(word("objection_absolute", lang))
        rows.append((tuple(lines), tuple(basis)))
    blocks: list[Block] = [
        Table(word("purposes_caption", lang), (word("purpose", lang), word("legal_basis", lang)), tuple(rows))
    ]
    added = [purpose for purpose in policy.purposes.values() if not purpose.listed_in_policy]
    if added:
        blocks.append(Paragraph(word("law_added", lang)))
        blocks.append(
            Terms(
                tuple(
                    (_t(purpose.title, lang), word(f"basis_{purpose.legal_basis}", lang)) for purpose in added
                )
            )
        )
    return blocks


def _place(policy: Policy, key: str, lang: Lang) -> str:
    label = policy.labels.places.get(key)
    return _t(label, lang) if label else key


def _safeguard(policy: Policy, key: str, lang: Lang) -> str:
    label = policy.labels.safeguards.get(key)
    return _t(label, lang) if label else key


def _recipients(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    rows = []
    for recipient in policy.recipients.values():
        information = tuple(_category_name(policy, key, lang) for key in recipient.categories)
        if recipient.data_form in ("aggregated", "anonymous"):
            information = (word("aggregated_only", lang),)
        rows.append(
            (
                (_t(recipient.title, lang),),
                (word(f"kind_{recipient.kind}", lang),),
                (_t(recipient.function, lang),),
                information,
                tuple(_place(policy, key, lang) for key in recipient.countries),
                tuple(_safeguard(policy, key, lang) for key in recipient.safeguards),
            )
        )
    headers = tuple(
        word(key, lang) for key in ("recipient", "kind", "function", "information", "countries", "safeguards")
    )
    return [Table(word("recipients_caption", lang), headers, tuple(rows))]


def _transfers(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    rows = []
    for recipient in policy.recipients.values():
        transfer = recipient.transfer
        if transfer is None:
            continue
        gdpr = [word(f"gdpr_{transfer.gdpr_mechanism}", lang)]
        if transfer.scc_reference:
            gdpr.append(transfer.scc_reference)
        pipl = [word(f"pipl_{transfer.pipl_mechanism}", lang)]
        if transfer.separate_consent:
            pipl.append(word("separate_consent", lang))
        rows.append(
            (
                (_t(recipient.title, lang),),
                tuple(_place(policy, key, lang) for key in transfer.destination_countries),
                tuple(gdpr),
                tuple(pipl),
                tuple(_safeguard(policy, key, lang) for key in transfer.safeguards),
            )
        )
    headers = tuple(
        word(key, lang)
        for key in ("recipient", "destination", "gdpr_mechanism", "pipl_mechanism", "safeguards")
    )
    blocks: list[Block] = [Table(word("transfers_caption", lang), headers, tuple(rows))]
    if any(
        r.transfer is not None and r.transfer.copy_available_on_request for r in policy.recipients.values()
    ):
        blocks.append(Paragraph(word("copy_on_request", lang, email=policy.controller.contacts.privacy)))
    return blocks


def _cookie_version(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    cookies = policy.cookies
    return [Paragraph(word("cookie_version", lang, version=cookies.version, banner=cookies.banner_version))]


def _cookie_max_age(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    return [Paragraph(word("cookie_max_age", lang, months=policy.cookies.max_age_months))]


def _cookie_category(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    category = policy.cookies.categories[parts[2]]
    note = word("always_on" if category.essential else "your_choice", lang)
    return [Paragraph(f"{_t(category.description, lang)} {note}", lead=_t(category.title, lang))]


def _cookie_categories(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    blocks: list[Block] = []
    for key in policy.cookies.categories:
        blocks += _cookie_category(policy, section, ["cookies", "categories", key], lang)
    return blocks


def _duration(text: str, lang: Lang) -> str:
    return word("session", lang) if text == "session" else Duration.parse(text).describe(lang)


def _cookie_table(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    categories = policy.cookies.categories
    rows = tuple(
        (
            (cookie.name,),
            (cookie.provider,),
            (_t(categories[cookie.category].title, lang),),
            (_t(cookie.purpose, lang),),
            (_duration(cookie.duration, lang),),
            (word(f"party_{cookie.party}", lang),),
        )
        for cookie in policy.cookies.cookies
    )
    headers = tuple(
        word(key, lang) for key in ("cookie", "provider", "category", "function", "duration", "party")
    )
    return [Table(word("cookies_caption", lang), headers, rows)]


def _jurisdictions(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    rows = tuple(
        ((_place(policy, key, lang),), (word(f"model_{rule.model}", lang),), (rule.source,))
        for key, rule in policy.cookies.jurisdictions.items()
    )
    headers = (word("where", lang), word("how_we_ask", lang), word("source", lang))
    return [Paragraph(word("jurisdictions_intro", lang)), Table("", headers, rows)]


def _rights(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    rights = policy.rights.rights
    return [Terms(tuple((_t(right.title, lang), _t(right.description, lang)) for right in rights.values()))]


def _request_email(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    return [Paragraph(word("request_email", lang, email=policy.rights.request_email))]


def _identity(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    period = Duration.parse(policy.rights.unverified_request_closes_after).describe(lang)
    return [
        Paragraph(_t(policy.rights.identity_verification, lang)),
        Paragraph(word("unverified", lang, period=period)),
    ]


def _deadlines(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    def period(text: str | None) -> str:
        return Duration.parse(text).describe(lang) if text else word("none", lang)

    rows = tuple(
        (
            (_place(policy, key, lang),),
            (period(deadline.base),),
            (period(deadline.extension),),
            (period(deadline.extension_notice_within) if deadline.extension else word("none", lang),),
            (period(deadline.acknowledge_within),),
            (word("yes" if deadline.pause_for_identity else "no", lang),),
            (deadline.source,),
        )
        for key, deadline in policy.rights.deadlines.items()
    )
    headers = tuple(
        word(key, lang)
        for key in (
            "where",
            "answer_within",
            "extension",
            "extension_notice",
            "acknowledge",
            "pause",
            "source",
        )
    )
    promise = policy.rights.promised_answer_within or policy.deadline_for(None).base
    return [
        Paragraph(word("deadlines_intro", lang, promise=period(promise))),
        Table(word("deadlines_caption", lang), headers, rows),
    ]


def _children(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    children = policy.children
    rows = tuple(
        (
            (_place(policy, rule.jurisdiction, lang),),
            (str(rule.age),),
            (str(max(children.default_min_age, rule.age)),),
            (rule.source,),
        )
        for rule in children.local_ages
    )
    headers = (word("where", lang), word("local_age", lang), word("our_age", lang), word("source", lang))
    return [
        Paragraph(word("children_intro", lang, age=children.default_min_age)),
        Table(word("ages_caption", lang), headers, rows),
        Paragraph(_t(children.guardian_requests, lang)),
        Paragraph(word("children_erasure", lang, days=children.erase_within_days)),
    ]


def _kept_for(period: str, trigger: str, lang: Lang) -> str:
    if period in ("until_withdrawal", "indefinite_anonymised"):
        return word(period, lang)
    duration = Duration.parse(period)
    if duration.amount == 0:
        if trigger == "collected":
            return word("not_stored", lang)
        return word("until_trigger", lang, trigger=word(f"until_{trigger}", lang))
    return word(
        "period_after", lang, period=duration.describe(lang), trigger=word(f"trigger_{trigger}", lang)
    )


def _retention(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    order = {name: index for index, name in enumerate(policy.contexts)}
    rules = sorted(policy.retention, key=lambda rule: order.get(rule.context, len(order)))
    rows = []
    for rule in rules:
        context = policy.contexts.get(rule.context)
        then = [word(rule.on_expiry, lang)]
        if rule.legal_hold:
            then.append(word("legal_hold", lang))
        rows.append(
            (
                (_category_name(policy, rule.category, lang),),
                (_t(context.title, lang) if context else rule.context,),
                (_kept_for(rule.period, rule.trigger, lang),),
                tuple(then),
                (rule.legal_basis,),
            )
        )
    headers = tuple(word(key, lang) for key in ("information", "context", "kept_for", "then", "legal_basis"))
    return [Table(word("retention_caption", lang), headers, tuple(rows))]


def _security(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    return [Bullets(tuple(_t(item, lang) for item in policy.security))]


def _changes(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    changes = policy.changes
    separator = "、" if lang == "zh" else ", "
    channels = separator.join(word(f"notify_{channel}", lang) for channel in changes.notify_by)
    blocks: list[Block] = [
        Paragraph(word("major_intro", lang)),
        Bullets(tuple(_t(item, lang) for item in changes.major)),
        Paragraph(word("notify_by", lang, channels=channels)),
    ]
    if changes.reconsent_when:
        what = separator.join(word(f"reconsent_{item}", lang) for item in changes.reconsent_when)
        blocks.append(Paragraph(word("reconsent", lang, what=what)))
    return blocks


def _person(person: Representative | None, fallback_email: str, lang: Lang) -> str:
    if person is None or not person.designated:
        return word("to_be_designated", lang, email=fallback_email)
    details = [person.name, person.email, *([person.address] if person.address else [])]
    return ", ".join(details)


def _controller(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    controller = policy.controller
    address = controller.mailing_address
    if address.display is not None:
        mailing = _t(address.display, lang)
    else:
        country = _place(policy, address.country, lang)
        mailing = f"{', '.join(address.lines)}, {address.city}, {country}. {address.postal_code}"
    privacy = controller.contacts.privacy
    terms = (
        (word("company", lang), controller.legal_name),
        (word("headquarters", lang), controller.headquarters),
        (word("mailing_address", lang), mailing),
        (word("privacy_email", lang), privacy),
        (word("marketing_email", lang), controller.contacts.marketing),
        (word("website", lang), controller.website),
        (word("eu_representative", lang), _person(controller.eu_representative, privacy, lang)),
        (word("pipl_officer", lang), _person(controller.pipl_officer, privacy, lang)),
    )
    return [Terms(terms)]


_RENDERERS: list[tuple[tuple[str, ...], Renderer]] = [
    (("summary",), _summary),
    (("contexts",), _contexts),
    (("contexts", "?"), _context),
    (("purposes",), _purposes),
    (("recipients",), _recipients),
    (("recipients", "*", "transfer"), _transfers),
    (("cookies", "version"), _cookie_version),
    (("cookies", "max_age_months"), _cookie_max_age),
    (("cookies", "categories"), _cookie_categories),
    (("cookies", "categories", "?"), _cookie_category),
    (("cookies", "cookies"), _cookie_table),
    (("cookies", "jurisdictions"), _jurisdictions),
    (("rights", "rights"), _rights),
    (("rights", "request_email"), _request_email),
    (("rights", "identity_verification"), _identity),
    (("rights", "deadlines"), _deadlines),
    (("children",), _children),
    (("retention",), _retention),
    (("security",), _security),
    (("changes",), _changes),
    (("controller",), _controller),
]
