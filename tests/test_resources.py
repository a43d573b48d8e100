"""Issue 14, point 4: resources and protective factors, recorded like observations, never counted."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ssp_core
from ssp_core import Actor, Casework, DataError, Subject, UnknownId, VirtualClock
from ssp_core.application.guide import build_guide
from ssp_core.domain.concerns import CatalogueKind
from ssp_core.domain.events import ResourceObserved
from ssp_core.domain.redaction import WITHHELD
from tests.test_cli_privacy import (  # the fixtures ssp, db and key_file come with them
    CONSULTANT,
    Run,
    _db,  # noqa: F401
    _key_file,  # noqa: F401
    _ssp,  # noqa: F401
    one_error_line,
)

REGISTRY = ssp_core.load_registry()
ANNE = Actor("anne", "aalborg.ssp_consultant")
EVA = Actor("eva", "aalborg.mentor")
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
RESOURCES = "core.protective_factors"
SIGNS = "aalborg.worry_signs"
FACTORS = [s.id for lvl in REGISTRY.catalogues[RESOURCES].levels for s in lvl.signs]
WORRIES = [s.id for lvl in REGISTRY.catalogues[SIGNS].levels for s in lvl.signs]


def _concern(casework: Casework) -> str:
    return casework.open_concern(
        situation="aalborg.radicalisation",
        subject=Subject("d" * 32, dt.date(2010, 1, 15)),
        concern_date=T0.date(),
        actor=ANNE,
    ).id


def test_the_core_ships_an_example_catalogue_of_resources_with_its_source() -> None:
    catalogue = REGISTRY.catalogues[RESOURCES]
    assert catalogue.kind is CatalogueKind.RESOURCES
    assert catalogue.source.publisher == "Holbæk Kommune" and catalogue.source.url
    assert catalogue.guidance is not None and "never" in catalogue.guidance.en
    assert REGISTRY.catalogues[SIGNS].kind is CatalogueKind.WORRY_SIGNS
    guide = build_guide(REGISTRY, sections=["worry-signs", "resources"])
    ids = {section.id: [item.id for item in section.items] for section in guide.sections}
    assert ids == {"worry-signs": [SIGNS], "resources": [RESOURCES]}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("sign"), st.sampled_from(WORRIES)),
            st.tuples(st.just("resource"), st.sampled_from(FACTORS)),
        ),
        max_size=8,
    )
)
def test_the_view_lists_exactly_what_was_recorded_side_by_side(
    steps: list[tuple[str, str]],
) -> None:
    casework = Casework(REGISTRY, clock=VirtualClock(T0))
    case_id = _concern(casework)
    for n, (kind, item) in enumerate(steps):
        if kind == "sign":
            casework.record_observation(
                case_id, catalogue=SIGNS, sign=item, observed_by=f"w{n}",
                observed_on=T0.date(), actor=ANNE, text=f"text {n}",
            )  # fmt: skip
        else:
            casework.record_resource(
                case_id, catalogue=RESOURCES, factor=item, observed_by=f"w{n}",
                observed_on=T0.date(), actor=ANNE, text=f"text {n}",
            )  # fmt: skip
    view = casework.view(case_id, ANNE)
    assert [(o.sign, o.observed_by) for o in view.worry_signs_seen] == [
        (item, f"w{n}") for n, (kind, item) in enumerate(steps) if kind == "sign"
    ]
    assert [(o.sign, o.observed_by) for o in view.resources_seen] == [
        (item, f"w{n}") for n, (kind, item) in enumerate(steps) if kind == "resource"
    ]
    # Nothing about them is counted on the case: no fact, no guard, no number.
    case = view.case
    assert case.facts == frozenset() and case.sessions == 0


def test_a_catalogue_of_the_other_kind_or_an_unknown_item_is_refused() -> None:
    casework = Casework(REGISTRY, clock=VirtualClock(T0))
    case_id = _concern(casework)
    before = casework.store.max_position()
    with pytest.raises(DataError, match="lists resources, not worry signs"):
        casework.record_observation(
            case_id, catalogue=RESOURCES, sign=FACTORS[0], observed_by="t",
            observed_on=T0.date(), actor=ANNE,
        )  # fmt: skip
    with pytest.raises(DataError, match=f"catalogues of resources: {RESOURCES}"):
        casework.record_resource(
            case_id, catalogue=SIGNS, factor=WORRIES[0], observed_by="t",
            observed_on=T0.date(), actor=ANNE,
        )  # fmt: skip
    with pytest.raises(UnknownId, match="person.wellbeing"):
        casework.record_resource(
            case_id, catalogue=RESOURCES, factor="nope", observed_by="t",
            observed_on=T0.date(), actor=ANNE,
        )  # fmt: skip
    assert casework.store.max_position() == before


def test_a_reader_without_observations_sees_that_a_factor_was_seen_not_which(
    tmp_path: Path,
) -> None:
    casework = Casework(REGISTRY, clock=VirtualClock(T0))
    track = casework.open_case(
        workflow="aalborg.mentor",
        subject=Subject("e" * 32, dt.date(2008, 1, 1)),
        actor=ANNE,
    )
    casework.fire(track.id, "accept_referral", ANNE)
    casework.assign(track.id, EVA.id, ANNE)
    casework.record_resource(
        track.id, catalogue=RESOURCES, factor="person.leisure_interests", observed_by="coach",
        observed_on=T0.date(), actor=ANNE, text="plays football twice a week",
    )  # fmt: skip
    seen = casework.case(track.id, EVA, purpose="casework").events[-1]
    assert isinstance(seen, ResourceObserved)
    assert seen.observation.sign != "person.leisure_interests"  # withheld
    assert seen.observation.text == WITHHELD
    # The research export leaves them out entirely: never counted about the person.
    researcher = Actor("r", "aalborg.researcher")
    result = casework.research_export(researcher, kind="events", out=tmp_path / "events")
    exported = "\n".join(p.read_text(encoding="utf-8") for p in result.files)
    assert "ResourceObserved" not in exported
    assert "Assigned" in exported  # the export has the case's other rows


def test_the_cli_records_both_and_shows_them_side_by_side(ssp: Run) -> None:
    code, out, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--pseudonym", "f" * 32,
        "--birth-date", "2010-01-15", "--concern-date", "2026-03-02", "--json", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    case_id = json.loads(out)["id"]
    code, out, err = ssp(
        "case", "observe", case_id, "--sign", WORRIES[0], "--by", "teacher",
        "--on", "2026-03-02", "--text", "keeps to [bold]himself[/bold]", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = ssp(
        "case", "resource", case_id, "--factor", "person.leisure_interests", "--by", "club",
        "--on", "2026-03-02", "--text", "plays football", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err and "never counted" in out
    code, out, err = ssp("case", "show", case_id, *CONSULTANT)
    assert code == 0, err
    assert "worry signs seen:" in out and "resources and protective factors seen:" in out
    assert "keeps to [bold]himself[/bold]" in out
    assert "Has good leisure interests (seen by club on 2026-03-02): plays football" in out
    shown = json.loads(ssp("case", "show", case_id, "--json", *CONSULTANT)[1])
    assert [o["sign"] for o in shown["resources_seen"]] == ["person.leisure_interests"]
    code, out, err = ssp(
        "case", "resource", case_id, "--factor", "nope", "--by", "club", *CONSULTANT
    )
    assert code == 1 and out == ""
    assert "person.leisure_interests" in one_error_line(err)
