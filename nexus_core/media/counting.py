"""How many items a list matches, without reading them all (a library of 100,000 would otherwise
count up to 100,000 rows for every page).

On PostgreSQL the planner's estimate comes first (it costs a plan, no rows): far above EXACT_UP_TO it
is the answer, marked as an estimate ("about 48,000"); otherwise the matches are counted, reading at
most EXACT_UP_TO + 1 of them, and only a count that reaches that bound falls back to the estimate.
SQLite, the embedded default for small libraries, always counts exactly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session

EXACT_UP_TO = 1000
TRUST_ESTIMATE_ABOVE = 2 * EXACT_UP_TO
"""Statistics are rarely off by half: an estimate above this means far more than EXACT_UP_TO match."""


@dataclass(frozen=True)
class Count:
    value: int
    estimated: bool = False
    """True: more than EXACT_UP_TO match and `value` is the planner's estimate ("about")."""


def bounded(matching: Select[Any]) -> Select[Any]:
    """The count of `matching`'s rows, reading at most EXACT_UP_TO + 1 of them."""
    return select(func.count()).select_from(matching.limit(EXACT_UP_TO + 1).subquery())


def count(session: Session, matching: Select[Any]) -> Count:
    """How many rows `matching` (a select of ids) has; exact while at most EXACT_UP_TO."""
    if session.get_bind().dialect.name != "postgresql":
        return Count(session.execute(select(func.count()).select_from(matching.subquery())).scalar_one())
    estimate = _planner_estimate(session, matching)
    if estimate > TRUST_ESTIMATE_ABOVE:
        return Count(estimate, estimated=True)
    found = session.execute(bounded(matching)).scalar_one()
    if found <= EXACT_UP_TO:
        return Count(found)
    return Count(max(estimate, found), estimated=True)


def _planner_estimate(session: Session, matching: Select[Any]) -> int:
    compiled = matching.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    plan = (
        session.connection()
        .exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params)
        .scalar_one()
    )
    return int(plan[0]["Plan"]["Plan Rows"])
