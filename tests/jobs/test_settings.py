"""The jobs settings: which queue storage, under which name, with how many workers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.jobs.queue import jobs_file
from service.settings import Settings


def test_jobs_default_to_a_sqlite_file_beside_the_database() -> None:
    settings = Settings()
    assert settings.jobs_url == "sqlite:///var/jobs.db" and settings.jobs_workers == 2
    assert str(jobs_file(settings)) == "var/jobs.db"
    assert jobs_file(Settings(jobs_url="redis://127.0.0.1:6379/0")) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("jobs_url", "postgresql://localhost/jobs"),
        ("jobs_url", "sqlite:///"),
        ("jobs_queue", "a queue"),
        ("jobs_workers", 0),
    ],
)
def test_jobs_settings_refuse_what_cannot_work(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(**{field: value})
