"""Test harness: every test gets its own database, cloned from a migrated, seeded template.

Run on SQLite (``--db=sqlite``, the default) or PostgreSQL (``--db=postgresql``, server from
``JEJARING_TEST_POSTGRES_URL``). The template is built once per run through the real
migrations and seed loaders; each test gets a copy (a file copy on SQLite, ``CREATE DATABASE
... TEMPLATE`` on PostgreSQL), so tests never see each other's writes.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from service import i18n
from service.app import create_app
from service.settings import Settings

TEST_SECRET = "test-secret-key-of-at-least-thirty-two-characters"
PRODUCTION_SECRET = "pR0d-7rVq2xK9-LmW4zT8n-Hc6yB3sJ5-fD1gQ0aE"  # strong enough for production mode
DEMO_PASSWORDS = {
    "admin": "admin-demo-2026",
    "pendamping.kebonjayanti": "pendamping-demo-2026",
    "pendamping.jaktim": "pendamping-demo-2026",
    "dinsos.bandung": "dinsos-demo-2026",
    "forum.bandung": "forum-demo-2026",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", choices=("sqlite", "postgresql"), default="sqlite", help="database backend")


def pytest_report_header(config: pytest.Config) -> str:
    return f"database backend: {config.getoption('--db')}"


def settings_for(url: str) -> Settings:
    return Settings(environment="test", database_url=url, secret_key=TEST_SECRET, log_level="WARNING")


@dataclass
class Backend:
    """Creates and drops the per-test databases of one backend."""

    name: str
    workdir: Path
    admin_url: str | None = None
    template: str = ""
    counter: Any = None

    def __post_init__(self) -> None:
        self.counter = itertools.count()

    def _admin(self) -> sa.Engine:
        assert self.admin_url
        return sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    def new_empty(self, name: str) -> str:
        """A new, empty database; returns its URL."""
        if self.name == "sqlite":
            path = self.workdir / f"{name}.db"
            path.unlink(missing_ok=True)
            return f"sqlite:///{path}"
        engine = self._admin()
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return sa.make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)  # type: ignore[arg-type]

    def freeze_template(self, url: str) -> None:
        """Mark ``url``'s database as the template that ``clone`` copies."""
        if self.name == "sqlite":
            engine = sa.create_engine(url)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
        self.template = url

    def clone(self) -> str:
        n = next(self.counter)
        if self.name == "sqlite":
            src = Path(sa.make_url(self.template).database or "")
            dst = self.workdir / f"test_{n}.db"
            shutil.copyfile(src, dst)
            return f"sqlite:///{dst}"
        tmpl = sa.make_url(self.template).database
        name = f"{tmpl}_t{n}"
        engine = self._admin()
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{tmpl}"'))
        engine.dispose()
        return sa.make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)  # type: ignore[arg-type]

    def drop(self, url: str) -> None:
        if self.name == "sqlite":
            path = Path(sa.make_url(url).database or "")
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            return
        name = sa.make_url(url).database
        engine = self._admin()
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def interface_text_complete(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fail the run if any page, API call or test looked up a message key missing from a catalogue.

    Keys built at run time (``t(f"role.{role}")``) escape the catalogue tests of
    tests/test_i18n.py; this catches the ones the suite reaches, in this process and (through
    the file named by ``JEJARING_I18N_MISSING``) in the servers the browser tests start.
    """
    log = tmp_path_factory.mktemp("i18n") / "missing.tsv"
    os.environ[i18n.MISSING_LOG_VARIABLE] = str(log)
    missing = i18n.record_missing()
    yield
    del os.environ[i18n.MISSING_LOG_VARIABLE]
    found = {f"{lang} {key}" for lang, key in missing}
    if log.exists():
        found |= {line.replace("\t", " ") for line in log.read_text("utf-8").splitlines()}
    if found:
        pytest.fail(f"message keys missing from service/locale (language key): {sorted(found)}", pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def no_personal_value_in_logs() -> Iterator[None]:
    """Fail the run if any log record of the suite (any logger, INFO and up; DEBUG where a logger is
    set so) holds a demo family's name, phone or NIK. SQL echo stays off (its statements carry no
    values anyway: the engine hides parameters); tests/test_logs.py turns every logger to DEBUG."""
    import logging

    from seeds.demo import generate
    from tests.log_guard import PersonalValueGuard

    households, _ = generate(settings_for("sqlite://").today())
    guard = PersonalValueGuard(
        names=[h.fields["head_name"] for h in households],
        numbers=[h.nik for h in households] + [h.fields["phone"] for h in households if h.fields.get("phone")],
    )
    root, sql = logging.getLogger(), logging.getLogger("sqlalchemy")
    levels = (root.level, sql.level)
    root.setLevel(min(root.level, logging.INFO))
    if sql.level == logging.NOTSET:
        sql.setLevel(logging.WARNING)
    root.addHandler(guard)
    yield
    root.removeHandler(guard)
    root.setLevel(levels[0])
    sql.setLevel(levels[1])
    leaks = guard.leaks()
    if leaks:
        pytest.fail(f"personal values in log records (logger: value): {leaks}", pytrace=False)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    name = request.config.getoption("--db")
    workdir = tmp_path_factory.mktemp("db")
    if name == "sqlite":
        yield Backend("sqlite", workdir)
        return
    admin_url = os.environ.get("JEJARING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    b = Backend("postgresql", workdir, admin_url=admin_url)
    yield b
    engine = b._admin()
    prefix = f"jejaring_test_{os.getpid()}"
    with engine.connect() as conn:
        names = conn.execute(sa.text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": prefix + "%"})
        for (db,) in list(names):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def template_url(backend: Backend) -> str:
    """A database migrated with the real migrations and loaded with regions and the demo."""
    from seeds.demo import load_demo
    from seeds.regions import load_regions
    from service.db import make_engine
    from service.migrations import upgrade

    url = backend.new_empty(f"jejaring_test_{os.getpid()}_tmpl")
    settings = settings_for(url)
    engine = make_engine(settings)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_regions(session)
        load_demo(session, nik_key=settings.nik_hash_key, today=settings.today())
    engine.dispose()
    backend.freeze_template(url)
    return url


@pytest.fixture
def db_url(backend: Backend, template_url: str) -> Iterator[str]:
    """This test's own copy of the seeded database."""
    url = backend.clone()
    yield url
    backend.drop(url)


@pytest.fixture(scope="session")
def bare_backend(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """A template database with the migrations and the official region list only (no demo): a
    world the factories of ``tests/factories.py`` fill with just what a test is about."""
    from seeds.regions import load_regions
    from service.db import make_engine
    from service.migrations import upgrade

    bare = dataclasses.replace(backend, workdir=tmp_path_factory.mktemp("bare"), template="")
    url = bare.new_empty(f"jejaring_test_{os.getpid()}_bare")
    engine = make_engine(settings_for(url))
    upgrade(engine)
    with Session(engine) as session:
        load_regions(session)
    engine.dispose()
    bare.freeze_template(url)
    yield bare


@pytest.fixture
def bare_db_url(bare_backend: Backend) -> Iterator[str]:
    """This test's own copy of the regions-only database."""
    url = bare_backend.clone()
    yield url
    bare_backend.drop(url)


@pytest.fixture
def bare_app(bare_db_url: str) -> Iterator[FastAPI]:
    application = create_app(settings_for(bare_db_url))
    yield application
    application.state.engine.dispose()


@pytest.fixture
def bare_client(bare_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(bare_app) as c:
        yield c


@pytest.fixture
def bare_session(bare_app: FastAPI) -> Iterator[Session]:
    """A session on a database holding the regions and nothing else."""
    with Session(bare_app.state.engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def app(db_url: str) -> Iterator[FastAPI]:
    application = create_app(settings_for(db_url))
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def session(app: FastAPI) -> Iterator[Session]:
    with Session(app.state.engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def production_client(db_url: str) -> Iterator[TestClient]:
    """The app in production mode (HTTPS) on this test's copy of the demo database."""
    settings = Settings(
        environment="production", database_url=db_url, secret_key=PRODUCTION_SECRET, log_level="WARNING"
    )
    application = create_app(settings)
    with TestClient(application, base_url="https://testserver") as c:
        yield c
    application.state.engine.dispose()


def login_form(client: TestClient) -> dict[str, str]:
    """The hidden fields of the sign-in form (its CSRF token): GET /login first, as a browser does."""
    import re

    html = client.get("/login").text
    return dict(re.findall(r'<input type="hidden" name="(csrf)" value="([^"]*)"', html))


def sign_in(client: TestClient, username: str, password: str | None = None) -> dict[str, str]:
    """Bearer headers for a demo user (or any user with ``password``)."""
    response = client.post(
        "/api/v1/auth/token", data={"username": username, "password": password or DEMO_PASSWORDS[username]}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def as_user(client: TestClient) -> Callable[..., dict[str, str]]:
    """``as_user("admin")`` -> headers of that demo user."""
    cache: dict[str, dict[str, str]] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in cache:
            cache[username] = sign_in(client, username)
        return cache[username]

    return headers
