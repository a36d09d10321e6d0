"""The demo's pathways, one per area: Kebon Jayanti's (Kota Bandung, kept by the city's forum) from
the P2K2 economic module through PENA to certification and a marketing outlet, and Jakarta
Timur's (kept by its Suku Dinas Sosial) from Jakpreneur's training through its loan to an outlet.

Steps name the demo's real programmes where they exist and a programme kind otherwise (the P2K2
module is the facilitator's own session, not a programme: any training counts). Safe to repeat.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from models.network import Forum
from models.organizations import Organization, Program, ProgramKind
from models.pathways import Pathway, PathwayStep

# name -> owner (("forum" | "organization", name)), region, goal, steps (programme name or kind, label)
PATHWAYS: dict[str, dict[str, Any]] = {
    "Jalur Kemandirian Usaha KPM Kebon Jayanti": {
        "owner": ("forum", "Forum Sinergi Kreatif Kota Bandung"),
        "region_code": "32.73",
        "goal": "Graduasi mandiri KPM pelaku usaha mikro: dari modul ekonomi P2K2 sampai produk terjual di "
        "tempat pemasaran.",
        "steps": (
            (ProgramKind.training, "Modul ekonomi P2K2 dan pelatihan usaha"),
            ("PENA Berdikari", "Pelatihan dan modal awal PENA"),
            ("PENA Reguler", "Modal usaha PENA lanjutan"),
            (ProgramKind.certification, "Sertifikasi PIRT atau halal"),
            (ProgramKind.marketing, "Tempat pemasaran"),
        ),
    },
    "Jalur Jakpreneur Jakarta Timur": {
        "owner": ("organization", "Suku Dinas Sosial Kota Administrasi Jakarta Timur"),
        "region_code": "31.75",
        "goal": "KPM pelaku usaha mikro naik kelas lewat Jakpreneur: pelatihan, pinjaman modal, lalu pasar.",
        "steps": (
            ("Jakpreneur: Pelatihan Kewirausahaan KPM", "Pelatihan Jakpreneur"),
            ("Jakpreneur: Pinjaman Modal Usaha", "Pinjaman modal Jakpreneur"),
            (ProgramKind.marketing, "Tempat pemasaran: bazar, gerai atau mitra"),
        ),
    },
}


def load_pathways(session: Session) -> int:
    """Add the demo's pathways that are not there yet (by name); return how many were added."""
    have = set(session.exec(select(Pathway.name)).all())
    forums = {f.name: f.id for f in session.exec(select(Forum)).all()}
    orgs = {o.name: o.id for o in session.exec(select(Organization)).all()}
    programs = {p.name: p.id for p in session.exec(select(Program)).all()}
    added = 0
    for name, spec in PATHWAYS.items():
        if name in have:
            continue
        kind, owner = spec["owner"]
        pathway = Pathway(
            name=name,
            goal=spec["goal"],
            region_code=spec["region_code"],
            organization_id=orgs[owner] if kind == "organization" else None,
            forum_id=forums[owner] if kind == "forum" else None,
        )
        session.add(pathway)
        session.flush()
        assert pathway.id is not None
        pathway_id = pathway.id
        for position, (target, label) in enumerate(spec["steps"]):
            is_kind = isinstance(target, ProgramKind)
            session.add(
                PathwayStep(
                    pathway_id=pathway_id,
                    position=position,
                    program_id=None if is_kind else programs[target],
                    program_kind=target if is_kind else None,
                    label=label,
                )
            )
        session.flush()
        added += 1
    return added
