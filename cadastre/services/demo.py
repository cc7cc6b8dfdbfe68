"""A deterministic, realistic demo register, built through the same services as the API.

Licences cluster in the diamond districts (Kono, Kenema, Bo, Pujehun) with some along
the Liberian and Guinean borders; exclusive rights never overlap.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from geoalchemy2.shape import to_shape
from shapely import STRtree
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cadastre.models import BorderLine, Country, Licence, User
from cadastre.profile import Profile
from cadastre.services.boundaries import active_dataset
from cadastre.services.demo_money import DemoTill, charge_current_year
from cadastre.services.demo_procedure import DemoWalker
from cadastre.services.document_store import DocumentStore
from cadastre.services.holders import create_holder
from cadastre.services.licences import perform_action, register_application
from cadastre.services.notices import issue_notice

SEED = 694
#: (licence type, how many, side range in metres, commodities to draw from)
PLAN = [
    ("reconnaissance", 8, (20_000, 45_000), ["diamond", "gold", "rutile", "bauxite"]),
    ("large_scale", 8, (4_000, 10_000), ["diamond", "gold", "iron_ore", "rutile"]),
    ("exploration", 40, (4_000, 11_000), ["diamond", "gold", "iron_ore", "coltan"]),
    ("small_scale", 120, (500, 1_350), ["diamond", "gold"]),
    ("artisanal", 324, (60, 98), ["diamond", "gold"]),
]
#: How many of the small licences are placed close to the land borders.
NEAR_BORDER = 48
STATUS_MIX = [
    ("application", 14),
    ("granted", 52),
    ("suspended", 5),
    ("refused", 5),
    ("withdrawn", 5),
    ("revoked", 3),
    ("relinquished", 4),
    ("expired", 12),
]
FIRST = [
    "Mohamed",
    "Fatmata",
    "Ibrahim",
    "Aminata",
    "Abu",
    "Mariama",
    "Sahr",
    "Isatu",
    "Foday",
    "Kadiatu",
    "Tamba",
    "Hawa",
    "Alpha",
    "Musu",
    "Brima",
    "Jeneba",
]
LAST = [
    "Kamara",
    "Sesay",
    "Koroma",
    "Bangura",
    "Conteh",
    "Kargbo",
    "Turay",
    "Mansaray",
    "Jalloh",
    "Fofanah",
    "Kanu",
    "Lahai",
    "Sandi",
    "Komba",
    "Gbla",
    "Musa",
]
COMPANY_WORDS = [
    "Kono",
    "Sewa",
    "Moa",
    "Mano",
    "Bafi",
    "Meya",
    "Tongo",
    "Sierra",
    "Lion",
    "Atlantic",
    "Gola",
    "Loma",
    "Kambui",
    "Nimini",
    "Tingi",
    "Yengema",
]
COMPANY_KINDS = [
    "Diamonds Ltd",
    "Mining Company (SL) Ltd",
    "Resources Ltd",
    "Minerals SL Ltd",
    "Gold Corporation Ltd",
    "Exploration Ltd",
]
ACTORS = ["demo:officer.kamara", "demo:officer.sesay", "demo:supervisor.koroma"]


def _rect(lon: float, lat: float, width_m: float, height_m: float) -> BaseGeometry:
    dlat = height_m / 111_320 / 2
    dlon = width_m / (111_320 * math.cos(math.radians(lat))) / 2
    return box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def demo_address(name: str) -> str:
    """A demo contact address on example.org (reserved for examples: no mail reaches anyone)."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower())) + "@example.org"


def _officers(session: Session) -> None:
    """The demo's officers as users with addresses, for the daily digest (no password: they
    sign in only once an administrator gives them one)."""
    for actor, role in zip(ACTORS, ("officer", "officer", "supervisor"), strict=True):
        username = actor.removeprefix("demo:")
        if session.scalar(select(User.id).where(User.username == username)) is None:
            session.add(
                User(username=username, role=role, email=demo_address(username), active=True)
            )


def _holders(session: Session, rng: random.Random) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {"company": [], "individual": [], "cooperative": []}
    used = set()
    for i in range(60):
        name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}"
        while name in used:
            words = rng.sample(COMPANY_WORDS, 2)
            name = f"{words[0]} {words[1]} {rng.choice(COMPANY_KINDS)}"
        used.add(name)
        h = create_holder(
            session,
            {
                "name": name,
                "kind": "company",
                "registration_number": f"SL-CR-{2005 + i % 20}-{1000 + i}",
                "nationality": "Sierra Leone",
                "email": demo_address(name),
            },
        )
        ids["company"].append(h.id)
    for i in range(50):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        h = create_holder(
            session,
            {
                "name": f"{name} ({i + 1:03d})",
                "kind": "individual",
                "nationality": "Sierra Leone",
                "email": demo_address(f"{name} {i + 1:03d}"),
            },
        )
        ids["individual"].append(h.id)
    for i in range(20):
        h = create_holder(
            session,
            {
                "name": f"{rng.choice(COMPANY_WORDS)} Miners Cooperative {i + 1}",
                "kind": "cooperative",
                "registration_number": f"SL-COOP-{300 + i}",
                "citizen_members": True,
                "email": demo_address(f"cooperative {300 + i}"),
            },
        )
        ids["cooperative"].append(h.id)
    return ids


class _Placer:
    """Finds ground inside the country that no exclusive right already covers."""

    def __init__(self, country: BaseGeometry, rng: random.Random) -> None:
        self.country = country.buffer(-0.002)
        self.rng = rng
        self.placed: list[BaseGeometry] = []
        self._tree: STRtree | None = None

    def free(self, geom: BaseGeometry, exclusive: bool) -> bool:
        if not self.country.contains(geom):
            return False
        if not exclusive:
            return True
        if self._tree is None:
            self._tree = STRtree(self.placed) if self.placed else None
        if self._tree is not None and len(self._tree.query(geom, predicate="intersects")):
            return False
        return not any(g.intersects(geom) for g in self.placed[self._tree_len() :])

    def _tree_len(self) -> int:
        return len(self._tree.geometries) if self._tree is not None else 0

    def take(self, geom: BaseGeometry, exclusive: bool) -> None:
        if exclusive:
            self.placed.append(geom)
            if len(self.placed) - self._tree_len() > 32:
                self._tree = None


def _status_for(rng: random.Random) -> str:
    total = sum(w for _, w in STATUS_MIX)
    pick = rng.uniform(0, total)
    for status, weight in STATUS_MIX:
        pick -= weight
        if pick <= 0:
            return status
    return "granted"


def build_demo_register(
    session: Session,
    profile: Profile,
    *,
    store: DocumentStore,
    today: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Create the demo register; returns how many licences were made. Every application
    goes through its type's staged procedure; the documents its stages need are put in
    ``store`` (one placeholder file per kind of document)."""
    rng = random.Random(SEED)
    now = today or datetime.now(UTC)
    country, borders = _country_and_borders(session, profile)
    holders = _holders(session, rng)
    _officers(session)
    jobs = _place_areas(profile, rng, country, borders)
    total = sum(n for _, n, _, _ in PLAN)
    # Register in order of receipt, as an office would have.
    rng.shuffle(jobs)
    days_back = [rng.uniform(20, 6 * 365) for _ in jobs]
    order = sorted(range(len(jobs)), key=lambda k: -days_back[k])
    till = DemoTill(now.date())
    walker = DemoWalker(profile, store, till)
    for made, k in enumerate(order, start=1):
        _register_one(session, profile, rng, holders, jobs[k], days_back[k], now, walker)
        if progress:
            progress(made, total)
    charge_current_year(session, profile, till)
    session.flush()
    return len(order)


def _country_and_borders(
    session: Session, profile: Profile
) -> tuple[BaseGeometry, list[BaseGeometry]]:
    """The country's outline and its land borders in the boundary data set in force."""
    dataset = active_dataset(session)
    if dataset is None:
        raise RuntimeError("Load the boundaries first: `cadastre boundaries load`.")
    country = to_shape(
        session.scalar(
            select(Country.geom).where(
                Country.dataset_id == dataset.id, Country.iso_a3 == profile.iso_a3
            )
        )
    )
    borders = [
        to_shape(g)
        for g in session.scalars(
            select(BorderLine.geom).where(
                BorderLine.dataset_id == dataset.id,
                (BorderLine.country_a == profile.iso_a3) | (BorderLine.country_b == profile.iso_a3),
            )
        )
    ]
    return country, borders


def _place_areas(
    profile: Profile, rng: random.Random, country: BaseGeometry, borders: list[BaseGeometry]
) -> list[tuple]:
    """The areas of the plan, (type, geometry, commodities, centre): inside the country,
    within the type's area limit, exclusive rights never overlapping."""
    placer = _Placer(country, rng)
    jobs = []
    for licence_type, count, (lo, hi), commodities in PLAN:
        spec = profile.licence_type(licence_type)
        for i in range(count):
            near_border = licence_type in ("artisanal", "small_scale") and i < NEAR_BORDER // 2
            for _attempt in range(400):
                lon, lat = _spot(profile, rng, licence_type, near_border, country, borders)
                w, h = rng.uniform(lo, hi), rng.uniform(lo, hi)
                geom = _rect(lon, lat, w, h)
                if (
                    geom.area
                    and _area_ok(geom, spec.max_area_ha)
                    and placer.free(geom, spec.exclusive)
                ):
                    placer.take(geom, spec.exclusive)
                    jobs.append((licence_type, geom, commodities, Point(lon, lat)))
                    break
    return jobs


def _spot(
    profile: Profile,
    rng: random.Random,
    licence_type: str,
    near_border: bool,
    country: BaseGeometry,
    borders: list[BaseGeometry],
) -> tuple[float, float]:
    """A centre to try: near a land border, anywhere (reconnaissance) or around a district."""
    if near_border:
        line = rng.choice(borders)
        part = rng.choice(list(line.geoms))
        p = substring(part, rng.uniform(0, 1), rng.uniform(0, 1), normalized=True)
        anchor = p.interpolate(0.5, normalized=True) if p.length else p.centroid
        # step inland by 0.5-20 km toward the interior of the country
        inner = country.representative_point()
        d = rng.uniform(0.5, 20) / 111.0
        vx, vy = inner.x - anchor.x, inner.y - anchor.y
        n = math.hypot(vx, vy) or 1
        return anchor.x + vx / n * d, anchor.y + vy / n * d
    if licence_type == "reconnaissance":
        minx, miny, maxx, maxy = country.bounds
        return rng.uniform(minx, maxx), rng.uniform(miny, maxy)
    d = rng.choice(profile.districts[:4] if rng.random() < 0.8 else profile.districts)
    r = rng.gauss(0, d.radius_km / 2) / 111.0
    a = rng.uniform(0, 2 * math.pi)
    return d.lon + r * math.cos(a), d.lat + r * math.sin(a)


def _days_back(rng: random.Random, status: str, term_days: int, days_back: float) -> float:
    """How long ago the application was received, for a licence that ends in ``status``."""
    if status in ("granted", "suspended"):
        # a right still in force was granted within its term
        return rng.uniform(40, max(60, term_days - 30))
    if status == "expired":
        return term_days + rng.uniform(60, 600)
    if status == "application":
        return rng.uniform(2, 150)
    return days_back


def _decision_days(rng: random.Random, status: str, back: float, term_days: int) -> float:
    """Days from receipt to decision (10-85), never ending after today; an expired licence's
    whole term (with leap days to spare) ends before today too."""
    room = back - term_days - 15 if status == "expired" else back - 1
    return rng.uniform(10, max(10, min(85, room)))


def _register_one(
    session: Session,
    profile: Profile,
    rng: random.Random,
    holders: dict[str, list[int]],
    job: tuple,
    days_back: float,
    now: datetime,
    walker: DemoWalker,
) -> None:
    """Apply for one placed area and carry the licence to a status of the mix."""
    licence_type, geom, commodities, centre = job
    spec = profile.licence_type(licence_type)
    status = _status_for(rng)
    term_days = spec.term_years * 365
    back = _days_back(rng, status, term_days, days_back)
    received = now - timedelta(days=back)
    kind = rng.choice(spec.holder_kinds)
    holder_id = rng.choice(holders[kind])
    chosen = sorted(set(rng.sample(commodities, k=rng.choice([1, 1, 2]))))
    lic = register_application(
        session,
        profile,
        holder_id=holder_id,
        licence_type=licence_type,
        commodities=chosen,
        geometry=geom,
        actor=rng.choice(ACTORS[:2]),
        received_at=received,
        district=_nearest_district(profile, centre),
    )
    decided = received + timedelta(days=_decision_days(rng, status, back, term_days))
    _decide(session, profile, rng, lic, status, decided, now, walker)


#: status -> (action, reason) for what happens to a granted licence later
_AFTER_GRANT = {
    "suspended": ("suspend", "Annual report overdue"),
    "revoked": ("revoke", "Mining outside the licence area"),
    "relinquished": ("relinquish", "Holder relinquished the area"),
}


def _decide(
    session: Session,
    profile: Profile,
    rng: random.Random,
    lic: Licence,
    status: str,
    decided: datetime,
    now: datetime,
    walker: DemoWalker,
) -> None:
    """The stages and actions that bring an application to ``status``, dated ``decided``
    and after: a pending one is left waiting at a stage of its procedure, a refused one is
    refused at the stage its procedure allows it, a granted one has walked every stage."""
    if status == "application":
        walker.leave_pending(session, lic, now)
        return
    if status == "withdrawn":
        perform_action(session, profile, lic.id, "withdraw", actor=ACTORS[0], at=decided,
                       reason="Withdrawn by the applicant")  # fmt: skip
        return
    if status == "refused":
        stop, reason = walker.refusal(lic)
        walker.walk_to(session, lic, stop, decided)
        perform_action(session, profile, lic.id, "refuse", actor=ACTORS[2], at=decided,
                       reason=reason)  # fmt: skip
        return
    lic = walker.decide(session, lic, decided)
    sup = ACTORS[2]
    later = decided + timedelta(days=rng.uniform(20, 200))
    if status in _AFTER_GRANT:
        action, reason = _AFTER_GRANT[status]
        at = min(later, now)
        if action in ("suspend", "revoke"):
            # the law: a notice first, and the action once its remedy period ran out
            remedy = timedelta(days=profile.notices.remedy_days + 1)
            at = min(max(later, decided + remedy + timedelta(days=1)), now)
            issue_notice(session, profile, lic.id, actor=sup, breach=reason, at=at - remedy)
        perform_action(session, profile, lic.id, action, actor=sup, at=at, reason=reason)
    elif status == "expired":
        when = datetime.combine(lic.expires_at, datetime.min.time(), tzinfo=UTC)
        perform_action(
            session,
            profile,
            lic.id,
            "expire",
            actor="system",
            at=when,
            reason="Term ended without renewal",
        )


def _area_ok(geom: BaseGeometry, max_ha: float) -> bool:
    from cadastre.services.licences import geodesic_area_ha

    return geodesic_area_ha(geom) <= max_ha * 0.98


def _nearest_district(profile: Profile, p: Point) -> str | None:
    if not profile.districts:
        return None
    best = min(profile.districts, key=lambda d: (d.lon - p.x) ** 2 + (d.lat - p.y) ** 2)
    return best.name


def demo_loaded(session: Session) -> int:
    """How many licences the register holds (demo loading runs only into an empty one)."""
    return session.scalar(select(func.count()).select_from(Licence)) or 0
