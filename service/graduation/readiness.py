"""Readiness to graduate: one family's assessment, the facilitator's "KPM potensial" list (the whole
caseload scored in one columnar pass), and the rules of a region."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlmodel import Session, col

from mapping.graduation import (
    DEFAULT_RULES,
    DEFAULT_THRESHOLDS,
    FamilyFacts,
    Readiness,
    Rule,
    near_five_years,
    ranked,
    readiness,
    revenue_windows,
    rules_for_region,
)
from models.graduation import (
    IndicatorResult,
    PotentialPublic,
    ReadinessIndicatorName,
    ReadinessPublic,
    ReadinessRules,
)
from models.households import Household, PkhStatus
from service.core.audit import audited_read, record_event
from service.core.paging import Page
from service.core.regions import require_regions
from service.core.scope import Scope, get_in_scope, require_in_processing
from service.errors import Forbidden, InvalidInput
from service.graduation import queries


@dataclass(frozen=True)
class Assessed:
    """A caseload's families (a DataFrame, one row each) and their readiness, row for row."""

    families: pd.DataFrame
    result: Readiness
    rules: list[Sequence[Rule]]
    rule_index: np.ndarray[Any, np.dtype[np.int64]]
    rules_regions: list[str | None]


def _months_since(started: pd.Series, today: date) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Whole months from each date to ``today`` (NaN where unknown)."""
    when = pd.to_datetime(started, errors="coerce")
    months = (today.year - when.dt.year) * 12 + (today.month - when.dt.month) - (today.day < when.dt.day)
    out: np.ndarray[Any, np.dtype[np.float64]] = months.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def _number(series: pd.Series) -> np.ndarray[Any, np.dtype[np.float64]]:
    out: np.ndarray[Any, np.dtype[np.float64]] = pd.to_numeric(series, errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    return out


def assess(session: Session, where: Sequence[Any], *, today: date) -> Assessed:
    """Score the families passing ``where`` (the caller's scope first): three queries, one pass."""
    families = queries.family_frame(session, where)
    checkins = queries.recent_checkins(session, where, today)
    ids = families["id"].to_numpy(dtype=np.int64)
    stored = queries.rule_sets(session)
    chosen = [rules_for_region(code, stored) for code in families["village_code"]]
    keys: dict[str | None, int] = {}
    rules: list[Sequence[Rule]] = []
    regions: list[str | None] = []
    index = np.zeros(len(ids), dtype=np.int64)
    for row, (region, rule_set) in enumerate(chosen):
        if region not in keys:
            keys[region] = len(rules)
            rules.append(rule_set)
            regions.append(region)
        index[row] = keys[region]
    agreed = families["agreed_to_graduate"].map({True: 1.0, False: 0.0})
    facts = FamilyFacts(
        household_id=ids,
        revenue_windows=revenue_windows(checkins, ids, today),
        business_months=_months_since(families["started_on"], today),
        school_age_children=_number(families["school_age_children"]),
        agreed=_number(agreed),
        joined_year=_number(families["pkh_joined_year"]),
    )
    result = readiness(facts, rules or [DEFAULT_RULES], index, today)
    return Assessed(families=families, result=result, rules=rules, rule_index=index, rules_regions=regions)


def _nan_none(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def family_readiness(
    session: Session, scope: Scope, *, household_id: int, today: date, request_id: str | None = None
) -> ReadinessPublic:
    """The readiness of a family in the caller's care: score, each indicator, the missing ones; audited."""
    with audited_read(session, scope, entity="readiness", entity_id=household_id, request_id=request_id):
        household: Household = get_in_scope(session, scope, Household, household_id, "Household")
        require_in_processing(household)
        assessed = assess(session, [col(Household.id) == household_id], today=today)
        r = assessed.result
        rules = {rule.indicator: rule for rule in assessed.rules[int(assessed.rule_index[0])]}
        items = [
            IndicatorResult(
                name=ReadinessIndicatorName(name),
                met=bool(r.met[0, j]),
                value=_nan_none(r.value[0, j]),
                weight=rules[name].weight,
                threshold=rules[name].threshold if rules[name].threshold is not None else DEFAULT_THRESHOLDS[name],
            )
            for j, name in enumerate(r.names)
            if r.applies[0, j]
        ]
        out = ReadinessPublic(
            household_id=household_id,
            score=int(r.score[0]),
            indicators=items,
            missing=[ReadinessIndicatorName(n) for n in r.missing(0)],
            rules_region=assessed.rules_regions[int(assessed.rule_index[0])],
        )
    return out


def potential_list(
    session: Session,
    scope: Scope,
    *,
    today: date,
    limit: int,
    offset: int,
    region: str | None = None,
    request_id: str | None = None,
) -> Page[PotentialPublic]:
    """The caller's active families ranked by readiness ("KPM potensial"), the whole caseload scored
    in one pass; audited."""
    with audited_read(session, scope, entity="readiness", request_id=request_id, action="list"):
        scope.require_list(Household, "families")
        if region:
            require_regions(session, [region], loc=("query", "region"))
        where = [scope.where(Household), col(Household.pkh_status) == PkhStatus.active, *queries.region_clause(region)]
        assessed = assess(session, where, today=today)
        order = ranked(assessed.result)
        page_rows = order[offset : offset + limit]
        fam = assessed.families
        ids = [int(fam["id"].iat[i]) for i in page_rows]
        pathway = queries.with_pathway(session, ids)
        near = near_five_years(_number(fam["pkh_joined_year"]), today)
        items = [
            PotentialPublic(
                household_id=int(fam["id"].iat[i]),
                pkh_id=str(fam["pkh_id"].iat[i]),
                head_name=str(fam["head_name"].iat[i]),
                village_code=str(fam["village_code"].iat[i]),
                score=int(assessed.result.score[i]),
                missing=[ReadinessIndicatorName(n) for n in assessed.result.missing(int(i))],
                pkh_joined_year=None if pd.isna(fam["pkh_joined_year"].iat[i]) else int(fam["pkh_joined_year"].iat[i]),
                near_five_years=bool(near[i]),
                has_pathway=int(fam["id"].iat[i]) in pathway,
            )
            for i in page_rows
        ]
        page: Page[PotentialPublic] = Page(items=items, total=len(order), limit=limit, offset=offset)
    return page


def region_rules(session: Session, scope: Scope, *, region: str | None) -> ReadinessRules:
    """The readiness rules that apply in ``region`` (none: the national default)."""
    if region:
        require_regions(session, [region], loc=("query", "region"))
    stored = queries.rule_sets(session)
    code, rules = rules_for_region(region, stored) if region else (None, stored.get(None) or DEFAULT_RULES)
    return ReadinessRules.model_validate(
        {
            "region_code": code,
            "indicators": [{"name": r.indicator, "weight": r.weight, "threshold": r.threshold} for r in rules],
        }
    )


def set_region_rules(
    session: Session, scope: Scope, *, data: ReadinessRules, request_id: str | None = None
) -> ReadinessRules:
    """Set a region's readiness rules (administrators); audited."""
    if not scope.is_admin:
        raise Forbidden("Only administrators set the readiness rules")
    if data.region_code:
        require_regions(session, [data.region_code], loc=("body", "region_code"))
    names = [i.name for i in data.indicators]
    if len(set(names)) != len(names):
        raise InvalidInput("each indicator may be named once", loc=("body", "indicators"))
    rules = [Rule(str(i.name), i.weight, i.threshold) for i in data.indicators]
    queries.replace_rules(session, data.region_code, rules)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="readiness_rules",
        entity_id=data.region_code or "national",
        request_id=request_id,
        fields=[str(n) for n in names],
    )
    session.commit()
    return data
