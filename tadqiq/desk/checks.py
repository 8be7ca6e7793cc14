"""Checks of what a form sends: each failure is a ``DeskError`` naming the field."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from tadqiq.desk.errors import DeskError


def _field(name: str) -> dict[str, str]:
    return {"field": f"desk_field_{name}"}


def text(value: object, name: str, limit: int, *, required: bool = True) -> str | None:
    """Trimmed text; None when empty and not required."""
    if value is not None and not isinstance(value, str):
        raise DeskError("desk_not_text", field=name, labels=_field(name))
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise DeskError("desk_required", field=name, labels=_field(name))
        return None
    if len(cleaned) > limit:
        raise DeskError("desk_too_long", field=name, labels=_field(name), limit=limit)
    return cleaned


def day(value: object, name: str, *, required: bool = True) -> date | None:
    if value is None:
        if required:
            raise DeskError("desk_required", field=name, labels=_field(name))
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise DeskError("desk_not_a_date", field=name, labels=_field(name))
    return value


def whole(
    value: object,
    name: str,
    low: int,
    high: int,
    *,
    required: bool = True,
    key: str = "desk_out_of_range",
) -> int | None:
    """A whole number in [low, high]; ``key`` names the message (a scale has its own)."""
    if value is None:
        if required:
            raise DeskError("desk_required", field=name, labels=_field(name))
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise DeskError(key, field=name, labels=_field(name), value=value, low=low, high=high)
    if not low <= value <= high:
        raise DeskError(key, field=name, labels=_field(name), value=value, low=low, high=high)
    return value


def amount(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise DeskError("desk_not_an_amount", field=name, labels=_field(name))
    return float(value)


def one_of(value: object, name: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise DeskError(
            "desk_not_allowed",
            field=name,
            labels=_field(name),
            value=value,
            allowed=", ".join(allowed),
        )
    return str(value)


def in_order(earlier: date | None, earlier_name: str, later: date | None, later_name: str) -> None:
    """``later`` may not come before ``earlier`` (both given)."""
    if earlier is not None and later is not None and later < earlier:
        raise DeskError(
            "desk_dates_order",
            field=later_name,
            labels={"later": f"desk_field_{later_name}", "earlier": f"desk_field_{earlier_name}"},
            later_date=later,
            earlier_date=earlier,
        )


def not_after(value: date | None, name: str, limit: date) -> None:
    """A date that has happened: not after today."""
    if value is not None and value > limit:
        raise DeskError("desk_in_the_future", field=name, labels=_field(name), day=value)
