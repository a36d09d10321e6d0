"""Pathways as plain data: which step of a pathway comes next for a family, whether it may take
it, and how many families stand at each step (the funnel).

A step names one programme or a programme kind. A family has *completed* a step when it has a
completed referral to that programme (or, for a kind, to any programme of that kind); its next
step is the first step not completed. Whether it may take that step is the best status among the
programmes that can serve it (eligible, then unknown, then ineligible); none: ``unavailable``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from mapping.matching import Evaluation, MatchStatus, ProgramFacts, Result
from mapping.privacy import withhold, withhold_complementary
from models.types import code_within

ELIGIBLE: Final = "eligible"
UNKNOWN: Final = "unknown"
INELIGIBLE: Final = "ineligible"
IN_PROGRESS: Final = "in_progress"
UNAVAILABLE: Final = "unavailable"
COMPLETED: Final = "completed"
STATUSES: Final = (ELIGIBLE, UNKNOWN, INELIGIBLE, IN_PROGRESS, UNAVAILABLE, COMPLETED)
_RANK: Final = {ELIGIBLE: 0, UNKNOWN: 1, INELIGIBLE: 2}
CODE_STATUS: Final = {2: ELIGIBLE, 1: UNKNOWN, 0: INELIGIBLE}  # mapping.screening's codes


@dataclass(frozen=True)
class Step:
    """One step: a programme (``program_id``) or any programme of a kind (``program_kind``)."""

    program_id: int | None = None
    program_kind: str | None = None

    def __post_init__(self) -> None:
        if (self.program_id is None) == (self.program_kind is None):
            raise ValueError("a step names a programme or a programme kind, not both and not neither")


def step_done(step: Step, completed: Collection[int], kind_of: Mapping[int, str]) -> bool:
    """Whether a family whose completed programmes are ``completed`` has done ``step``.

    Parameters
    ----------
    step
        The step.
    completed
        Ids of the programmes the family completed (a completed referral).
    kind_of
        The kind of each of those programmes.
    """
    if step.program_id is not None:
        return step.program_id in completed
    return any(kind_of.get(pid) == step.program_kind for pid in completed)


def steps_completed(steps: Sequence[Step], completed: Collection[int], kind_of: Mapping[int, str]) -> int:
    """How many steps the family has done (anywhere in the pathway)."""
    return sum(step_done(s, completed, kind_of) for s in steps)


def next_step(steps: Sequence[Step], completed: Collection[int], kind_of: Mapping[int, str]) -> int | None:
    """The position of the first step not completed; ``None`` when every step is done."""
    for i, step in enumerate(steps):
        if not step_done(step, completed, kind_of):
            return i
    return None


def serves(program: ProgramFacts, village_code: str) -> bool:
    """Whether ``program`` serves a family living in ``village_code`` (no area: everywhere)."""
    return not program.service_area or any(code_within(village_code, c) for c in program.service_area)


def step_candidates(step: Step, programs: Iterable[ProgramFacts], village_code: str) -> list[ProgramFacts]:
    """The programmes that can serve ``step`` for a family of ``village_code``: the named
    programme (wherever it serves: being out of its area is a reason the page shows), or every
    programme of the kind that serves the village."""
    if step.program_id is not None:
        return [p for p in programs if p.program_id == step.program_id]
    return [p for p in programs if p.kind == step.program_kind and serves(p, village_code)]


def best_status(statuses: Iterable[str]) -> str:
    """The best of programme statuses (eligible > unknown > ineligible); none: ``unavailable``."""
    found = [s for s in statuses if s in _RANK]
    return min(found, key=_RANK.__getitem__) if found else UNAVAILABLE


def step_status(
    step: Step, candidate_statuses: Sequence[str], open_programs: Collection[int], kind_of: Mapping[int, str]
) -> str:
    """The status of a family's next step: ``in_progress`` while it has an open referral to a
    programme of the step, else the best status of the step's candidate programmes."""
    if step_done(step, open_programs, kind_of):
        return IN_PROGRESS
    return best_status(candidate_statuses)


def what_it_lacks(evaluations: Sequence[Evaluation]) -> Evaluation | None:
    """The evaluation whose reasons say what the family lacks for a step: none when one
    programme is eligible; else the one with the fewest unknowns (an open question), else the
    nearest miss (fewest failing criteria)."""
    if not evaluations or any(e.status is MatchStatus.eligible for e in evaluations):
        return None
    unknown = [e for e in evaluations if e.status is MatchStatus.unknown]
    if unknown:
        return min(unknown, key=lambda e: (e.unknowns, e.fails))
    return min(evaluations, key=lambda e: (e.fails, e.unknowns))


def lacking_reasons(evaluation: Evaluation) -> list[tuple[str, str, str]]:
    """(field, result, message) of the criteria that stand between the family and the programme:
    the unknown ones for an unknown match, the failing ones otherwise."""
    wanted = Result.unknown if evaluation.status is MatchStatus.unknown else Result.failed
    return [(r.field, r.result.value, r.message) for r in evaluation.reasons if r.result is wanted]


# --- the funnel -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """Families of a pathway's area by where they stand: next step at each position, or done."""

    families: int
    at_step: tuple[int, ...]
    completed: int


def funnel(
    steps: Sequence[Step],
    families: int,
    progressed: Iterable[Collection[int]],
    kind_of: Mapping[int, str],
) -> Funnel:
    """Count the families at each step.

    Parameters
    ----------
    steps
        The pathway's steps in order.
    families
        How many families the pathway's area holds.
    progressed
        The completed programme ids of each family that completed any programme (the others
        stand at the first step).
    kind_of
        The kind of every programme named in ``progressed``.
    """
    at = [0] * len(steps)
    done = 0
    seen = 0
    for completed in progressed:
        seen += 1
        position = next_step(steps, completed, kind_of)
        if position is None:
            done += 1
        else:
            at[position] += 1
    if steps:
        at[0] += max(0, families - seen)
    return Funnel(families=families, at_step=tuple(at), completed=done)


def published_funnel(f: Funnel, *, exact: bool) -> tuple[int | None, list[int | None], int | None]:
    """The funnel as it may be shown: (families, count per step, completed), small counts
    withheld so that none can be derived from the others (``mapping.privacy``)."""
    parts = {f"s{i}": n for i, n in enumerate(f.at_step)} | {"done": f.completed}
    shown = withhold_complementary(parts, exact=exact)
    return (
        f.families if exact else withhold(f.families),
        [shown[f"s{i}"] for i in range(len(f.at_step))],
        shown["done"],
    )
