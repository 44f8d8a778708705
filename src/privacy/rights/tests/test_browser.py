"""A Chromium journey through the Privacy Center: from the footer link to the downloaded
package, with the codes read from a real SMTP server on loopback (C29, C45)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from privacy.rights.models import RightsRequest, Status
from privacy.rights.tests.workflow import code_in, link_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "keys"])]


@pytest.mark.commitment("C29")
def test_a_visitor_asks_for_their_data_confirms_by_code_and_downloads_it_once(
    chromium: Any, live_server: Any, make_user: Any, smtp_server: Any
) -> None:
    customer = make_user()
    site = "http://127.0.0.1:" + str(urlsplit(live_server.url).port)
    context = chromium.new_context(extra_http_headers={"X-Pledge-Country": "DE"}, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(site + "/")
        page.click("button[value=reject_all]")  # the cookie banner
        page.click("footer >> text=Privacy Center")
        assert page.url == site + "/privacy-center/"
        page.select_option("#id_right", "access")
        page.select_option("#id_jurisdiction", "EU")
        page.fill("#id_email", customer.email)
        page.click("text=Send the request")
        assert "Confirm it is you" in page.content()
        page.fill("#id_code", code_in(smtp_server.to(customer.email)[-1]))
        page.click("button:has-text('Confirm')")
        request = RightsRequest.objects.get()
        assert request.status == Status.EXECUTED
        assert page.locator("[data-status]").inner_text() == "Carried out"
        # The e-mailed link, then a fresh code, then the download
        ready = [m for m in smtp_server.to(customer.email) if "ready" in str(m["Subject"])]
        page.goto(site + link_in(ready[0]))
        page.click("text=Send me a code")
        page.fill("#id_code", code_in(smtp_server.to(customer.email)[-1]))
        with page.expect_download() as download_info:
            page.click("form:has(input[value=code]) >> text=Download (zip)")
        data = Path(download_info.value.path()).read_bytes()
        assert "report.html" in zipfile.ZipFile(io.BytesIO(data)).namelist()
        request.refresh_from_db()
        assert request.status == Status.CLOSED
        assert page.goto(site + link_in(ready[0])).status == 404  # works once
    finally:
        context.close()
