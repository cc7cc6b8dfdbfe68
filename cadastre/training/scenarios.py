"""Training scenarios as data: load ``fixtures/training/*.yaml`` and check them before use.

A scenario holds a briefing, accounts (a trainer and trainees), a starting register (holders,
licences with their history as days before the scenario's start) and tasks whose expected
outcome is data the checker can test against the register. Licences and task areas marked
``per_trainee`` are copied once for each trainee, shifted by ``per_trainee_offset_m``, so
trainees working side by side never act on the same licence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from shapely.affinity import translate
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from cadastre.config import ROOT
from cadastre.domain.fees import ORDER_KINDS
from cadastre.domain.lifecycle import TRANSITIONS
from cadastre.domain.roles import ROLES, role_allows
from cadastre.errors import ConfigurationError
from cadastre.profile import Profile

SCENARIO_DIR = ROOT / "fixtures" / "training"
METRES_PER_DEGREE = 111_320.0

#: Check kinds, the fields each requires and the ones it may carry.
CHECK_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "application_registered": (
        {"licence_type"},
        {
            "holder",
            "district",
            "max_area_ha",
            "commodities",
            "statuses",
            "matches_area",
            "tolerance",
            "within_area",
            "disjoint_from",
            "min_share_of_free",
            "near_border",
        },
    ),
    "licence_action": (
        {"action"},
        {"licence", "of_task", "status", "holder", "max_area_ha", "within_original", "by"},
    ),
    "answer": ({"expected"}, {"question", "choices", "district", "area", "of_task", "value"}),
    # money: an order to pay issued on a licence, and a bank receipt Finance recorded for it
    "order_to_pay": (set(), {"licence", "of_task", "order_kind", "by"}),
    "payment_recorded": (set(), {"licence", "of_task", "order_kind"}),
    # the procedure: a stage of the licence's procedure completed (by the trainee, or by a
    # user whose role has the powers of ``by_role``: the trainer as supervisor, Finance)
    "stage_completed": ({"stage"}, {"licence", "of_task", "by_role"}),
}
#: Check kinds that are about one licence (named, or found by an earlier task).
ON_A_LICENCE = ("licence_action", "order_to_pay", "payment_recorded", "stage_completed")
ANSWER_KINDS = ("blocking_codes", "expired_codes", "border_tier", "area_ha", "choice")
#: Who takes a ``licence_action``: the trainee, or a supervisor (the trainer) on their file.
ACTION_BY = ("trainee", "supervisor")


@dataclass(frozen=True)
class Account:
    """A sign-in that exists only in the training database."""

    username: str
    password: str
    role: str
    trainee: bool


@dataclass(frozen=True)
class HistoryStep:
    """One lifecycle action in a starting licence's past."""

    action: str
    days_ago: float
    reason: str | None = None
    holder: str | None = None
    geometry: BaseGeometry | None = None


@dataclass(frozen=True)
class LicenceSpec:
    """A licence of the starting register."""

    key: str
    licence_type: str
    holder: str
    commodities: tuple[str, ...]
    district: str | None
    geometry: BaseGeometry
    received_days_ago: float
    history: tuple[HistoryStep, ...]
    per_trainee: bool
    #: An application walked up to (not including) this stage of its procedure; None: left
    #: where it was received (or as its history took it).
    stage: str | None = None


@dataclass(frozen=True)
class TaskArea:
    """Ground a task is about (a warden's plot, a requested block), shown as corners."""

    key: str
    name: str
    geometry: BaseGeometry
    per_trainee: bool


@dataclass(frozen=True)
class Task:
    """A task and its expected outcome, as data."""

    key: str
    title: str
    instructions: str
    check: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    """One training scenario, validated."""

    name: str
    path: str
    title: str
    briefing: str
    accounts: tuple[Account, ...]
    holders: dict[str, dict[str, Any]]
    licences: tuple[LicenceSpec, ...]
    areas: tuple[TaskArea, ...]
    tasks: tuple[Task, ...]
    offset_m: tuple[float, float] = (0.0, 0.0)
    district: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def trainees(self) -> list[Account]:
        """The trainee accounts, in file order."""
        return [a for a in self.accounts if a.trainee]

    def copies(self, per_trainee: bool) -> list[str | None]:
        """The trainees that get a copy (``[None]`` for a shared item)."""
        return [t.username for t in self.trainees] if per_trainee else [None]

    def shifted(self, geom: BaseGeometry, trainee: str | None) -> BaseGeometry:
        """A per-trainee copy's ground: the original moved by the trainee's offset."""
        if trainee is None:
            return geom
        index = [t.username for t in self.trainees].index(trainee)
        dx, dy = self.offset_m
        lat = geom.centroid.y
        return translate(
            geom,
            xoff=index * dx / (METRES_PER_DEGREE * math.cos(math.radians(lat))),
            yoff=index * dy / METRES_PER_DEGREE,
        )

    def area(self, key: str, trainee: str | None) -> BaseGeometry:
        """A task area's ground as the given trainee sees it."""
        spec = next(a for a in self.areas if a.key == key)
        return self.shifted(spec.geometry, trainee if spec.per_trainee else None)

    def task(self, key: str) -> Task:
        """The task called ``key``."""
        return next(t for t in self.tasks if t.key == key)

    def bbox(self, margin_m: float = 2000.0) -> tuple[float, float, float, float]:
        """Bounds (lon/lat) of every licence and task area with all copies, plus a margin."""
        geoms = [
            self.shifted(item.geometry, t)
            for item in (*self.licences, *self.areas)
            for t in self.copies(item.per_trainee)
        ]
        minx = min(g.bounds[0] for g in geoms)
        miny = min(g.bounds[1] for g in geoms)
        maxx = max(g.bounds[2] for g in geoms)
        maxy = max(g.bounds[3] for g in geoms)
        d = margin_m / METRES_PER_DEGREE
        return (minx - d, miny - d, maxx + d, maxy + d)


def scenario_names(directory: Path = SCENARIO_DIR) -> list[str]:
    """Names of the scenarios shipped (file names without ``.yaml``)."""
    return sorted(p.stem for p in directory.glob("*.yaml"))


def load_all(profile: Profile, directory: Path = SCENARIO_DIR) -> list[Scenario]:
    """Every scenario in the directory, validated."""
    return [load_scenario(n, profile, directory) for n in scenario_names(directory)]


def load_scenario(name: str, profile: Profile, directory: Path = SCENARIO_DIR) -> Scenario:
    """Load and validate the scenario called ``name``; ConfigurationError names any fault."""
    path = directory / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(scenario_names(directory)) or "none"
        raise ConfigurationError(f"There is no training scenario '{name}'. Scenarios: {known}.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"Scenario {path}: not valid YAML: {exc}") from exc
    return _Reader(str(path), profile).scenario(name, data)


def rect(lon: float, lat: float, width_m: float, height_m: float) -> Polygon:
    """A rectangle of the given size in metres centred on a point."""
    dlat = height_m / METRES_PER_DEGREE / 2
    dlon = width_m / (METRES_PER_DEGREE * math.cos(math.radians(lat))) / 2
    return box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


class _Reader:
    """Reads one scenario file, naming file and key on every fault."""

    def __init__(self, path: str, profile: Profile) -> None:
        self.path, self.profile = path, profile
        self.tasks_so_far: dict[str, Task] = {}

    def fail(self, key: str, problem: str) -> ConfigurationError:
        return ConfigurationError(f"Scenario {self.path}: '{key}': {problem}")

    def need(self, data: dict, key: str, where: str, kind: type | tuple = str) -> Any:
        if not isinstance(data, dict) or key not in data:
            raise self.fail(f"{where}.{key}" if where else key, "is required")
        value = data[key]
        if not isinstance(value, kind):
            raise self.fail(f"{where}.{key}" if where else key, "has the wrong type")
        return value

    def geometry(self, data: dict, where: str) -> BaseGeometry:
        if "rect" in data:
            r = data["rect"]
            try:
                return rect(
                    float(r["lon"]), float(r["lat"]), float(r["width_m"]), float(r["height_m"])
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise self.fail(f"{where}.rect", "needs lon, lat, width_m, height_m") from exc
        if "corners" in data:
            try:
                poly = Polygon([(float(x), float(y)) for x, y in data["corners"]])
            except (TypeError, ValueError) as exc:
                raise self.fail(f"{where}.corners", "must be [lon, lat] pairs") from exc
            if not poly.is_valid or poly.area == 0:
                raise self.fail(f"{where}.corners", "do not make a valid polygon")
            return poly
        raise self.fail(where, "needs 'rect' or 'corners'")

    def scenario(self, name: str, data: Any) -> Scenario:
        if not isinstance(data, dict):
            raise self.fail("", "the file must hold a mapping")
        accounts = tuple(
            self.account(a, f"accounts[{i}]")
            for i, a in enumerate(self.need(data, "accounts", "", list))
        )
        if not any(a.trainee for a in accounts):
            raise self.fail("accounts", "needs at least one trainee")
        if len({a.username for a in accounts}) != len(accounts):
            raise self.fail("accounts", "usernames repeat")
        holders = {}
        for i, h in enumerate(self.need(data, "holders", "", list)):
            key = self.need(h, "key", f"holders[{i}]")
            holders[key] = {k: v for k, v in h.items() if k != "key"}
        licences = tuple(
            self.licence(lic, f"licences[{i}]", holders)
            for i, lic in enumerate(data.get("licences") or [])
        )
        areas = tuple(
            TaskArea(
                self.need(a, "key", f"task_areas[{i}]"),
                self.need(a, "name", f"task_areas[{i}]"),
                self.geometry(a, f"task_areas[{i}]"),
                bool(a.get("per_trainee", False)),
            )
            for i, a in enumerate(data.get("task_areas") or [])
        )
        offset = data.get("per_trainee_offset_m", [0, 0])
        scenario = Scenario(
            name=name,
            path=self.path,
            title=self.need(data, "title", ""),
            briefing=self.need(data, "briefing", "").strip(),
            accounts=accounts,
            holders=holders,
            licences=licences,
            areas=areas,
            tasks=(),
            offset_m=(float(offset[0]), float(offset[1])),
            district=data.get("district"),
        )
        tasks = tuple(
            self.task(t, f"tasks[{i}]", scenario)
            for i, t in enumerate(self.need(data, "tasks", "", list))
        )
        if not tasks:
            raise self.fail("tasks", "needs at least one task")
        self.unique([lic.key for lic in licences], "licences")
        self.unique([a.key for a in areas], "task_areas")
        self.unique([t.key for t in tasks], "tasks")
        return Scenario(**{**scenario.__dict__, "tasks": tasks})

    def unique(self, keys: list[str], where: str) -> None:
        if len(set(keys)) != len(keys):
            raise self.fail(where, "keys repeat")

    def account(self, a: dict, where: str) -> Account:
        role = self.need(a, "role", where)
        if role not in ROLES:
            raise self.fail(f"{where}.role", f"must be one of {', '.join(ROLES)}")
        password = str(self.need(a, "password", where, (str, int)))
        if len(password) < 8:
            raise self.fail(f"{where}.password", "needs at least 8 characters")
        return Account(
            self.need(a, "username", where), password, role, bool(a.get("trainee", True))
        )

    def licence(self, lic: dict, where: str, holders: dict) -> LicenceSpec:
        licence_type = self.need(lic, "type", where)
        if licence_type not in self.profile.licence_types:
            raise self.fail(f"{where}.type", f"'{licence_type}' is not a licence type")
        holder = self.need(lic, "holder", where)
        if holder not in holders:
            raise self.fail(f"{where}.holder", f"no holder with key '{holder}'")
        commodities = tuple(self.need(lic, "commodities", where, list))
        for c in commodities:
            if c not in self.profile.commodities:
                raise self.fail(f"{where}.commodities", f"'{c}' is not a commodity")
        received = float(self.need(lic, "received_days_ago", where, (int, float)))
        history = []
        for j, step in enumerate(lic.get("history") or []):
            w = f"{where}.history[{j}]"
            action = self.need(step, "action", w)
            if action not in TRANSITIONS:
                raise self.fail(f"{w}.action", f"'{action}' is not a licence action")
            days = float(self.need(step, "days_ago", w, (int, float)))
            if days < 1 or days > received:
                raise self.fail(f"{w}.days_ago", "must be at least 1 and after the application")
            if step.get("holder") is not None and step["holder"] not in holders:
                raise self.fail(f"{w}.holder", f"no holder with key '{step['holder']}'")
            geom = self.geometry(step, w) if ("rect" in step or "corners" in step) else None
            history.append(HistoryStep(action, days, step.get("reason"), step.get("holder"), geom))
        if received < 1:
            raise self.fail(f"{where}.received_days_ago", "must be at least 1")
        stage = self.start_stage(lic, where, licence_type, history)
        return LicenceSpec(
            key=self.need(lic, "key", where),
            licence_type=licence_type,
            holder=holder,
            commodities=commodities,
            district=lic.get("district"),
            geometry=self.geometry(lic, where),
            received_days_ago=received,
            history=tuple(history),
            per_trainee=bool(lic.get("per_trainee", False)),
            stage=stage,
        )

    def start_stage(
        self, lic: dict, where: str, licence_type: str, history: list[HistoryStep]
    ) -> str | None:
        """The ``stage:`` a starting application waits at: a stage of its type's procedure,
        on an application the scenario's history leaves undecided."""
        if lic.get("stage") is None:
            return None
        stage = lic["stage"]
        names = self.stage_names(licence_type)
        if not names:
            raise self.fail(f"{where}.stage", f"the {licence_type} licence has no staged procedure")
        if stage not in names:
            raise self.fail(
                f"{where}.stage",
                f"'{stage}' is not a stage of the {licence_type} procedure ({', '.join(names)})",
            )
        if history:
            raise self.fail(
                f"{where}.stage",
                "places an application at a stage: it takes no 'history' (remove one of them)",
            )
        return stage

    def stage_names(self, licence_type: str) -> list[str]:
        """The stages of a licence type's procedure in the profile (none: no procedure)."""
        procedure = self.profile.procedure(licence_type)
        return [st.name for st in procedure.stages] if procedure else []

    def action_allowed(self, check: dict, where: str, scenario: Scenario) -> None:
        """The law's roles hold in training too: a trainee takes only actions their role may,
        and never decides on an application they recorded themselves."""
        by = check.get("by", "trainee")
        if by not in ACTION_BY:
            raise self.fail(f"{where}.check.by", f"must be one of {', '.join(ACTION_BY)}")
        action = check["action"]
        if action not in TRANSITIONS or TRANSITIONS[action].role == "system":
            raise self.fail(f"{where}.check.action", f"'{action}' is not an action a user takes")
        if by != "trainee":
            return
        needed = TRANSITIONS[action].role
        for account in scenario.trainees:
            if not role_allows(account.role, needed):
                raise self.fail(
                    f"{where}.check.action",
                    f"{account.username} is '{account.role}' and may not {action} "
                    f"(it needs '{needed}'); set 'by: supervisor' for the trainer to do it",
                )
        earlier = self.tasks_so_far.get(check.get("of_task", ""))
        deciding = needed not in ("viewer", "officer")
        if deciding and earlier is not None and earlier.check["kind"] == "application_registered":
            raise self.fail(
                f"{where}.check.by",
                f"a trainee would {action} the application they recorded themselves; "
                "set 'by: supervisor' for the trainer to decide on it",
            )

    def licence_type_of(self, check: dict, scenario: Scenario) -> str | None:
        """The type of the licence a check is about: a starting licence's, or the one an
        earlier task recorded or acted on."""
        if "licence" in check:
            return next(
                lic.licence_type for lic in scenario.licences if lic.key == check["licence"]
            )
        earlier = self.tasks_so_far.get(check.get("of_task", ""))
        if earlier is None:
            return None
        if earlier.check["kind"] == "application_registered":
            return earlier.check["licence_type"]
        return self.licence_type_of(earlier.check, scenario)

    def stage_allowed(self, check: dict, where: str, scenario: Scenario) -> None:
        """A ``stage_completed`` check names a stage of the licence's procedure, completed by
        a role the stage allows: the trainees' own, or ``by_role`` (an account must hold it);
        a trainee never takes the decision on an application they recorded themselves."""
        licence_type = self.licence_type_of(check, scenario)
        names = self.stage_names(licence_type) if licence_type else []
        if not names:
            raise self.fail(f"{where}.check.stage", f"the {licence_type} licence has no procedure")
        if check["stage"] not in names:
            raise self.fail(
                f"{where}.check.stage",
                f"'{check['stage']}' is not a stage of the {licence_type} procedure "
                f"({', '.join(names)})",
            )
        stage = self.profile.procedure(licence_type).stage(check["stage"])
        by_role = check.get("by_role")
        if by_role is not None:
            if by_role not in ROLES:
                raise self.fail(f"{where}.check.by_role", f"must be one of {', '.join(ROLES)}")
            if not role_allows(by_role, stage.roles):
                raise self.fail(
                    f"{where}.check.by_role",
                    f"'{by_role}' may not complete the stage '{stage.name}' "
                    f"(it needs {' or '.join(stage.roles)})",
                )
            if not any(role_allows(a.role, by_role) for a in scenario.accounts):
                raise self.fail(
                    f"{where}.check.by_role",
                    f"no account of the scenario has the '{by_role}' role: add one",
                )
            return
        for account in scenario.trainees:
            if not role_allows(account.role, stage.roles):
                raise self.fail(
                    f"{where}.check.stage",
                    f"{account.username} is '{account.role}' and may not complete the stage "
                    f"'{stage.name}' (it needs {' or '.join(stage.roles)}); set 'by_role' for "
                    "the trainer or another account to do it",
                )
        earlier = self.tasks_so_far.get(check.get("of_task", ""))
        recorded = earlier is not None and earlier.check["kind"] == "application_registered"
        deciding = stage.action is not None and not set(stage.roles) & {"viewer", "officer"}
        if deciding and recorded:
            raise self.fail(
                f"{where}.check.by_role",
                f"a trainee would decide ({stage.name}) on the application they recorded "
                "themselves; set 'by_role: supervisor' for the trainer to decide on it",
            )

    def task(self, t: dict, where: str, scenario: Scenario) -> Task:
        check = self.need(t, "check", where, dict)
        kind = self.need(check, "kind", f"{where}.check")
        if kind not in CHECK_FIELDS:
            raise self.fail(f"{where}.check.kind", f"must be one of {', '.join(CHECK_FIELDS)}")
        required, optional = CHECK_FIELDS[kind]
        for key in required - set(check):
            raise self.fail(f"{where}.check.{key}", "is required")
        for key in set(check) - required - optional - {"kind"}:
            raise self.fail(f"{where}.check.{key}", f"is not used by '{kind}'")
        licence_keys = {lic.key for lic in scenario.licences}
        area_keys = {a.key for a in scenario.areas}
        for key in ("licence", "disjoint_from"):
            if key in check and check[key] not in licence_keys:
                raise self.fail(f"{where}.check.{key}", f"no licence with key '{check[key]}'")
        for key in ("matches_area", "within_area", "area"):
            if key in check and check[key] not in area_keys:
                raise self.fail(f"{where}.check.{key}", f"no task area with key '{check[key]}'")
        if "holder" in check and check["holder"] not in scenario.holders:
            raise self.fail(f"{where}.check.holder", f"no holder with key '{check['holder']}'")
        if kind in ON_A_LICENCE and not ("licence" in check or "of_task" in check):
            raise self.fail(f"{where}.check", "names 'licence' or 'of_task'")
        if "of_task" in check and check["of_task"] not in self.tasks_so_far:
            raise self.fail(f"{where}.check.of_task", f"no earlier task '{check['of_task']}'")
        if kind == "licence_action":
            self.action_allowed(check, where, scenario)
        if kind == "stage_completed":
            self.stage_allowed(check, where, scenario)
        if check.get("order_kind", ORDER_KINDS[0]) not in ORDER_KINDS:
            raise self.fail(f"{where}.check.order_kind", f"must be one of {', '.join(ORDER_KINDS)}")
        if kind == "order_to_pay":
            self.action_allowed({**check, "action": "approve"}, where, scenario)
        if kind == "payment_recorded" and not any(a.role == "finance" for a in scenario.accounts):
            raise self.fail(
                f"{where}.check.kind",
                "only the 'finance' role records payments: the scenario's accounts need one",
            )
        if kind == "answer" and check["expected"] not in ANSWER_KINDS:
            raise self.fail(f"{where}.check.expected", f"must be one of {', '.join(ANSWER_KINDS)}")
        task = Task(
            self.need(t, "key", where),
            self.need(t, "title", where),
            str(t.get("instructions", "")).strip(),
            dict(check),
        )
        self.tasks_so_far[task.key] = task
        return task
