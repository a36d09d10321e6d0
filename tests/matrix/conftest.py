"""Fixtures of the matrix: its own template (the demo plus ``world.augment``), one shared copy
served for the reads and the refused writes, and a fresh copy for each write that should succeed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.conftest import Backend
from tests.matrix.world import Served, World, build_world, matrix_backend, serve


@pytest.fixture(scope="session")
def matrix_template(backend: Backend, template_url: str, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    return matrix_backend(backend, template_url, tmp_path_factory.mktemp("matrix"))


@pytest.fixture(scope="module")
def shared(matrix_template: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    url = matrix_template.clone()
    with serve(url, tmp_path_factory.mktemp("matrix_jobs")) as served:
        yield served
    matrix_template.drop(url)


@pytest.fixture(scope="module")
def world(shared: Served) -> World:
    with Session(shared.app.state.engine) as session:
        return build_world(session, shared.settings, shared.client)


@pytest.fixture
def fresh(matrix_template: Backend, tmp_path: Path) -> Iterator[Served]:
    """A copy of its own, for a write that should succeed. PostgreSQL copies are dropped with the
    rest of the run's databases at its end (dropping each as it ends doubled the matrix's time)."""
    url = matrix_template.clone()
    with serve(url, tmp_path) as served:
        yield served
    if matrix_template.name == "sqlite":
        matrix_template.drop(url)
