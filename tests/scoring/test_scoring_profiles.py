"""choose_profile, exactly the table of DECISIONS.md 1."""
import pytest

from scoring.rating import choose_profile


@pytest.mark.parametrize("year, category, own_regulation, profile", [
    (2020, "civil_servant", False, "nd90"),
    (2025, "public_employee", True, "nd90"),      # ≤ 2025: any category, regulation irrelevant
    (2025, "cadre", False, "nd90"),
    (2026, "civil_servant", False, "nd335"),
    (2026, "civil_servant", True, "nd335"),
    (2030, "civil_servant", False, "nd335"),
    (2026, "public_employee", False, "nd90"),     # Decree 233/2026 Art. 20 cl. 1
    (2026, "public_employee", True, "nd233"),
    (2027, "public_employee", False, "nd233"),
    (2031, "public_employee", True, "nd233"),
    (2026, "cadre", False, "nd335"),              # not law: Party rules
    (2028, "cadre", True, "nd335"),
])
def test_profile_table(year, category, own_regulation, profile):
    assert choose_profile(year, category, own_regulation) == profile


def test_profile_errors():
    with pytest.raises(ValueError):
        choose_profile(2019, "civil_servant", False)
    with pytest.raises(ValueError):
        choose_profile(2026, "contractor", False)
