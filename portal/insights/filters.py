"""The dashboard's filters, read from the URL (so a view can be shared) and checked."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from werkzeug.datastructures import MultiDict

from portal.accounts.models import Plan
from portal.clock import utcnow
from portal.extensions import db
from portal.taxonomy.models import ProductArea

PERIODS = {"7": "Last 7 days", "30": "Last 30 days", "90": "Last 90 days", "custom": "Custom"}
DEFAULT_PERIOD = "30"
MAX_DAYS = 3 * 366
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)


@dataclass
class InsightsFilters:
    since: date  # first day included
    until: date  # last day included
    period: str = DEFAULT_PERIOD
    area: ProductArea | None = None
    plan: Plan | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min)

    @property
    def end(self) -> datetime:
        """Exclusive upper bound: midnight after the last day."""
        return datetime.combine(self.until + timedelta(days=1), time.min)

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def previous(self) -> "InsightsFilters":
        """The period of the same length just before this one (for "change against")."""
        length = timedelta(days=self.days)
        return InsightsFilters(
            since=self.since - length,
            until=self.until - length,
            period=self.period,
            area=self.area,
            plan=self.plan,
        )

    def cache_key(self) -> tuple:
        return (self.since, self.until, self.area and self.area.id, self.plan and self.plan.id)

    def query_args(self, **overrides) -> dict:
        args = {"period": self.period}
        if self.period == "custom":
            args.update(since=self.since.isoformat(), until=self.until.isoformat())
        if self.area:
            args["area"] = self.area.slug
        if self.plan:
            args["plan"] = self.plan.slug
        args.update(overrides)
        return args

    def fixed_args(self) -> dict:
        """`query_args` with the period as its dates: a report link shows these same days
        whenever it is opened."""
        return self.query_args(
            period="custom", since=self.since.isoformat(), until=self.until.isoformat()
        )

    def scope(self) -> list[str]:
        """The filters besides the dates, in words ("Mobile app", "Enterprise plan")."""
        named = []
        if self.area:
            named.append(self.area.name)
        if self.plan:
            named.append(f"{self.plan.name} plan")
        return named

    def slugs(self) -> list[str]:
        return [item.slug for item in (self.area, self.plan) if item]


def _parse_day(value: str, label: str, errors: dict, key: str) -> date | None:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        errors[key] = f"{label} must be a date like 2026-01-31."
        return None
    # Periods reach a day and a period's length past their ends, which must stay valid dates.
    if not FIRST_DAY <= day <= LAST_DAY:
        errors[key] = f"{label} must be a date from {FIRST_DAY.year} to {LAST_DAY.year}."
        return None
    return day


def parse_filters(args: MultiDict, today: date | None = None) -> InsightsFilters:
    """Filters from query arguments; problems are collected in `.errors` (and defaults used)."""
    today = today or utcnow().date()
    errors: dict[str, str] = {}
    period = args.get("period") or (
        "custom" if args.get("since") or args.get("until") else DEFAULT_PERIOD
    )
    if period not in PERIODS:
        errors["period"] = "Choose one of the listed periods."
        period = DEFAULT_PERIOD
    since = until = None
    if period == "custom":
        since = _parse_day(args.get("since", ""), "The start", errors, "since")
        until = _parse_day(args.get("until", ""), "The end", errors, "until") or today
        if since and until and until < since:
            errors["until"] = "The end date is before the start date."
            since = None
        if since and until and (until - since).days > MAX_DAYS:
            errors["since"] = "Choose a period of at most three years."
            since = None
    if not since or not until or period != "custom":
        days = int(period) if period != "custom" else int(DEFAULT_PERIOD)
        until = today
        since = today - timedelta(days=days - 1)
    filters = InsightsFilters(since=since, until=until, period=period, errors=errors)
    if slug := args.get("area"):
        filters.area = db.session.execute(
            db.select(ProductArea).where(ProductArea.slug == slug[:80])
        ).scalar_one_or_none()
        if filters.area is None:
            errors["area"] = f"There is no product area “{slug[:80]}”; showing all areas."
    if slug := args.get("plan"):
        filters.plan = db.session.execute(
            db.select(Plan).where(Plan.slug == slug[:60])
        ).scalar_one_or_none()
        if filters.plan is None:
            errors["plan"] = f"There is no plan “{slug[:60]}”; showing all plans."
    return filters
