"""Caseload import benchmark: a million KPM families from one CSV, on SQLite and PostgreSQL.

Run from the repository root::

    .venv/bin/python -m bench.caseload                       # 1,000,000 households, both databases
    .venv/bin/python -m bench.caseload --households 100000 --db sqlite
    .venv/bin/python -m bench.caseload generate --households 1000 --out kpm.csv   # the file only

What it does, per database (a fresh one, built with the real migrations and the region list):

1. writes a deterministic CSV of N synthetic families over real village codes (about 25 % with a
   business; NIKs consistent with the village's district and the head's birth date);
2. ``jejaring households import FILE`` in a subprocess: the wall time and the peak RSS (wait4);
3. the same command on the unchanged file again (every row ``unchanged``);
4. the first ``--sample`` rows through the ORM one row at a time (``create_household`` and
   ``add_business``, a commit each, as ``POST /api/v1/households`` does) in another fresh
   database, scaled to N: the import's speed-up per row.

It prints one table and exits 1 when a run missed its count (created/unchanged) or its target.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
VILLAGES = ROOT / "seeds" / "data" / "regions" / "villages.csv.gz"
PG_ADMIN = os.environ.get("JEJARING_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SECRET = "bench-secret-key-caseload-0123456789-abcdefghijkl"
HEADER = (
    "pkh_id",
    "nik",
    "head_name",
    "head_birth_date",
    "head_sex",
    "village_code",
    "address",
    "group",
    "pkh_status",
    "pkh_joined_year",
    "dtsen_decile",
    "prse",
    "disability",
    "elderly",
    "school_age_children",
    "agreed_to_graduate",
    "business_sector",
    "business_started_on",
    "business_monthly_revenue",
    "business_workers",
    "business_has_nib",
    "business_sales_channels",
    "business_needs",
)
SECTORS = ("culinary", "fashion", "craft", "agriculture", "retail", "services")
CHANNELS = ("whatsapp", "bazaar", "shop", "social_media", "door_to_door")
NEEDS = ("capital", "training", "marketing", "certification", "equipment")
TARGETS = {"postgresql": 60.0, "sqlite": 180.0}
REIMPORT_TARGET = {"postgresql": 60.0}


def village_codes() -> list[str]:
    with gzip.open(VILLAGES, "rt", encoding="utf-8", newline="") as fh:
        return [row["code"] for row in csv.DictReader(fh)]


def families(n: int, seed: int) -> Iterator[list[str]]:
    """N synthetic families, deterministic for (n, seed); no real person's name or number."""
    rng = random.Random(seed)
    villages = village_codes()
    used: set[str] = set()
    in_village: dict[str, int] = {}
    first_day = date(1950, 1, 1)
    for i in range(1, n + 1):
        village = rng.choice(villages)
        born = first_day + timedelta(days=rng.randrange(365 * 50))
        woman = rng.random() < 0.8
        day = born.day + 40 if woman else born.day
        district = village.replace(".", "")[:6]
        serial = i % 10000
        nik = f"{district}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
        while nik in used:
            serial = (serial + 1) % 10000
            nik = nik[:12] + f"{serial:04d}"
        used.add(nik)
        business = rng.random() < 0.25
        in_village[village] = in_village.get(village, 0) + 1  # P2K2 groups of 25 families of one village
        row = [
            f"BENCH-{i:08d}",
            nik,
            f"Keluarga Sintetis {i}",
            born.isoformat(),
            "P" if woman else "L",
            village,
            f"Jl. Sintetis No. {i % 200 + 1}",
            f"Kelompok {(in_village[village] - 1) // 25 + 1}",
            "aktif",
            str(2007 + rng.randrange(18)),
            str(rng.randint(1, 4)),
            "ya" if woman and rng.random() < 0.3 else "tidak",
            "ya" if rng.random() < 0.05 else "tidak",
            "ya" if rng.random() < 0.1 else "tidak",
            str(rng.randrange(5)),
            "ya" if rng.random() < 0.4 else "tidak",
        ]
        if business:
            row += [
                rng.choice(SECTORS),
                (date(2015, 1, 1) + timedelta(days=rng.randrange(3000))).isoformat(),
                str(rng.randrange(200, 8000) * 1000),
                str(rng.randrange(4)),
                "ya" if rng.random() < 0.2 else "tidak",
                ", ".join(rng.sample(CHANNELS, rng.randint(1, 2))),
                ", ".join(rng.sample(NEEDS, rng.randint(1, 2))),
            ]
        else:
            row += [""] * 7
        yield row


def write_csv(path: Path, n: int, seed: int) -> float:
    started = time.perf_counter()
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        out.writerows(families(n, seed))
    return time.perf_counter() - started


# --- databases --------------------------------------------------------------------------------


def fresh_database(kind: str, name: str, workdir: Path) -> str:
    """A new database with the migrations and the region list; returns its URL."""
    from sqlmodel import Session

    from seeds.regions import load_regions
    from service.migrations import upgrade
    from service.settings import Settings

    if kind == "sqlite":
        path = workdir / f"{name}.db"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    from service.db import make_engine

    engine = make_engine(Settings(environment="test", database_url=url, secret_key=SECRET))
    upgrade(engine)
    with Session(engine) as session:
        load_regions(session)
    engine.dispose()
    return url


def drop_database(kind: str, url: str) -> None:
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(sa.make_url(url).database) + suffix).unlink(missing_ok=True)
        return
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Run:
    seconds: float
    peak_mb: float
    exit_code: int
    summary: str


def run_import(url: str, path: Path) -> Run:
    """``jejaring households import`` in a subprocess; its own peak RSS from wait4."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "JEJARING_SECRET_KEY": SECRET,
        "JEJARING_ENVIRONMENT": "test",
        "JEJARING_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-c", "from service.cli import main; main()", "households", "import", str(path)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None and process.stderr is not None
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out = process.stdout.read().decode() + process.stderr.read().decode()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, usage.ru_maxrss / 1024, process.returncode, out.strip().splitlines()[-1] if out.strip() else "")


def orm_per_row(kind: str, workdir: Path, path: Path, sample: int) -> float:
    """Seconds per row through the use cases, one row (and one commit) at a time."""
    from sqlmodel import Session

    from models.households import BusinessCreate, HouseholdCreate
    from models.users import Role
    from service.core.scope import Scope
    from service.db import make_engine
    from service.households.use_cases import add_business, create_household
    from service.settings import Settings

    url = fresh_database(kind, "jejaring_bench_orm", workdir)
    settings = Settings(environment="test", database_url=url, secret_key=SECRET)
    engine = make_engine(settings)
    scope = Scope(user_id=None, role=Role.admin)
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            if i >= sample:
                break
            rows.append(row)
    yes = {"ya": True, "tidak": False}
    sectors = dict(zip(SECTORS, SECTORS, strict=True))
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        for row in rows:
            data = HouseholdCreate(
                pkh_id=row["pkh_id"],
                nik=row["nik"],
                head_name=row["head_name"],
                head_birth_date=date.fromisoformat(row["head_birth_date"]),
                head_sex="F" if row["head_sex"] == "P" else "M",
                village_code=row["village_code"],
                address=row["address"],
                pkh_status="active",
                pkh_joined_year=int(row["pkh_joined_year"]),
                dtsen_decile=int(row["dtsen_decile"]),
                prse=yes[row["prse"]],
                disability=yes[row["disability"]],
                elderly=yes[row["elderly"]],
                school_age_children=int(row["school_age_children"]),
                agreed_to_graduate=yes[row["agreed_to_graduate"]],
            )
            created = create_household(session, data=data, scope=scope, nik_key=settings.nik_hash_key, request_id=None)
            if row["business_sector"]:
                add_business(
                    session,
                    household_id=created.id,
                    scope=scope,
                    request_id=None,
                    data=BusinessCreate(
                        sector=sectors[row["business_sector"]],
                        started_on=date.fromisoformat(row["business_started_on"]),
                        monthly_revenue=int(row["business_monthly_revenue"]),
                        workers=int(row["business_workers"]),
                        has_nib=yes[row["business_has_nib"]],
                        sales_channels=[c.strip() for c in row["business_sales_channels"].split(",")],
                        needs=[c.strip() for c in row["business_needs"].split(",")],
                    ),
                )
    seconds = time.perf_counter() - started
    engine.dispose()
    drop_database(kind, url)
    return seconds / len(rows)


def bench(kind: str, n: int, seed: int, sample: int, workdir: Path) -> tuple[list[str], bool]:
    path = workdir / f"kpm-{n}.csv"
    if not path.exists():
        write_csv(path, n, seed)
    size_mb = path.stat().st_size / 1024**2
    url = fresh_database(kind, "jejaring_bench_caseload", workdir)
    first = run_import(url, path)
    again = run_import(url, path)
    drop_database(kind, url)
    per_row = orm_per_row(kind, workdir, path, sample)
    speedup = per_row / (first.seconds / n)
    ok = (
        first.exit_code == 0
        and f"{n} created" in first.summary
        and f"{n} unchanged" in again.summary
        and first.seconds < TARGETS[kind]
        and (kind not in REIMPORT_TARGET or again.seconds < REIMPORT_TARGET[kind])
        and max(first.peak_mb, again.peak_mb) < 1024
        and speedup >= 20
    )
    lines = [
        f"| {kind} | {n:,} ({size_mb:.0f} MB) | {first.seconds:.1f} s ({n / first.seconds:,.0f} rows/s) | "
        f"{again.seconds:.1f} s | {max(first.peak_mb, again.peak_mb):.0f} MB | {per_row * 1000:.2f} ms "
        f"(x{n:,} = {per_row * n / 60:.0f} min) | {speedup:.0f}x | {'ok' if ok else 'MISSED'} |",
        f"  import: {first.summary}",
        f"  again:  {again.summary}",
    ]
    return lines, ok


# --- the web upload of one facilitator's file -------------------------------------------------


def facilitator_file(n: int = 350, village: str = "32.73.16.1002") -> bytes:
    """A facilitator's export as the papers describe it: Indonesian headers, ``;``, Windows-1252,
    DD/MM/YYYY dates, a title row; ``n`` synthetic families of one village, a quarter with a business."""
    rng = random.Random(350)
    header = [
        "No",
        "ID PKH",
        "NIK Pengurus",
        "Nama Pengurus",
        "Tanggal Lahir",
        "Jenis Kelamin",
        "Alamat",
        "Kode Kelurahan",
        "Kelompok",
        "Status PKH",
        "Desil",
        "Disabilitas",
        "Sektor Usaha",
        "Omzet per Bulan",
    ]
    lines = ["DATA KPM PKH KELURAHAN" + ";" * (len(header) - 1), ";".join(header)]
    district = village.replace(".", "")[:6]
    for i in range(1, n + 1):
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 40))
        nik = f"{district}{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}{9000 + i:04d}"
        business = i % 4 == 0
        lines.append(
            ";".join(
                [
                    str(i),
                    f"WEB-{i:05d}",
                    nik,
                    f"Keluarga Unggah {i}",
                    born.strftime("%d/%m/%Y"),
                    "P",
                    f"Jl. Sintetis {i}, RT 0{i % 9 + 1}",
                    village.replace(".", ""),
                    f"Kelompok {i % 13 + 1}",
                    "Aktif",
                    str(rng.randint(1, 4)),
                    "Tidak",
                    "kuliner" if business else "",
                    "1.500.000" if business else "",
                ]
            )
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def web_upload(workdir: Path, rows: int, runs: int) -> tuple[list[str], bool]:
    """The 350-row file through the pages of a real ``jejaring serve`` (embedded jobs consumer)."""
    import http.cookiejar
    import re
    import socket
    import urllib.parse
    import urllib.request

    from sqlmodel import Session

    from seeds.demo import load_demo
    from service.db import make_engine
    from service.settings import Settings

    url = fresh_database("sqlite", "jejaring_bench_web", workdir)
    settings = Settings(environment="test", database_url=url, secret_key=SECRET)
    engine = make_engine(settings)
    with Session(engine) as session:
        load_demo(session, nik_key=settings.nik_hash_key)
    engine.dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "JEJARING_SECRET_KEY": SECRET,
        "JEJARING_ENVIRONMENT": "test",
        "JEJARING_LOG_LEVEL": "WARNING",
        "JEJARING_JOBS_URL": f"sqlite:///{workdir / 'jobs.db'}",
    }
    server = subprocess.Popen(
        [sys.executable, "-c", "from service.cli import main; main()", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())

        def get(path: str) -> str:
            with opener.open(base + path) as answer:
                return str(answer.read().decode())

        def post(path: str, body: bytes, content_type: str) -> str:
            request = urllib.request.Request(base + path, data=body, headers={"Content-Type": content_type})
            try:
                opener.open(request)
            except urllib.error.HTTPError as moved:
                if moved.code == 303:
                    return str(moved.headers["Location"])
                raise
            raise RuntimeError(f"{path} did not redirect")

        def csrf(html: str) -> str:
            found = re.search(r'name="csrf" value="([^"]+)"', html)
            assert found is not None
            return found.group(1)

        login = csrf(get("/login"))
        form = urllib.parse.urlencode(
            {"username": "pendamping.kebonjayanti", "password": "pendamping-demo-2026", "csrf": login}
        ).encode()
        post("/login", form, "application/x-www-form-urlencoded")
        data = facilitator_file(rows)
        timings: list[tuple[float, float, float, float]] = []
        for run in range(runs):
            token = csrf(get("/kpm/impor"))
            boundary = f"----jejaring{run}"
            body = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'
                    f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="kpm.csv"\r\n'
                    f"Content-Type: text/csv\r\n\r\n"
                ).encode()
                + data
                + f"\r\n--{boundary}--\r\n".encode()
            )
            started = time.perf_counter()
            preview_at = post("/kpm/impor", body, f"multipart/form-data; boundary={boundary}")
            preview = get(preview_at)
            shown = time.perf_counter()
            action = re.search(r'action="(/kpm/impor/[0-9a-f]+/mulai)"', preview)
            assert action is not None
            job_at = post(
                action.group(1), urllib.parse.urlencode({"csrf": token}).encode(), "application/x-www-form-urlencoded"
            )
            clicked = time.perf_counter()
            while 'data-count="rows"' not in (page := get(job_at)):
                time.sleep(0.05)
            done = time.perf_counter()
            counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', page))
            expected = str(rows) if run == 0 else "0"
            assert counts.get("created") == expected, counts
            timings.append((shown - started, done - clicked, done - started - (clicked - shown), len(page)))
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop_database("sqlite", url)
    lines = []
    for run, (upload, job, total, size) in enumerate(timings):
        label = "first" if run == 0 else "again (unchanged)"
        lines.append(
            f"| web upload, {rows} rows, {label} | upload to preview {upload:.2f} s | start to report "
            f"{job:.2f} s | both {total:.2f} s (page {size / 1024:.0f} KB) |"
        )
    ok = all(total < 5.0 for _, _, total, _ in timings)
    return lines, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", nargs="?", default="bench", choices=("bench", "generate", "web"))
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sample", type=int, default=2000, help="rows through the ORM, one at a time")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--out", type=Path, help="generate: the CSV to write")
    args = parser.parse_args()
    if args.action == "generate":
        out = args.out or Path(f"kpm-{args.households}.csv")
        seconds = write_csv(out, args.households, args.seed)
        print(f"wrote {out} ({out.stat().st_size / 1024**2:.1f} MB, {args.households:,} families) in {seconds:.1f} s")
        return
    if args.action == "web":
        with tempfile.TemporaryDirectory(prefix="jejaring-bench-") as tmp:
            lines, ok = web_upload(Path(tmp), rows=350, runs=3)
        print("\n".join(lines))
        sys.exit(0 if ok else 1)
    kinds = ("postgresql", "sqlite") if args.db == "both" else (args.db,)
    print(f"caseload import, {args.households:,} households (seed {args.seed}), {os.cpu_count()} cores")
    print("| database | file | import | re-import (unchanged) | peak RSS | ORM per row | speed-up | |")
    print("|---|---|---|---|---|---|---|---|")
    all_ok = True
    with tempfile.TemporaryDirectory(prefix="jejaring-bench-") as tmp:
        for kind in kinds:
            lines, ok = bench(kind, args.households, args.seed, args.sample, Path(tmp))
            all_ok &= ok
            print("\n".join(lines), flush=True)
    sys.exit(0 if all_ok else 1)


if __name__ == "__main__":
    main()
