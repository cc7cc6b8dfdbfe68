"""The profile's ``money`` section read into ``domain.fees.FeeRules`` (file, key, problem on
any fault). Kept apart from ``profile.py`` so the schedule's shape reads in one place."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from cadastre.domain.fees import FEE_KINDS, PER, AnnualCharge, FeeRules, FeeSchedule, TypeFees
from cadastre.domain.money import CURRENCY, Money, cents


def fee_rules(r: Any, data: dict | None, type_names: set[str]) -> FeeRules:
    """The ``money`` section (absent: no schedule, so nothing is ever charged)."""
    if data is None:
        return FeeRules()
    where = "money"
    schedules = []
    for i, spec in enumerate(r.opt(data, "schedules", list, where, []) or []):
        schedules.append(_schedule(r, spec, f"{where}.schedules[{i}]", type_names))
    days = [s.effective_from for s in schedules]
    if len(set(days)) != len(days):
        raise r.fail(f"{where}.schedules", "two schedules take effect on the same day")
    pay_first = tuple(r.opt(data, "pay_before_grant", list, where, []) or [])
    for name in pay_first:
        if name not in type_names:
            raise r.fail(f"{where}.pay_before_grant", f"'{name}' is not a licence type")
    return FeeRules(
        schedules=tuple(sorted(schedules, key=lambda s: s.effective_from)),
        pay_before_grant=pay_first,
        grace_days=int(r.opt(data, "grace_days", int, where, 30)),
        grace_source=str(r.opt(data, "grace_source", str, where, FeeRules.grace_source)),
        pay_within_days=int(r.opt(data, "pay_within_days", int, where, 30)),
    )


def _schedule(r: Any, spec: Any, where: str, type_names: set[str]) -> FeeSchedule:
    effective = r.get(spec, "effective_from", (date, str), where)
    if isinstance(effective, str):
        try:
            effective = date.fromisoformat(effective)
        except ValueError:
            raise r.fail(f"{where}.effective_from", f"{effective!r} is not a date") from None
    types = {}
    for name, fees in (r.get(spec, "types", dict, where) or {}).items():
        if name not in type_names:
            raise r.fail(f"{where}.types.{name}", "is not a licence type of the profile")
        types[name] = _type_fees(r, fees, f"{where}.types.{name}")
    return FeeSchedule(effective, str(r.get(spec, "source", str, where)).strip(), types)


def _type_fees(r: Any, spec: Any, where: str) -> TypeFees:
    if not isinstance(spec, dict):
        raise r.fail(where, "must be a mapping of fees")
    unknown = sorted(set(spec) - set(FEE_KINDS) - {"annual_charge"})
    if unknown:
        raise r.fail(
            f"{where}.{unknown[0]}", f"is not a fee ({', '.join(FEE_KINDS)}, annual_charge)"
        )
    one_offs = {k: _money(r, spec[k], f"{where}.{k}") for k in FEE_KINDS if k in spec}
    annual = (
        _annual(r, spec["annual_charge"], f"{where}.annual_charge")
        if ("annual_charge" in spec)
        else None
    )
    return TypeFees(annual_charge=annual, **one_offs)


def _decimal(r: Any, value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, str, float)):
        raise r.fail(where, f'must be an amount such as "1500.00", not {value!r}')
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise r.fail(where, f"{value!r} is not an amount") from None
    if amount < 0 or amount != amount:
        raise r.fail(where, f"must not be negative, got {value!r}")
    return amount


def _currency(r: Any, spec: dict, where: str) -> str:
    code = r.get(spec, "currency", str, where)
    if not CURRENCY.match(code):
        raise r.fail(f"{where}.currency", f"must be an ISO 4217 code such as SLE, not {code!r}")
    return code


def _money(r: Any, spec: Any, where: str) -> Money:
    amount = _decimal(r, r.get(spec, "amount", (int, str, float), where), f"{where}.amount")
    return Money(cents(amount), _currency(r, spec, where))


def _annual(r: Any, spec: Any, where: str) -> AnnualCharge:
    per = r.get(spec, "per", str, where)
    if per not in PER:
        raise r.fail(f"{where}.per", f"must be one of {', '.join(PER)}, not {per!r}")
    if "by_year" in spec:
        rates = tuple(
            _decimal(r, v, f"{where}.by_year[{i}]")
            for i, v in enumerate(r.get(spec, "by_year", list, where))
        )
        if not rates:
            raise r.fail(f"{where}.by_year", "must list at least one rate")
    else:
        rates = (_decimal(r, r.get(spec, "amount", (int, str, float), where), f"{where}.amount"),)
    minimum = spec.get("minimum")
    return AnnualCharge(
        currency=_currency(r, spec, where),
        per=per,
        rates=rates,
        pro_rata=bool(r.opt(spec, "pro_rata", bool, where, False)),
        minimum=_decimal(r, minimum, f"{where}.minimum") if minimum is not None else None,
    )
