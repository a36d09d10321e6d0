"""What every response tells the browser: CSP, framing, referrer, sniffing, caching, and HSTS in
production; the map documents may be framed by the service's own pages only (issue 15, #14)."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from tests.conftest import login_form, sign_in


def _directives(policy: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


class _InlineScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self._buffer: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not dict(attrs).get("src") and dict(attrs).get("type") != "application/json":
            self._buffer = []

    def handle_data(self, data: str) -> None:
        if self._buffer is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._buffer is not None:
            self.scripts.append("".join(self._buffer))
            self._buffer = None


def test_pages_refuse_framing_inline_script_and_other_origins(client: TestClient) -> None:
    response = client.get("/login")
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-src"] == ["'self'"]  # the maps, in frames of the service's own pages
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # not outside production


def test_personal_pages_and_json_are_never_stored_static_files_may_be(client: TestClient) -> None:
    headers = sign_in(client, "pendamping.kebonjayanti")
    assert client.get("/api/v1/households", headers=headers).headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me", headers=headers).headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"  # a 401 too
    client.post(
        "/login", data={"username": "pendamping.kebonjayanti", "password": "pendamping-demo-2026", **login_form(client)}
    )
    page = client.get("/kpm")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    static = client.get("/static/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


def test_maps_are_framed_only_by_the_services_pages_and_run_only_their_own_scripts(client: TestClient) -> None:
    headers = sign_in(client, "forum.bandung")
    response = client.get("/maps/stakeholders?region=32.73", headers=headers)
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "https://tile.openstreetmap.org" in csp["img-src"]
    parser = _InlineScripts()
    parser.feed(response.text)
    assert parser.scripts  # the map's own code is inline, each allowed by its hash
    for script in parser.scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp["script-src"]
    assert response.headers["Cache-Control"] == "private, no-store"


def test_production_sends_hsts(production_client: TestClient) -> None:
    response = production_client.get("/login")
    assert re.fullmatch(r"max-age=\d{8,}; includeSubDomains", response.headers["Strict-Transport-Security"])
