"""reference/purchasers.csv: every ISO 3166-1 code, valid regions, unique names, SIPRI names map.

Checked independently of the code that reads the file: plain ``csv`` and a hand list.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry
import pytest

ROOT = Path(__file__).resolve().parents[2]
PURCHASERS = ROOT / "pipelines" / "quarterly" / "reference" / "purchasers.csv"
SIPRI = ROOT / "src/arms_metrics/samples/data/sipri_trade_register_US_supplier_1950_2023.csv"

# ISO 3166-1 alpha-2, all 249 officially assigned codes (hand list, checked against the
# IANA tz database's iso3166.tab).
ISO_ALPHA2 = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
VN VU WF WS YE YT ZA ZM ZW
""".split()  # noqa: SIM905
ORGANIZATIONS = {"AFU", "NATO", "NSPA", "OAS", "RSS", "UNO"}
REGIONS = {"AF", "EAP", "EUR", "NEA", "SCA", "WHA", "IO"}
# SIPRI recipients that are deliberately unmapped: defunct states, non-state actors (SIPRI
# marks those with '*'), and 'unknown recipient(s)'.
UNMAPPED_SIPRI = {
    "Anti-Castro rebels (Cuba)",
    "Armas (Guatemala)",
    "Biafra",
    "Contras (Nicaragua)",
    "Haiti rebels",
    "Indonesia rebels",
    "Libya HoR",
    "Mujahedin (Afghanistan)",
    "North Yemen",
    "South Vietnam",
    "Syria rebels",
    "UNITA (Angola)",
    "Yugoslavia",
    "unknown recipient(s)",
}


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with PURCHASERS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def by_name(rows) -> dict[str, str]:
    out = {}
    for row in rows:
        for name in [row["name"], *row["aliases"].split("|")]:
            if name:
                out[_key(name)] = row["code"]
    return out


def test_header_encoding_and_line_endings() -> None:
    raw = PURCHASERS.read_bytes()
    assert raw.startswith(b"code,alpha3,name,region,kind,aliases\n")
    assert b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf")
    raw.decode("utf-8")


def test_hand_list_has_249_codes() -> None:
    assert len(ISO_ALPHA2) == 249 == len(set(ISO_ALPHA2))


def test_every_iso_code_and_nothing_unexpected(rows) -> None:
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    countries = {row["code"] for row in rows if row["kind"] == "country"}
    assert countries == set(ISO_ALPHA2) | {"XK"}  # Kosovo: user-assigned code used by State
    assert {row["code"] for row in rows if row["kind"] == "organization"} == ORGANIZATIONS
    assert len(rows) == 249 + 1 + len(ORGANIZATIONS)


def test_sorted_by_code(rows) -> None:
    codes = [row["code"] for row in rows]
    assert codes == sorted(codes)


def test_regions_and_kinds(rows) -> None:
    for row in rows:
        assert row["region"] in REGIONS, row
        assert row["kind"] in {"country", "organization"}, row
        assert (row["region"] == "IO") == (row["kind"] == "organization"), row
        assert row["code"].isupper() and row["name"].strip() == row["name"]


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("RU", "EUR"), ("TR", "EUR"), ("CA", "WHA"), ("MA", "NEA"), ("DZ", "NEA"),
        ("EG", "NEA"), ("LY", "NEA"), ("TN", "NEA"), ("IL", "NEA"), ("IR", "NEA"),
        ("IQ", "NEA"), ("SA", "NEA"), ("IN", "SCA"), ("KZ", "SCA"), ("UZ", "SCA"),
        ("MV", "SCA"), ("AF", "SCA"), ("TW", "EAP"), ("AU", "EAP"), ("ZA", "AF"),
        ("NATO", "IO"), ("US", "WHA"), ("PL", "EUR"), ("SD", "AF"),
    ],
)  # fmt: skip
def test_spot_check_regions(rows, code: str, region: str) -> None:
    assert {row["code"]: row["region"] for row in rows}[code] == region


def test_names_unique_after_casefold_and_spaces(rows) -> None:
    seen: dict[str, str] = {}
    for row in rows:
        aliases = row["aliases"].split("|") if row["aliases"] else []
        assert all(alias.strip() == alias and alias for alias in aliases), row
        for name in [row["name"], *aliases]:
            assert _key(name) not in seen, (name, row["code"], seen.get(_key(name)))
            seen[_key(name)] = row["code"]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Republic of Korea", "KR"), ("South Korea", "KR"), ("Korea, Republic of", "KR"),
        ("Taiwan", "TW"), ("TECRO", "TW"),
        ("Taipei Economic and Cultural Representative Office in the United States", "TW"),
        ("Taipei Economic and Cultural Representative Office in the United States (TECRO)", "TW"),
        ("Republic of Korea (ROK)", "KR"),
        ("NATO Support and Procurement Agency (NSPA)", "NSPA"),
        ("Vietnam", "VN"), ("Viet Nam", "VN"), ("Türkiye", "TR"), ("Turkey", "TR"),
        ("Republic of Turkiye", "TR"), ("United Kingdom", "GB"), ("UK", "GB"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("Czech Republic", "CZ"), ("Czechia", "CZ"), ("Netherlands", "NL"),
        ("The Netherlands", "NL"), ("Kingdom of the Netherlands", "NL"),
        ("NATO Support and Procurement Agency", "NSPA"),
        ("North Atlantic Treaty Organization", "NATO"), ("African Union", "AFU"),
        ("Organization of American States", "OAS"), ("United Nations", "UNO"),
    ],
)  # fmt: skip
def test_published_names_map(by_name, name: str, code: str) -> None:
    assert by_name[_key(name)] == code


def test_organization_codes_cannot_collide_with_iso(rows) -> None:
    for row in rows:
        if row["kind"] == "organization":
            assert len(row["code"]) > 2


def test_every_sipri_recipient_maps(by_name) -> None:
    """SIPRI's '*' (non-state) and '**' (organization) footnote marks are not part of names."""
    with SIPRI.open(encoding="utf-8", newline="") as handle:
        recipients = {row["Recipient"] for row in csv.DictReader(handle)}
    assert len(recipients) > 150
    names = {r.rstrip("*") for r in recipients}
    unmapped = {n for n in names if _key(n) not in by_name}
    assert unmapped == UNMAPPED_SIPRI
    assert by_name[_key("Bosnia-Herzegovina")] == "BA"
    assert by_name[_key("DR Congo")] == "CD"
    assert by_name[_key("Cote d'Ivoire")] == "CI"
    assert by_name[_key("UAE")] == "AE"
    assert by_name[_key("Saint Vincent")] == "VC"
    assert by_name[_key("Regional Security System")] == "RSS"


def test_alpha3_agrees_with_pycountry(rows) -> None:
    """Every country's alpha3 is the ISO 3166-1 alpha-3 code of its alpha-2 code, as the
    pycountry package (the ISO data Debian's iso-codes ship) has it; Kosovo's user-assigned
    XK is published as XKX, the code the World Bank uses. Organizations have none."""
    for row in rows:
        if row["kind"] == "organization":
            assert row["alpha3"] == "", row
        elif row["code"] == "XK":
            assert row["alpha3"] == "XKX"
        else:
            assert row["alpha3"] == pycountry.countries.get(alpha_2=row["code"]).alpha_3, row


@pytest.mark.parametrize(
    ("code", "alpha3"),
    [("NA", "NAM"), ("AE", "ARE"), ("GB", "GBR"), ("KR", "KOR"), ("DE", "DEU"), ("CH", "CHE")],
)
def test_spot_check_alpha3_by_hand(rows, code: str, alpha3: str) -> None:
    assert {row["code"]: row["alpha3"] for row in rows}[code] == alpha3


def test_organization_codes_are_no_country_alpha3(rows) -> None:
    """An organization is published under its reference code: it must not be read as a
    country (AFU, OAS, RSS, UNO are three letters but no ISO alpha-3 code)."""
    alpha3 = {row["alpha3"] for row in rows if row["kind"] == "country"}
    assert not ORGANIZATIONS & alpha3
