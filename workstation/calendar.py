"""The working-day calendar (工作日历): public holidays and weekend make-up days (调休).

Deadlines are counted in working days on the official Chinese calendar. The
``chinesecalendar`` package supplies the years it knows; an administrator loads a city
overrides file when the State Council publishes a new year (or to correct a day). A date
beyond all known data falls back to Monday-Friday and says so through :meth:`source`:
the calendar never raises for an unknown year, because a hotline cannot stop taking orders
in January while waiting for a package release.

Overrides file format (JSON; TOML with the same shape is accepted for ``.toml`` files)::

    {
      "note": "optional free text",
      "2027": {
        "note": "国办发明电〔2026〕N号 (optional)",
        "holidays": ["2027-01-01", "2027-02-06", ...],
        "workdays": ["2027-02-14", ...]
      }
    }

Each year key declares that year's official data: listed ``holidays`` are days off, listed
``workdays`` are make-up working days on a weekend, every other day follows Monday-Friday
(or ``chinesecalendar``'s answer where the package also knows the year). Dates must belong
to the year they are listed under.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from workstation.errors import ValidationError

Source = Literal["override", "chinesecalendar", "fallback"]

#: When several days are involved, the least certain source is the one to report.
SOURCE_RANK: dict[str, int] = {"chinesecalendar": 0, "override": 1, "fallback": 2}

_YEAR_KEY = re.compile(r"^\d{4}$")
_YEAR_FIELDS = {"holidays", "workdays", "note"}
_log = logging.getLogger(__name__)


class WorkingCalendar:
    """Answers "is this a working day?" and counts working days, with per-day caching."""

    def __init__(self, use_chinesecalendar: bool = True) -> None:
        self._use_package = use_chinesecalendar
        self._override_days: dict[date, bool] = {}
        self._override_years: set[int] = set()
        self._override_files: list[Path] = []
        self._cache: dict[date, tuple[bool, Source]] = {}
        self._prefix_cache: dict[int, list[int]] = {}
        self._package_years: tuple[int, int] | None = None
        self._warned_years: set[int] = set()

    @classmethod
    def default(cls, overrides: str | Path | None = None) -> WorkingCalendar:
        """The calendar the product uses: ``chinesecalendar`` plus an optional overrides file."""
        calendar = cls()
        if overrides is not None:
            calendar.load_overrides(overrides)
        return calendar

    # -- data ---------------------------------------------------------------------------

    def load_overrides(self, path: str | Path) -> None:
        """Add an overrides file; later files win over earlier ones for the same date."""
        path = Path(path)
        data = read_overrides(path)
        for year, (holidays, workdays) in data.items():
            self._override_years.add(year)
            for day in holidays:
                self._override_days[day] = False
            for day in workdays:
                self._override_days[day] = True
        self._override_files.append(path)
        self._cache.clear()
        self._prefix_cache.clear()

    @property
    def override_files(self) -> list[Path]:
        return list(self._override_files)

    @property
    def override_years(self) -> set[int]:
        return set(self._override_years)

    def package_years(self) -> tuple[int, int] | None:
        """The (first, last) year ``chinesecalendar`` covers, or None if it is unavailable."""
        if not self._use_package:
            return None
        if self._package_years is None:
            try:
                from chinese_calendar import constants
            except ImportError:  # pragma: no cover - it is a declared dependency
                self._use_package = False
                return None
            self._package_years = (
                min(d.year for d in constants.holidays),
                max(d.year for d in constants.holidays),
            )
        return self._package_years

    def has_official_data(self, year: int) -> bool:
        """Whether ``year`` is known from the overrides file or from ``chinesecalendar``."""
        return year in self._override_years or self._package_has(year)

    def official_source(self, year: int) -> Source:
        """Where ``year``'s data comes from ("fallback" when nobody knows it)."""
        if year in self._override_years:
            return "override"
        if self._package_has(year):
            return "chinesecalendar"
        return "fallback"

    def _package_has(self, year: int) -> bool:
        years = self.package_years()
        return years is not None and years[0] <= year <= years[1]

    # -- days ---------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        return self._lookup(d)[0]

    def source(self, d: date) -> Source:
        """ "override", "chinesecalendar" or "fallback" (Monday-Friday, no official data)."""
        return self._lookup(d)[1]

    def _lookup(self, d: date) -> tuple[bool, Source]:
        cached = self._cache.get(d)
        if cached is not None:
            return cached
        answer = self._compute(d)
        self._cache[d] = answer
        return answer

    def _compute(self, d: date) -> tuple[bool, Source]:
        listed = self._override_days.get(d)
        if listed is not None:
            return listed, "override"
        if self._package_has(d.year):
            import chinese_calendar

            try:
                return bool(chinese_calendar.is_workday(d)), "chinesecalendar"
            except NotImplementedError:  # pragma: no cover - range checked above
                pass
        weekday = d.weekday() < 5
        if d.year in self._override_years:
            return weekday, "override"
        if d.year not in self._warned_years:
            self._warned_years.add(d.year)
            _log.info("no official calendar for %s; counting Monday-Friday", d.year)
        return weekday, "fallback"

    # -- arithmetic ---------------------------------------------------------------------

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself never counts)."""
        if n < 0:
            raise ValidationError(
                "working_days",
                f"工作日数不能为负：{n}",
                f"the number of working days cannot be negative: {n}",
            )
        day = start
        remaining = n
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days ``d`` satisfy ``start < d <= end`` (0 if ``end <= start``)."""
        if end <= start:
            return 0
        if start.year == end.year:
            prefix = self._year_prefix(start.year)
            return prefix[end.timetuple().tm_yday] - prefix[start.timetuple().tm_yday]
        count = (
            self._year_prefix(start.year)[-1]
            - self._year_prefix(start.year)[start.timetuple().tm_yday]
        )
        for year in range(start.year + 1, end.year):
            count += self._year_prefix(year)[-1]
        return count + self._year_prefix(end.year)[end.timetuple().tm_yday]

    def _year_prefix(self, year: int) -> list[int]:
        """``prefix[k]``: working days among the first ``k`` days of ``year`` (cached)."""
        prefix = self._prefix_cache.get(year)
        if prefix is None:
            prefix = [0]
            day = date(year, 1, 1)
            while day.year == year:
                prefix.append(prefix[-1] + self.is_working_day(day))
                day += timedelta(days=1)
            self._prefix_cache[year] = prefix
        return prefix

    def span_source(self, start: date, end: date) -> Source:
        """The least certain source over the days ``start < d <= end``.

        A deadline is only as reliable as the weakest day counted to reach it, so a span that
        touches a fallback year reports "fallback".
        """
        if end <= start:
            return self.source(start)
        worst: Source = "chinesecalendar"
        day = start
        while day < end:
            day += timedelta(days=1)
            src = self.source(day)
            if SOURCE_RANK[src] > SOURCE_RANK[worst]:
                worst = src
        return worst


# -- the overrides file ---------------------------------------------------------------------


def read_overrides(path: Path) -> dict[int, tuple[list[date], list[date]]]:
    """Parse and check an overrides file: ``{year: (holidays, workdays)}``.

    Raises ValidationError naming the file, the year and (where it can be found) the line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ValidationError(
            "calendar_overrides",
            f"找不到日历文件：{path}",
            f"calendar overrides file not found: {path}",
            path=str(path),
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(
            "calendar_overrides",
            f"无法读取日历文件 {path}：{exc}",
            f"cannot read calendar overrides file {path}: {exc}",
            path=str(path),
        ) from exc
    raw = _decode(path, text)
    return _check(path, text, raw)


def _decode(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = _toml_line(str(exc))
            raise _file_error(
                path, line, None, f"TOML 语法错误：{exc}", f"TOML syntax error: {exc}"
            ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _file_error(
            path, exc.lineno, None, f"JSON 语法错误：{exc.msg}", f"JSON syntax error: {exc.msg}"
        ) from exc


def _toml_line(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else None


def _check(path: Path, text: str, raw: Any) -> dict[int, tuple[list[date], list[date]]]:
    if not isinstance(raw, dict):
        raise _file_error(
            path,
            1,
            None,
            "顶层应为以年份为键的对象",
            "the top level must be an object keyed by year",
        )
    result: dict[int, tuple[list[date], list[date]]] = {}
    for key, entry in raw.items():
        if key == "note":
            continue
        if not _YEAR_KEY.match(str(key)):
            raise _file_error(
                path,
                _line_of(text, str(key)),
                None,
                f"键 {key!r} 不是四位年份",
                f"key {key!r} is not a four-digit year",
            )
        year = int(key)
        line = _line_of(text, str(key))
        if not isinstance(entry, dict):
            raise _file_error(
                path,
                line,
                year,
                "应为包含 holidays 和 workdays 的对象",
                "expected an object with holidays and workdays",
            )
        unknown = sorted(set(entry) - _YEAR_FIELDS)
        if unknown:
            raise _file_error(
                path,
                _line_of(text, unknown[0]),
                year,
                f"未知字段：{', '.join(unknown)}（只允许 holidays、workdays、note）",
                f"unknown field(s): {', '.join(unknown)} (allowed: holidays, workdays, note)",
            )
        holidays = _dates(path, text, year, "holidays", entry.get("holidays", []))
        workdays = _dates(path, text, year, "workdays", entry.get("workdays", []))
        both = sorted(set(holidays) & set(workdays))
        if both:
            iso = both[0].isoformat()
            raise _file_error(
                path,
                _line_of(text, iso),
                year,
                f"{iso} 同时列为假日和工作日",
                f"{iso} is listed both as a holiday and as a working day",
            )
        result[year] = (holidays, workdays)
    return result


def _dates(path: Path, text: str, year: int, field: str, values: Any) -> list[date]:
    if not isinstance(values, list):
        raise _file_error(
            path,
            _line_of(text, field),
            year,
            f"{field} 应为日期列表",
            f"{field} must be a list of dates",
        )
    days: list[date] = []
    for value in values:
        if isinstance(value, date):  # TOML has native dates
            day = value
        else:
            try:
                day = date.fromisoformat(str(value))
            except ValueError:
                raise _file_error(
                    path,
                    _line_of(text, str(value)),
                    year,
                    f"{field} 中的 {value!r} 不是 YYYY-MM-DD 日期",
                    f"{value!r} in {field} is not a YYYY-MM-DD date",
                ) from None
        if day.year != year:
            iso = day.isoformat()
            raise _file_error(
                path,
                _line_of(text, iso),
                year,
                f"{iso} 不属于 {year} 年",
                f"{iso} is not in {year}",
            )
        days.append(day)
    return days


def _line_of(text: str, needle: str) -> int | None:
    """The first line holding ``needle``, preferring it quoted (a JSON key or string)."""
    lines = text.splitlines()
    for candidate in (f'"{needle}"', f"'{needle}'", f"[{needle}]", needle):
        for lineno, line in enumerate(lines, 1):
            if candidate in line:
                return lineno
    return None


def _file_error(
    path: Path, line: int | None, year: int | None, zh: str, en: str
) -> ValidationError:
    where_zh = f"{path}" + (f" 第 {line} 行" if line else "") + (f"（{year} 年）" if year else "")
    where_en = f"{path}" + (f" line {line}" if line else "") + (f" (year {year})" if year else "")
    return ValidationError(
        "calendar_overrides",
        f"日历文件 {where_zh}：{zh}",
        f"calendar overrides {where_en}: {en}",
        path=str(path),
        line=line,
        year=year,
    )


def write_overrides(path: Path, data: dict[int, tuple[list[date], list[date]]]) -> None:
    """Write overrides in the file's format (JSON, or TOML for ``.toml``), atomically."""
    years = sorted(data)
    if path.suffix.lower() == ".toml":
        chunks = []
        for year in years:
            holidays, workdays = data[year]
            chunks.append(
                f'["{year}"]\n'
                f"holidays = {json.dumps([d.isoformat() for d in sorted(holidays)])}\n"
                f"workdays = {json.dumps([d.isoformat() for d in sorted(workdays)])}\n"
            )
        text = "\n".join(chunks)
    else:
        payload = {
            str(year): {
                "holidays": [d.isoformat() for d in sorted(data[year][0])],
                "workdays": [d.isoformat() for d in sorted(data[year][1])],
            }
            for year in years
        }
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
