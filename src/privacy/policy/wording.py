"""The page's own words around the declaration's data, in English and Simplified Chinese.

Table headings, "after the order is completed", how a consent model is explained: these
belong to the published page, not to the policy, so they live here rather than in the
declaration. Each entry is (English, Chinese); `{name}` fields are filled by `word()`.
"""

from __future__ import annotations

from privacy.policy.document import Lang

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
