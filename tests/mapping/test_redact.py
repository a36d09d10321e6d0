"""NIK- and phone-shaped runs in free text are masked; amounts, dates and ids are left alone."""

from __future__ import annotations

import pytest

from mapping.redact import mask_identifiers

MASKED = [
    ("NIK 3273161204900123 ya", "NIK **************** ya"),
    ("nik: 3273 1612 0490 0123.", "nik: **** **** **** ****."),
    ("3273-1612-0490-0123", "****-****-****-****"),
    ("3273.16.120490.0123", "****.**.******.****"),
    ("(3273161204900123)", "(****************)"),
    ("hp 081234567890", "hp ************"),
    ("hp 0812-3456-7890", "hp ****-****-****"),
    ("hp 0812 3456 789", "hp **** **** ***"),
    ("WA +6281234567890", "WA +*************"),
    ("WA +62 812-3456-7890", "WA +** ***-****-****"),
    ("WA 6281234567890", "WA *************"),
    ("telp 022-7271234", "telp ***-*******"),
    ("telp (022) 7271234", "telp (***) *******"),
    ("a 0812345678, b 08129876543", "a **********, b ***********"),
    ("NIK 3273161204900123 2024", "NIK **************** 2024"),
    ("nik=3273161204900123;hp=081234567890", "nik=****************;hp=************"),
]

KEPT = [
    "Omzet Rp 5.000.000 per bulan",
    "Omzet 15000000 rupiah",
    "Datang 12-04-2026 jam 10.30",
    "PKH-3273161002-0042",
    "RT 03 RW 07 no 12",
    "1234567890123456789",  # 19 digits: not a NIK
    "08123",  # too short for a phone
    "tahun 2024, 35 orang",
    "",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_mask_identifiers_hides_nik_and_phone_shapes(text: str, expected: str) -> None:
    assert mask_identifiers(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_mask_identifiers_keeps_other_numbers(text: str) -> None:
    assert mask_identifiers(text) == text


def test_mask_identifiers_passes_none_through() -> None:
    assert mask_identifiers(None) is None
