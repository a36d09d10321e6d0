from __future__ import annotations

import io

from sqlmodel import Session, select

from models.households import Business, Household, KpmGroup
from service.households.imports import ImportOptions
from service.households.imports.run import import_households
from tests.conftest import settings_for
from tests.imports.helpers import csv_bytes, facilitator_scope, family

KEY = settings_for("sqlite://").nik_hash_key


def run(session: Session, scope, data: bytes, name: str = "kpm.csv", **options):
    return import_households(
        session,
        scope,
        opener=lambda: (io.BytesIO(data), name, len(data)),
        options=ImportOptions(**options),
        nik_key=KEY,
    )


def test_indonesian_csv_imports(bare_session: Session) -> None:
    scope, _ = facilitator_scope(bare_session)
    rows = [family(i) for i in range(1, 6)] + [family(3, sector="jasa", revenue="500000")]
    out = run(bare_session, scope, csv_bytes(rows))
    print(out.problems)
    assert (out.rows, out.created, out.updated, out.unchanged, out.refused_rows) == (6, 6, 0, 0, 0)
    households = bare_session.exec(select(Household)).all()
    assert len(households) == 5
    assert len(bare_session.exec(select(Business)).all()) == 6
    assert {g.name for g in bare_session.exec(select(KpmGroup)).all()} == {"Melati 1"}
    again = run(bare_session, scope, csv_bytes(rows))
    assert (again.rows, again.created, again.updated, again.unchanged) == (6, 0, 0, 6)
