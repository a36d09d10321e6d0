"""Maps benchmark: build time, HTML weight and time to first paint of a household map.

Run from the repository root::

    .venv/bin/python -m bench.maps                               # 1,000, 10,000 and 100,000 households
    .venv/bin/python -m bench.maps --sizes 1000,10000 --no-browser --repeat 1

For each size, synthetic households spread like a regency (Kota Bandung: a normal spread of
about 0.04 degrees around the city centre plus a few dense neighbourhoods; fixed seed) are drawn
three ways:

* ``jejaring · organiser``: what a forum organiser sees -- ``service.maps.household_layers`` for
  a non-entitled scope (households as privacy-aggregated H3 cells, sized as on a Kota Bandung map) and a dozen
  organisation points, rendered by ``mapping.maps.render_html`` (Leaflet from /static/vendor);
* ``jejaring · admin``: the same for an admin scope, so every household is also a point in a
  ``FastMarkerCluster`` layer (what a facilitator sees of their own caseload);
* ``plain folium``: ``folium.Map`` + ``folium.plugins.MarkerCluster`` with one ``folium.Marker``
  (and a short text popup) per household, rendered with ``m.get_root().render()``.

Build time is layers + HTML (best of ``--repeat``); the size is the HTML's bytes and its gzip
(level 6, as the service sends it). In the browser each page is loaded in headless Chromium
(412x800, a fresh page each time, median of ``--repeat`` loads) from a local HTTP server that
also serves the vendored Leaflet; the plain folium page's CDN Leaflet and markercluster are
rewritten to the vendored copies, and every other outside request (tiles, jQuery, Bootstrap,
Font Awesome) is aborted. It reports first-contentful-paint and the time until the map's layers
are in the DOM (the first animation frame with a ``.leaflet-interactive`` or ``.marker-cluster``
element), both from navigation start.

Last, the demo's real maps (a temporary SQLite database: migrations, regions, demo) are built
and weighed: the stakeholder map of the village Kebon Jayanti and of Kota Bandung for the forum
organiser and for the Kebon Jayanti facilitator, and one Kebon Jayanti family's map.

With ``--service N``, a second demo database gets N synthetic households in Kota Bandung's
villages (bulk inserts), and the stakeholder and gap maps of 32.73 are timed through the service
functions the /maps endpoints call (database, screening, network, layers) and ``render_html``,
for the forum organiser and for an admin; then one request through ``TestClient`` and a cProfile
of the slowest.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import gzip
import hashlib
import http.server
import os
import platform
import pstats
import re
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import folium
import numpy as np
import sqlalchemy as sa
from folium.plugins import MarkerCluster
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from shapely.geometry import Point
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bench.network import best
from mapping.maps import VENDOR, Layer, LegendEntry, MapDoc, frame, popup, radius_for, render_html
from models.types import utcnow
from models.users import Role
from service.core.scope import Scope
from service.i18n import translator
from service.maps import Homes, household_layers, resolution_for
from service.settings import Settings

CENTRE = (-6.92, 107.61)  # Kota Bandung
SPREAD = 0.04  # degrees
NEIGHBOURHOODS = 6  # dense clusters, a fifth of the households
REGION = "32.73"  # the households' cells are sized as on a map of Kota Bandung
ORGANISATIONS = 12
VILLAGE = "32.73.16.1002"  # Kebon Jayanti
REGENCY = "32.73"  # Kota Bandung
TARGET_BUILD_S = 3.0
TARGET_BIG_HTML = 5 * 1024 * 1024
TARGET_VILLAGE_HTML = 300 * 1024
LAYERS_SELECTOR = ".leaflet-interactive, .marker-cluster"
PAGE_TIMEOUT_MS = 240_000
BIG_PAGE = 20 * 1024 * 1024  # pages above this are loaded once


# --- data -------------------------------------------------------------------------------------


def synthetic_homes(n: int, seed: int = 2026) -> Homes:
    """``n`` households around Bandung: most spread over the city, a fifth in dense neighbourhoods."""
    rng = np.random.default_rng(seed)
    dense = n // 5
    lats = rng.normal(CENTRE[0], SPREAD, n)
    lons = rng.normal(CENTRE[1], SPREAD, n)
    hubs = rng.normal(0.0, SPREAD, (NEIGHBOURHOODS, 2)) + np.array(CENTRE)
    which = rng.integers(0, NEIGHBOURHOODS, dense)
    lats[:dense] = hubs[which, 0] + rng.normal(0.0, 0.004, dense)
    lons[:dense] = hubs[which, 1] + rng.normal(0.0, 0.004, dense)
    return Homes(
        ids=np.arange(1, n + 1, dtype=np.int64),
        villages=[VILLAGE] * n,
        facilitators=rng.integers(1, max(2, n // 200), n).astype(np.int64),
        lats=lats,
        lons=lons,
    )


def organisation_layer(t: Callable[[str], str]) -> Layer:
    """A dozen organisation points drawn as the stakeholder map draws them (letter icons)."""
    rng = np.random.default_rng(7)
    rows, geoms = [], []
    for i in range(ORGANISATIONS):
        radius = radius_for(float(rng.random()), 1.0)
        size = int(radius * 2)
        icon = (
            f'<div class="jj-i jj-circle" style="width:{size}px;height:{size}px;background:#1b9e77">'
            "<span>L</span></div>"
        )
        rows.append(
            {
                "organization_id": i + 1,
                "name": f"Organisasi {i + 1}",
                "radius": radius,
                "icon": icon,
                "popup": popup(f"Organisasi {i + 1}", ["LSM", "Kantor"], (t("map.record"), f"/org/{i + 1}")),
            }
        )
        geoms.append(Point(CENTRE[1] + rng.normal(0, SPREAD), CENTRE[0] + rng.normal(0, SPREAD)))
    return Layer("organizations", t("map.layer.organizations"), "points", frame(rows, geoms))


# --- the three maps ---------------------------------------------------------------------------


@dataclass
class Built:
    n: int
    variant: str
    seconds: float
    html: str
    drawn: str
    layers_s: float | None = None
    gz: int = 0
    paint: dict[str, float | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.gz = len(gzip.compress(self.html.encode(), 6))

    @property
    def size(self) -> int:
        return len(self.html.encode())


def jejaring_map(homes: Homes, scope: Scope) -> tuple[float, str, str]:
    """Layers (``household_layers`` + organisations) and render_html; returns the layers' time."""
    t = translator("id")
    start = time.perf_counter()
    layers, notes = household_layers(scope, homes, resolution_for(homes, REGION), t)
    layers.append(organisation_layer(t))
    layers_s = time.perf_counter() - start
    legend = [LegendEntry(t("map.layer.household_cells"), "#de2d26", "area")]
    doc = MapDoc("Peta pemangku kepentingan: Kota Bandung", layers, legend, notes, "id", t("map.open_family"))
    html = render_html(doc, assets="/static/vendor")
    cells = sum(len(x.frame) for x in layers if x.key == "household_cells")
    points = sum(len(x.frame) for x in layers if x.kind == "cluster")
    drawn = f"{cells:,} cells + {ORGANISATIONS} orgs" + (f" + {points:,} clustered pts" if points else "")
    return layers_s, html, drawn


def plain_folium(homes: Homes) -> str:
    """One folium.Marker (text popup) per household in a MarkerCluster, CDN assets as folium has them."""
    m = folium.Map(location=list(CENTRE), zoom_start=12)
    cluster = MarkerCluster(name="KPM").add_to(m)  # type: ignore[no-untyped-call]
    for i, lat, lon in zip(homes.ids.tolist(), homes.lats.tolist(), homes.lons.tolist(), strict=True):
        folium.Marker([round(lat, 5), round(lon, 5)], popup=f"KPM {i}").add_to(cluster)
    folium.LayerControl().add_to(m)
    return str(m.get_root().render())


def run_size(n: int, repeat: int) -> list[Built]:
    homes = synthetic_homes(n)
    out = []
    for variant, scope in (
        ("jejaring · organiser", Scope(user_id=1, role=Role.forum_organizer)),
        ("jejaring · admin", Scope(user_id=1, role=Role.admin)),
    ):
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            layers_s, html, drawn = jejaring_map(homes, scope)
            runs.append((time.perf_counter() - start, layers_s))
        seconds, layers_s = min(runs)
        out.append(Built(n, variant, seconds, html, drawn, layers_s))
    # the plain folium page takes long at 100,000: once only above 10,000
    seconds, html = best(lambda: plain_folium(homes), repeat if n <= 10_000 else 1)
    out.append(Built(n, "plain folium MarkerCluster", seconds, html, f"{n:,} markers"))
    return out


# --- the browser ------------------------------------------------------------------------------

JQUERY = Path("/usr/share/javascript/jquery/jquery.min.js")  # Debian's libjs-jquery, when installed
JQUERY_SHIM = (
    "window.$ = function (html) { var d = document.createElement('div'); d.innerHTML = html; return [d.firstChild]; };"
)
CDN = {  # folium's CDN files -> the vendored copies (jQuery: folium's popups call $(...))
    r"https://code\.jquery\.com/jquery-[^\"']*\.js": "/static/jquery.min.js",
    r"https://[^\"'\s]*/leaflet(?:@[^/\"']*)?/dist/leaflet\.js": "/static/vendor/leaflet/leaflet.js",
    r"https://[^\"'\s]*/leaflet(?:@[^/\"']*)?/dist/leaflet\.css": "/static/vendor/leaflet/leaflet.css",
    r"https://[^\"'\s]*/leaflet\.markercluster(?:@[^/\"']*)?/[^\"']*leaflet\.markercluster\.js": (
        "/static/vendor/leaflet.markercluster/leaflet.markercluster.js"
    ),
    r"https://[^\"'\s]*/leaflet\.markercluster(?:@[^/\"']*)?/[^\"']*MarkerCluster\.Default\.css": (
        "/static/vendor/leaflet.markercluster/MarkerCluster.Default.css"
    ),
    r"https://[^\"'\s]*/leaflet\.markercluster(?:@[^/\"']*)?/[^\"']*MarkerCluster\.css": (
        "/static/vendor/leaflet.markercluster/MarkerCluster.css"
    ),
}

FCP = "(performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint') || {}).startTime"
# Records when the layers first are in the DOM (the first animation frame that finds them).
WATCH = f"""
(() => {{
  const look = () => {{
    if (document.querySelectorAll({LAYERS_SELECTOR!r}).length > 0) {{ window.__layersAt = performance.now(); return; }}
    requestAnimationFrame(look);
  }};
  requestAnimationFrame(look);
}})();
"""


def localise(html: str) -> tuple[str, int]:
    """The plain folium page with its CDN Leaflet and markercluster pointed at the vendored copies."""
    head, sep, body = html.partition("</head>")  # the links are in the head: never scan the markers
    count = 0
    for pattern, local in CDN.items():
        head, k = re.subn(pattern, local, head)
        count += k
    return head + sep + body, count


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Browser:
    """Headless Chromium and a local HTTP server over a temp dir holding the pages and /static/vendor."""

    def __init__(self, root: Path):
        from playwright.sync_api import sync_playwright

        self.root = root
        (root / "static").mkdir()
        (root / "static" / "vendor").symlink_to(VENDOR, target_is_directory=True)
        if JQUERY.exists():
            (root / "static" / "jquery.min.js").write_bytes(JQUERY.read_bytes())
            self.jquery = f"{JQUERY} ({JQUERY.read_text(encoding='utf-8')[3:18].strip()})"
        else:
            (root / "static" / "jquery.min.js").write_text(JQUERY_SHIM, encoding="utf-8")
            self.jquery = "a one-line $(html) shim (no local jQuery found)"
        handler = functools.partial(Quiet, directory=str(root))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.pw = sync_playwright().start()
        self.browser = self.pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        self.aborted = 0

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(f"http://127.0.0.1:{self.port}/"):
            route.continue_()
        else:
            self.aborted += 1
            route.abort()

    def load(self, name: str, html: str, repeat: int) -> dict[str, float | None]:
        """Median first-contentful-paint and layers-in-DOM times (ms) over ``repeat`` fresh pages."""
        (self.root / name).write_text(html, encoding="utf-8")
        paints: list[float] = []
        layers: list[float] = []
        dom = 0
        failed = None
        for _ in range(repeat):
            context = self.browser.new_context(viewport={"width": 412, "height": 800})
            page = context.new_page()
            page.route("**/*", self._route)
            page.add_init_script(WATCH)
            try:
                page.goto(f"http://127.0.0.1:{self.port}/{name}", wait_until="commit", timeout=PAGE_TIMEOUT_MS)
                page.wait_for_function("window.__layersAt !== undefined", timeout=PAGE_TIMEOUT_MS, polling=100)
                with contextlib.suppress(PlaywrightTimeout):  # the paint entry lands a frame later
                    page.wait_for_function(f"{FCP} !== undefined", timeout=5_000, polling=50)
                fcp = page.evaluate(f"{FCP} ?? null")
                at = page.evaluate("window.__layersAt")
                dom = page.evaluate(f"document.querySelectorAll({LAYERS_SELECTOR!r}).length")
                if fcp is not None:
                    paints.append(float(fcp))
                layers.append(float(at))
            except (PlaywrightTimeout, PlaywrightError) as exc:  # a timeout or a crashed page: reported, not fatal
                failed = type(exc).__name__
                break
            finally:
                context.close()
        (self.root / name).unlink()
        if failed:
            return {"fcp": None, "layers": None, "dom": None, "failed": failed}  # type: ignore[dict-item]
        return {
            "fcp": statistics.median(paints) if paints else None,
            "layers": statistics.median(layers),
            "dom": float(dom),
        }

    def close(self) -> None:
        self.browser.close()
        self.pw.stop()
        self.server.shutdown()
        self.server.server_close()


# --- the demo's maps --------------------------------------------------------------------------


def demo_database(path: Path) -> tuple[Engine, Settings]:
    """A temporary SQLite database as the CLI and the tests build it: migrations, regions, demo."""
    from seeds.demo import load_demo
    from seeds.regions import load_regions
    from service.db import make_engine
    from service.migrations import upgrade

    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{path}",
        secret_key="bench-secret-key-of-at-least-thirty-two-characters",
        log_level="WARNING",
    )
    start = time.perf_counter()
    engine = make_engine(settings)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_regions(session)
        load_demo(session, nik_key=settings.nik_hash_key, today=settings.today())
    print(f"  demo database built in {time.perf_counter() - start:.1f} s ({path.name})", flush=True)
    return engine, settings


def demo_maps(workdir: Path) -> list[Built]:
    """The demo database's real maps, built in process as the /maps pages build them."""
    from models.households import Household
    from models.users import User
    from service.maps import household_map, stakeholder_map

    engine, settings = demo_database(workdir / "maps.db")
    today = settings.today()
    out: list[Built] = []
    with Session(engine, expire_on_commit=False) as session:
        users = {u.username: u for u in session.exec(select(User)).all()}
        scopes = {name: Scope.for_user(session, users[name]) for name in ("forum.bandung", "pendamping.kebonjayanti")}
        for region, label in ((VILLAGE, "Kebon Jayanti"), (REGENCY, "Kota Bandung")):
            for username, scope in scopes.items():
                variant = f"demo stakeholder {label} · {username}"
                try:
                    start = time.perf_counter()
                    doc = stakeholder_map(session, scope, region, today=today, lang="id")
                    html = render_html(doc)
                    seconds = time.perf_counter() - start
                except Exception as exc:
                    print(f"  {variant}: FAILED {type(exc).__name__}: {exc}")
                    continue
                out.append(Built(0, variant, seconds, html, describe(doc)))
        fac = scopes["pendamping.kebonjayanti"]
        hid = session.exec(
            select(Household.id)
            .where(Household.village_code == VILLAGE, Household.facilitator_id == fac.facilitator_id)
            .order_by(Household.id)  # type: ignore[arg-type]
        ).first()
        if hid is not None:
            start = time.perf_counter()
            doc = household_map(session, fac, hid, today=today, lang="id")
            html = render_html(doc)
            out.append(Built(0, f"demo family {hid} · pendamping.kebonjayanti", time.perf_counter() - start, html,
                             describe(doc)))  # fmt: skip
    engine.dispose()
    return out


# --- the service path: N households in the demo database ---------------------------------------

SERVICE_BOX = ((-6.97, -6.86), (107.55, 107.73))  # Kota Bandung: lat, lon
SERVICE_SD = 0.004  # degrees around a village's centre
SERVICE_KEBON_JAYANTI = 300  # households of the demo's Kebon Jayanti facilitator
SERVICE_FACILITATORS = 10
SERVICE_BUSINESS_SHARE = 0.4
SERVICE_BATCH = 10_000
SERVICE_PROFILE_TOP = 15
ROOT = Path(__file__).resolve().parent.parent


def add_households(session: Session, n: int, today: date, seed: int = 2026) -> dict[str, int]:
    """Bulk-insert ``n`` synthetic households into Kota Bandung's villages: ``SERVICE_KEBON_JAYANTI``
    of them in Kebon Jayanti for the demo's facilitator, the rest spread over the city's other
    villages and ten new facilitators; about 40 % with one business drawn as ``seeds.demo`` draws
    them. Returns the row counts inserted."""
    import random

    from models.households import Business, Facilitator, FacilitatorVillage, Household
    from models.regions import Region, RegionLevel
    from models.users import User
    from seeds.demo import AREAS, _business, _weighted

    villages = list(
        session.exec(
            select(Region.code)
            .where(Region.level == RegionLevel.village, Region.code.startswith(REGENCY + "."))  # type: ignore[attr-defined]
            .order_by(Region.code)  # type: ignore[arg-type]
        ).all()
    )
    others = [v for v in villages if v != VILLAGE]
    kebon = session.exec(select(User.facilitator_id).where(User.username == "pendamping.kebonjayanti")).one()
    assert kebon is not None
    facs = [
        Facilitator(
            name=f"Pendamping Sintetis {i + 1:02d}",
            education_background="other",  # type: ignore[arg-type]
            phone=f"0812-0000-{8000 + i}",
            region_code=REGENCY,
        )
        for i in range(SERVICE_FACILITATORS)
    ]
    session.add_all(facs)
    session.flush()
    fac_of: dict[str, int] = {VILLAGE: kebon}
    links = []
    for f, block in zip(facs, np.array_split(np.array(others, dtype=object), SERVICE_FACILITATORS), strict=True):
        assert f.id is not None
        for code in block.tolist():
            fac_of[code] = f.id
            links.append(FacilitatorVillage(facilitator_id=f.id, village_code=code))
    session.add_all(links)
    session.flush()

    rng = np.random.default_rng(seed)
    (lat0, lat1), (lon0, lon1) = SERVICE_BOX
    centres = {v: (float(rng.uniform(lat0, lat1)), float(rng.uniform(lon0, lon1))) for v in others}
    centres[VILLAGE] = AREAS[0].centre  # where the demo put Kebon Jayanti's families
    k = min(n, SERVICE_KEBON_JAYANTI)
    village = np.array([VILLAGE] * k + rng.choice(np.array(others, dtype=object), n - k).tolist(), dtype=object)
    lats = np.array([centres[v][0] for v in village]) + rng.normal(0.0, SERVICE_SD, n)
    lons = np.array([centres[v][1] for v in village]) + rng.normal(0.0, SERVICE_SD, n)
    female = rng.random(n) < 0.88
    ages = rng.integers(22, 71, n)
    days = rng.integers(1, 361, n)
    status = rng.choice(
        ["active", "graduated_natural", "graduated_self_sufficient", "exited"], n, p=[0.8, 0.08, 0.05, 0.07]
    )
    decile = rng.choice([1, 2, 3, 4, 5, 0], n, p=[0.3, 0.27, 0.2, 0.12, 0.03, 0.08])
    agreed = rng.choice([1, 0, -1], n, p=[0.3, 0.4, 0.3])
    children = rng.choice([0, 1, 2, 3, 4], n, p=[0.22, 0.3, 0.27, 0.14, 0.07])
    joined = rng.integers(2012, min(2024, today.year) + 1, n)
    prse = rng.random(n)
    now = utcnow()
    hh_rows: list[dict[str, Any]] = []
    for i in range(n):
        seq = i + 1
        hh_rows.append(
            {
                "pkh_id": f"PKH-SINTETIS-{seq:07d}",
                "head_name": f"KPM Sintetis {seq:05d}",
                "head_birth_date": today - timedelta(days=int(ages[i]) * 365 + int(days[i])),
                "head_sex": "F" if female[i] else "M",
                "village_code": village[i],
                "address": f"RT {seq % 12 + 1:02d}/RW {seq % 9 + 1:02d} (sintetis)",
                "latitude": round(float(lats[i]), 6),
                "longitude": round(float(lons[i]), 6),
                "facilitator_id": fac_of[village[i]],
                "pkh_status": str(status[i]),
                "pkh_joined_year": int(joined[i]),
                "dtsen_decile": int(decile[i]) or None,
                "prse": bool(prse[i] < 0.15) if female[i] else False,
                "disability": bool(prse[i] > 0.94),
                "elderly": bool(ages[i] >= 60),
                "school_age_children": int(children[i]),
                "agreed_to_graduate": None if agreed[i] < 0 else bool(agreed[i]),
                "nik_hash": hashlib.sha256(f"jejaring-bench-maps:{seq}".encode()).hexdigest(),
                "nik_masked": f"9999********{seq % 10_000:04d}",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    for start in range(0, n, SERVICE_BATCH):
        session.execute(sa.insert(Household.__table__), hh_rows[start : start + SERVICE_BATCH])
    ids = dict(
        session.execute(
            sa.select(Household.pkh_id, Household.id).where(Household.pkh_id.startswith("PKH-SINTETIS-"))  # type: ignore[attr-defined]
        ).all()
    )
    sectors = AREAS[0].sectors  # Kebon Jayanti's mix
    draw = random.Random(f"jejaring-bench-maps:{seed}")
    biz_rows: list[dict[str, Any]] = []
    for row in hh_rows:
        if draw.random() >= SERVICE_BUSINESS_SHARE:
            continue
        b = _business(draw, today, _weighted(draw, sectors), row["head_name"], set())
        biz_rows.append(
            b.row() | {"household_id": ids[row["pkh_id"]], "version": 1, "created_at": now, "updated_at": now}
        )
    for start in range(0, len(biz_rows), SERVICE_BATCH):
        session.execute(sa.insert(Business.__table__), biz_rows[start : start + SERVICE_BATCH])
    session.commit()
    return {"households": n, "businesses": len(biz_rows), "facilitators": len(facs), "villages": len(villages)}


@dataclass
class ServiceRun:
    kind: str  # stakeholders | gaps
    who: str
    total: float
    service: float
    render: float
    html: str
    drawn: str
    gz: int = 0

    def __post_init__(self) -> None:
        self.gz = len(gzip.compress(self.html.encode(), 6))


def service_build(engine: Engine, scope: Scope, kind: str, today: date) -> tuple[float, float, MapDoc, str]:
    """One request's worth, in process: a fresh session, the service function, render_html."""
    from service.maps import gap_map, stakeholder_map

    build = stakeholder_map if kind == "stakeholders" else gap_map
    with Session(engine) as session:
        start = time.perf_counter()
        doc = build(session, scope, REGENCY, today=today, lang="id")
        mid = time.perf_counter()
        html = render_html(doc)
        end = time.perf_counter()
    return mid - start, end - mid, doc, html


def profile_top(fn: Callable[[], Any], top: int) -> None:
    """cProfile ``fn`` once; print the repository's own functions (service/, mapping/) by
    cumulative time."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    stats = pstats.Stats(prof)
    total = max((ct for (_, _, _, ct, _) in stats.stats.values()), default=0.0)  # type: ignore[attr-defined]
    own = []
    for (path, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rel = os.path.relpath(path, ROOT) if path.startswith(str(ROOT)) else ""
        if rel.startswith(("service/", "mapping/")):
            own.append((cumtime, tottime, calls, f"{rel}:{line} {name}"))
    own.sort(reverse=True)
    print(f"  {'cum s':>7} {'own s':>7} {'calls':>9}  function (profiled run: {total:.2f} s under cProfile)")
    for cumtime, tottime, calls, where in own[:top]:
        print(f"  {cumtime:>7.2f} {tottime:>7.2f} {calls:>9,}  {where}")


def service_maps(workdir: Path, n: int, repeat: int) -> None:
    """The whole request through the service for a regency of ``n`` (+ the demo's) households:
    stakeholder and gap maps of Kota Bandung for the forum organiser and for an admin, split
    into the service function (queries, screening, network, layers) and render_html; one
    HTTP request through TestClient; a cProfile of the slowest."""
    from fastapi.testclient import TestClient

    from models.households import Household
    from models.users import User
    from service.app import create_app
    from service.core.scope import within

    print(f"\nThe service path: {n:,} synthetic households in Kota Bandung ({REGENCY}) on top of the demo", flush=True)
    engine, settings = demo_database(workdir / f"service-{n}.db")
    today = settings.today()
    start = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        counts = add_households(session, n, today)
    with Session(engine) as session:
        in_region = session.execute(
            sa.select(sa.func.count()).select_from(Household).where(within(Household.village_code, REGENCY))
        ).scalar_one()
        users = {u.username: u for u in session.exec(select(User)).all()}
        scopes = {"forum.bandung": Scope.for_user(session, users["forum.bandung"]),
                  "admin": Scope.for_user(session, users["admin"])}  # fmt: skip
    print(
        f"  inserted {counts['households']:,} households, {counts['businesses']:,} businesses, "
        f"{counts['facilitators']} facilitators over {counts['villages']} villages in "
        f"{time.perf_counter() - start:.1f} s; {in_region:,} households in {REGENCY}",
        flush=True,
    )
    runs: list[ServiceRun] = []
    for kind in ("stakeholders", "gaps"):
        for who, scope in scopes.items():
            tries = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                service_s, render_s, doc, html = service_build(engine, scope, kind, today)
                tries.append((time.perf_counter() - t0, service_s, render_s))
            total, service_s, render_s = min(tries)
            runs.append(ServiceRun(kind, who, total, service_s, render_s, html, describe(doc)))
            print(f"  {kind} · {who}: {total:.2f} s", flush=True)

    app = create_app(settings)
    with TestClient(app) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": "forum.bandung", "password": "forum-demo-2026"}
        ).json()["access_token"]
        t0 = time.perf_counter()
        response = client.get(
            f"/maps/stakeholders?region={REGENCY}",
            headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"},
        )
        http_s = time.perf_counter() - t0
        http_line = (
            f"  HTTP GET /maps/stakeholders?region={REGENCY} as forum.bandung (TestClient, once): "
            f"{response.status_code} in {http_s:.2f} s, {len(response.content) / 1024:,.0f} KB HTML, "
            f"{response.num_bytes_downloaded / 1024:,.0f} KB on the wire ({response.headers.get('content-encoding')})"
        )
    app.state.engine.dispose()

    print(f"\nThe service path, {in_region:,} households in {REGENCY} (best of {repeat} runs, a fresh session each):\n")
    print(
        f"{'map':<13} {'scope':<14} {'total s':>7} {'service s':>9} {'render s':>8} "
        f"{'HTML KB':>8} {'gzip KB':>7}  layers"
    )
    for r in runs:
        print(
            f"{r.kind:<13} {r.who:<14} {r.total:>7.2f} {r.service:>9.2f} {r.render:>8.2f} "
            f"{len(r.html.encode()) / 1024:>8,.0f} {r.gz / 1024:>7,.0f}  {r.drawn}"
        )
    print(http_line)

    slowest = max(runs, key=lambda r: r.total)
    print(
        f"\ncProfile of the slowest, {slowest.kind} · {slowest.who} (service/ and mapping/ only, by cumulative time):"
    )
    profile_top(lambda: service_build(engine, scopes[slowest.who], slowest.kind, today), SERVICE_PROFILE_TOP)
    engine.dispose()
    worst = {kind: max(r.total for r in runs if r.kind == kind) for kind in ("stakeholders", "gaps")}
    print(
        f"\nservice path, {n:,} households: stakeholders {worst['stakeholders']:.2f} s, gaps {worst['gaps']:.2f} s "
        "(target < 3 s for the map build: the layers and HTML; the rest is screening and the network)"
    )


def describe(doc: MapDoc) -> str:
    return ", ".join(f"{x.key} {len(x.frame)}" for x in doc.layers if len(x.frame))


# --- report -----------------------------------------------------------------------------------


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def table(rows: list[Built], browser: bool) -> None:
    head = f"{'N':>8}  {'variant':<28} {'build s':>8} {'layers s':>8} {'HTML KB':>10} {'gzip KB':>9}"
    if browser:
        head += f" {'FCP ms':>8} {'layers ms':>9} {'in DOM':>7}"
    print(head + "  drawn")
    for r in rows:
        line = (
            f"{r.n:>8,}  {r.variant:<28} {r.seconds:>8.2f} {'-' if r.layers_s is None else f'{r.layers_s:.2f}':>8} "
            f"{r.size / 1024:>10,.0f} {r.gz / 1024:>9,.0f}"
        )
        if browser:
            p = r.paint
            if p.get("failed"):
                line += f" {'failed: ' + str(p['failed']):>26}"
            else:
                line += f" {ms(p.get('fcp')):>8} {ms(p.get('layers')):>9} {ms(p.get('dom')):>7}"
        print(line + f"  {r.drawn}")


def demo_table(rows: list[Built], browser: bool) -> None:
    head = f"{'map':<58} {'build s':>8} {'HTML KB':>8} {'gzip KB':>8}"
    if browser:
        head += f" {'FCP ms':>7} {'layers ms':>9}"
    print(head + "  layers")
    for r in rows:
        line = f"{r.variant:<58} {r.seconds:>8.2f} {r.size / 1024:>8,.0f} {r.gz / 1024:>8,.0f}"
        if browser:
            p = r.paint
            line += f" {ms(p.get('fcp')):>7} {ms(p.get('layers')):>9}" if not p.get("failed") else f" {p['failed']}"
        print(line + f"  {r.drawn}")


def verdicts(rows: list[Built], demo: list[Built]) -> None:
    print("\nTargets:")
    big = max((r.n for r in rows), default=0)
    for r in rows:
        if r.n == big and r.variant.startswith("jejaring"):
            print(
                f"  {r.n:,} households build < {TARGET_BUILD_S:g} s ({r.variant}): "
                f"{'met' if r.seconds < TARGET_BUILD_S else 'NOT MET'} ({r.seconds:.2f} s)"
            )
            print(
                f"  {r.n:,} households HTML < 5 MB ({r.variant}): "
                f"{'met' if r.size < TARGET_BIG_HTML else 'NOT MET'} ({r.size / 1024 / 1024:.2f} MB, "
                f"gzip {r.gz / 1024 / 1024:.2f} MB)"
            )
    if big != 100_000:
        print(f"  (the 100,000-household targets were judged on the largest size run, {big:,})")
    village = [r for r in demo if "Kebon Jayanti" in r.variant]
    if not village:
        print("  village map < 300 KB: NOT MEASURED (the village's stakeholder map failed or was skipped)")
    for r in village:
        print(
            f"  village map < 300 KB ({r.variant.removeprefix('demo stakeholder ')}): "
            f"{'met' if r.size < TARGET_VILLAGE_HTML else 'NOT MET'} "
            f"({r.size / 1024:.0f} KB, gzip {r.gz / 1024:.0f} KB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="household counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="builds (best taken) and page loads (median taken)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium page loads")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo database's maps")
    parser.add_argument(
        "--service",
        type=int,
        default=0,
        metavar="N",
        help="also time the whole request through the service with N synthetic households in Kota Bandung",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"{platform.node()} · {os.cpu_count()} CPUs · Python {platform.python_version()} · folium {version('folium')}"
        f" · load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"build: best of {args.repeat} (plain folium above 10,000: one run); page loads: median of {args.repeat}"
        " fresh pages (pages over 20 MB: one), 412x800, times from navigation start"
    )
    rows: list[Built] = []
    for n in sizes:
        start = time.perf_counter()
        rows += run_size(n, args.repeat)
        print(f"  {n:,} households built in {time.perf_counter() - start:.1f} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="jejaring-bench-maps-") as tmp:
        demo = [] if args.no_demo else demo_maps(Path(tmp))
        if args.service:
            service_maps(Path(tmp), args.service, args.repeat)
        if not args.no_browser:
            root = Path(tmp) / "www"
            root.mkdir()
            browser = Browser(root)
            rewritten = 0
            try:
                for i, r in enumerate(rows + demo):
                    html = r.html
                    if r.variant.startswith("plain"):
                        html, k = localise(html)
                        rewritten = max(rewritten, k)
                    loads = args.repeat if r.size <= BIG_PAGE else 1
                    r.paint = browser.load(f"map{i}.html", html, loads)
            finally:
                browser.close()
            print(
                f"browser: plain folium's CDN Leaflet/markercluster rewritten to /static/vendor ({rewritten} URLs per "
                f"page, jQuery from {browser.jquery}); {browser.aborted:,} outside requests aborted (tiles, Bootstrap, "
                "Font Awesome...)"
            )
    print(
        "\nSynthetic households (Kota Bandung spread), cells as on a Kota Bandung map; "
        "plain folium: one Marker with a text popup each\n"
    )
    table(rows, not args.no_browser)
    if demo:
        print("\nThe demo's maps (render_html as /maps serves them, tiles on):\n")
        demo_table(demo, not args.no_browser)
    verdicts(rows, demo)
    print(f"\nload at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
