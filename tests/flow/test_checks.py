"""The checks of what the user types in the sender forms (pure: no app needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tui.flow.checks import clean_code, code_problem, email_problem, from_name_problem

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "address",
    ["info@example.com", "first.last+tag@mail.example.co.uk", "a_b@sub-domain.example"],
)
def test_addresses_wix_takes(address: str) -> None:
    assert email_problem(address) == ""


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("", "Type the address"),
        ("info example.com", "no spaces"),
        ("info.example.com", "exactly one @"),
        ("a@b@example.com", "exactly one @"),
        ("@example.com", "before the @"),
        ("info@", "after the @"),
        ("info@example", "domain such as example.com"),
        ("info@-bad-.com", "domain such as example.com"),
        (".info@example.com", "cannot have"),
        ("in..fo@example.com", "cannot have"),
        ("a@b.co", ""),  # six characters: the minimum
        ("x" * 65 + "@example.com", "longer than 64"),
        ("x@" + "a" * 250 + ".com", "at most 254"),
    ],
)
def test_addresses_refused_before_sending(address: str, says: str) -> None:
    problem = email_problem(address)
    assert says in problem if says else problem == ""


def test_from_name_is_1_to_100_characters() -> None:
    assert from_name_problem("Sunrise Bakery") == ""
    assert "Type the name" in from_name_problem("   ")
    assert from_name_problem("x" * 100) == ""
    assert "at most 100" in from_name_problem("x" * 101)


def test_codes_are_3_to_10_letters_or_digits() -> None:
    assert code_problem("829900") == ""
    assert code_problem("AbC") == ""
    assert "Type the code" in code_problem("")
    assert "3 to 10" in code_problem("12")
    assert "3 to 10" in code_problem("12345678901")
    assert "letters and digits" in code_problem("82-99")
    assert clean_code(" 829 900\n") == "829900"
    assert clean_code("829-900") == "829900"
