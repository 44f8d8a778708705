"""The published policy and cookie notice, in English and Simplified Chinese."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.test import Client, RequestFactory, override_settings

from privacy.policy import views
from privacy.policy.context import policy_summary
from privacy.policy.document import Bullets, Document, Heading, Paragraph, Table, Terms, to_markdown
from privacy.policy.loader import current_policy
from privacy.policy.render import build_document
from privacy.policy.tests.conftest import Breaker
from privacy.policy.tests.test_declaration import SEED_HEADINGS

COOKIE_HEADINGS = ["Cookies Notice", "Types of Cookies We Use", "Your Cookie Choices"]


def page_text(response_content: bytes) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", "", response_content.decode())
    return re.sub(r"\s+", " ", html.unescape(text))


def html_lang(response_content: bytes) -> str:
    found = re.search(r'<html lang="([^"]+)"', response_content.decode())
    assert found is not None
    return found.group(1)


@pytest.mark.commitment("C28", "C44")
def test_privacy_page_publishes_every_heading_with_version_and_date(client: Client) -> None:
    response = client.get("/privacy/")
    text = page_text(response.content)

    assert response.status_code == 200
    assert html_lang(response.content) == "en"
    assert response.headers["Content-Language"] == "en"
    for heading in SEED_HEADINGS:
        assert re.search(
            rf"<h[234] id=\"[^\"]+\">{re.escape(html.escape(heading))}</h[234]>", response.content.decode()
        ), heading
    assert "Version: 2023.09" in text
    assert "Effective date: 1 September 2023" in text
    assert "Last Updated: September, 2023" in text
    assert 'href="?lang=zh"' in response.content.decode()


@pytest.mark.commitment("C12")
def test_cookie_page_lists_every_cookie_and_only_the_cookie_notice(client: Client) -> None:
    response = client.get("/cookies/")
    text = page_text(response.content)
    policy = current_policy()

    assert response.status_code == 200
    for heading in COOKIE_HEADINGS:
        assert heading in text
    assert "Your Rights" not in text
    for cookie in policy.cookies.cookies:
        assert f'<th scope="row">{html.escape(cookie.name)}</th>' in response.content.decode()
    for category in policy.cookies.categories.values():
        assert category.title.en in text
    assert "Always active: these cannot be switched off." in text


def test_privacy_page_tables_hold_the_declaration(client: Client) -> None:
    text = page_text(client.get("/privacy/").content)
    policy = current_policy()

    for recipient in policy.recipients.values():
        assert recipient.title.en in text
    for purpose in policy.purposes.values():
        assert purpose.title.en in text
    assert "Standard contractual clauses" in text
    assert "Commission Implementing Decision (EU) 2021/914, Module Two (controller to processor)" in text
    assert "We answer every request within 1 month of receipt, wherever you are." in text
    assert "15 working days" in text
    assert "To be designated; meanwhile write to privacy@sogaworks.com" in text
    assert "3 years after the order is completed" in text


@pytest.mark.parametrize("lang", ["zh", "zh-hans", "zh-CN"])
def test_chinese_by_query(client: Client, lang: str) -> None:
    response = client.get(f"/privacy/?lang={lang}")
    text = page_text(response.content)

    assert response.status_code == 200
    assert html_lang(response.content) == "zh-hans"
    assert response.headers["Content-Language"] == "zh-hans"
    policy = current_policy()
    for section in policy.sections:
        assert section.heading.zh in text
    assert "版本：2023.09" in text
    assert "生效日期：2023年9月1日" in text
    assert 'href="?lang=en"' in response.content.decode()


def test_chinese_by_accept_language(client: Client) -> None:
    response = client.get("/cookies/", headers={"accept-language": "zh-CN,zh;q=0.9"})

    assert html_lang(response.content) == "zh-hans"
    assert "我们使用的 Cookie 类型" in page_text(response.content)


def test_query_overrides_accept_language(client: Client) -> None:
    response = client.get("/cookies/?lang=en", headers={"accept-language": "zh-CN"})

    assert html_lang(response.content) == "en"


def _block_texts(document: Document) -> list[str]:
    texts: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading | Paragraph):
            texts.append(block.text)
        elif isinstance(block, Bullets):
            texts += block.items
        elif isinstance(block, Terms):
            texts += [text for pair in block.items for text in pair]
        elif isinstance(block, Table):
            texts += list(block.headers) + [line for row in block.rows for cell in row for line in cell]
    return [text for text in texts if text]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("notice", ["privacy", "cookies"])
def test_markdown_and_html_say_the_same_thing(client: Client, lang: str, notice: str) -> None:
    document = build_document(
        current_policy(),
        lang="zh" if lang == "zh" else "en",
        notice="cookies" if notice == "cookies" else "privacy",
    )
    markdown = to_markdown(document)
    page = page_text(client.get(f"/{notice}/?lang={lang}").content)

    for text in _block_texts(document):
        assert text.replace("|", "\\|") in markdown
        assert re.sub(r"\s+", " ", text) in page


def test_context_processor_gives_version_and_date() -> None:
    summary = policy_summary(RequestFactory().get("/"))

    assert summary["policy_summary"]["version"] == "2023.09"
    assert str(summary["policy_summary"]["effective_date"]) == "2023-09-01"


def test_context_processor_is_empty_for_a_broken_declaration(broken: Breaker) -> None:
    path: Path = broken(("\nsummary:\n", "\nsumary:\n"))

    with override_settings(PLEDGE_POLICY_FILE=path):
        assert policy_summary(RequestFactory().get("/")) == {}


def test_pages_answer_503_for_a_broken_declaration(broken: Breaker) -> None:
    path: Path = broken(("\nsummary:\n", "\nsumary:\n"))

    # The view alone: other middleware (consent) reads the declaration before it.
    with override_settings(PLEDGE_POLICY_FILE=path):
        response = views.privacy(RequestFactory().get("/privacy/"))

    assert response.status_code == 503
