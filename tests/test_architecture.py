"""The layout holds: routers and pages parse, call a use case and shape its answer, never query.

(`make lint` checks the imports with import-linter's contracts in .importlinter; this test checks
the calls, which an import check cannot see: a session handed to a router is still a session.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADAPTERS = sorted([*(ROOT / "service" / "api").rglob("*.py"), *(ROOT / "service" / "web").rglob("*.py")])
SESSION_WORK = {"exec", "execute", "scalar", "scalars", "get", "add", "add_all", "delete", "flush", "commit", "refresh"}
SQL_BUILDERS = {"select", "update", "delete", "insert", "text"}
MAX_LINES = 600


def _calls(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id == "session" and func.attr in SESSION_WORK:
                found.append((node.lineno, f"session.{func.attr}()"))
            if func.value.id in {"sa", "sqlalchemy"} and func.attr in SQL_BUILDERS:
                found.append((node.lineno, f"{func.value.id}.{func.attr}()"))
        if isinstance(func, ast.Name) and func.id in SQL_BUILDERS - {"text"}:
            found.append((node.lineno, f"{func.id}()"))
    return found


@pytest.mark.parametrize("path", ADAPTERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_adapters_run_no_query(path: Path) -> None:
    assert _calls(path) == [], f"{path.relative_to(ROOT)} works the database itself: call a use case instead"


def test_no_service_module_is_longer_than_the_limit() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "service").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these by job (at most {MAX_LINES} lines each)"


def test_the_check_sees_a_query_in_a_router(tmp_path: Path) -> None:
    router = tmp_path / "router.py"
    router.write_text("def list_things(session):\n    return session.exec(select(Thing)).all()\n")
    assert _calls(router) == [(2, "session.exec()"), (2, "select()")]
