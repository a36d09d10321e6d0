"""The security headers of every response: a Content-Security-Policy, no framing, the referrer
sent cross-origin as the origin alone, no MIME sniffing, ``no-store`` on everything but static
files, and HSTS in production.

Pages load only the service's own scripts, styles and images (no inline script or style). The
maps (``/maps/...``) are folium documents framed by the service's own pages: they run their own
inline scripts, each allowed by its SHA-256 (never ``'unsafe-inline'`` for scripts), keep
Leaflet's inline styles, draw OpenStreetMap tiles, and may be framed by this origin only.
``strict-origin-when-cross-origin`` rather than ``no-referrer``: OpenStreetMap's tile policy asks
for a Referer, and the origin alone says no more than that.
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

from starlette.responses import Response

TILE_SERVER = "https://tile.openstreetmap.org"
HSTS = "max-age=31536000; includeSubDomains"

PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class _InlineScripts(HTMLParser):
    """The text of each inline script of a document, exactly as the browser hashes it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not dict(attrs).get("src"):
            self._open = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open is not None:
            self.scripts.append("".join(self._open))
            self._open = None


def map_headers(html: str) -> dict[str, str]:
    """The CSP and framing headers of a map document ``html``: its inline scripts by hash."""
    parser = _InlineScripts()
    parser.feed(html)
    hashes = sorted(
        {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in parser.scripts}
    )
    policy = "; ".join(
        [
            "default-src 'self'",
            " ".join(["script-src 'self'", *hashes]),
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: {TILE_SERVER}",
            "font-src 'self'",
            "connect-src 'self'",
            "frame-src 'none'",
            "frame-ancestors 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )
    return {"Content-Security-Policy": policy, "X-Frame-Options": "SAMEORIGIN"}


def add_security_headers(response: Response, path: str, *, production: bool) -> None:
    """Set the headers a response has not set itself (a map sets its own policy)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if not path.startswith("/static/"):
        headers.setdefault("Cache-Control", "no-store")
    if production:
        headers.setdefault("Strict-Transport-Security", HSTS)
