"""Migration 0007 on a database in use: keys already on referrals keep answering retries, and a
database holding two open referrals of one family to one programme is refused, named, untouched."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.db import make_engine
from service.migrations import downgrade, upgrade
from tests.api.test_referrals import consent, household_id, program, refer
from tests.conftest import settings_for

Headers = Callable[[str], dict[str, str]]
KJ = "pendamping.kebonjayanti"
DINSOS_PROGRAM = "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat"


def test_0007_carries_keys_over_and_refuses_duplicate_open_referrals(
    client: TestClient, session: Session, as_user: Headers, db_url: str
) -> None:
    hid = household_id(session, "kebon_jayanti_prse_woman")
    dinsos = program(session, DINSOS_PROGRAM)
    consent(client, as_user(KJ), hid, dinsos.organization_id)
    first = refer(client, as_user(KJ), hid, dinsos.id, key="made-before-0007")
    assert first.status_code == 201, first.text
    session.close()
    client.app.state.engine.dispose()  # type: ignore[attr-defined]
    engine = make_engine(settings_for(db_url))
    try:
        downgrade(engine, "0006")  # the referral keeps its key; 0007 builds the key's row from it
        upgrade(engine)
        # The key written on the referral before 0007 still answers the retry with its referral.
        again = refer(client, as_user(KJ), hid, dinsos.id, key="made-before-0007")
        assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
        client.app.state.engine.dispose()  # type: ignore[attr-defined]

        downgrade(engine, "0006")
        with engine.begin() as conn:
            columns = [
                c["name"]
                for c in sa.inspect(conn).get_columns("referral")
                if c["name"] not in ("id", "idempotency_key")
            ]
            names = ", ".join(columns)
            conn.execute(
                sa.text(f"INSERT INTO referral ({names}) SELECT {names} FROM referral WHERE id = :id"),
                {"id": first.json()["id"]},
            )
        with pytest.raises(RuntimeError, match=rf"household {hid} / programme {dinsos.id} \(2 open\)"):
            upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "0006"
            assert "idempotency_key" not in sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()
