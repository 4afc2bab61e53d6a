"""Configuration: one typed settings object from a TOML file and ``WORKSTATION_`` variables.

Precedence: environment > file > defaults. The file is the explicit path, else
``$WORKSTATION_CONFIG``, else ``<user config dir>/workstation.toml`` if it exists. Nested
keys use a double underscore in the environment (``WORKSTATION_DEADLINES__COMPLAINT=7``
is ``[deadlines] complaint = 7``). Platform paths are worked out when settings are loaded,
never at import time, and nothing is created on disk.

Example ``workstation.toml``::

    city = "启东市"
    timezone = "Asia/Shanghai"
    language = "zh"
    server_url = "http://127.0.0.1:8712"
    deadline_end = "23:59:59"

    [deadlines]
    consultation = 3
    suggestion = 5
    complaint = 7
    help = 7
    investigation = 10
    return_window = 2
    criticism_after = 2
    callback_attempts = 3
    callback_retry_hours = 4

    [notices]
    urging_prefix = "催办"
    criticism_prefix = "通报"

    [jobs]                    # the central server's scheduled jobs
    interval = 60             # seconds between rounds; 0 turns them off

    [assist]                  # retraining the intake assist from closed orders
    training = true
    min_new_orders = 50
    train_interval = 86400    # seconds between two models

    [open311]                 # the public web and mobile channel
    rate_per_minute = 20      # POSTs per client and minute before a 429
    api_keys = []             # registered keys; when set, a POST needs one of them
    key_rate_per_minute = 120 # POSTs per registered key and minute (others: per address)

    [web]                     # the citizen's web pages under /citizen/ (docs/web.md)
    publish_by_default = ["consultation", "suggestion"]  # closed orders shown unless withheld
    secret = ""               # signs CSRF tokens and keys lookup codes; "": made and kept in the DB
    follow_failures_per_minute = 10  # wrong number/code pairs per address before a 429
    page_size = 20            # answers per page of the public list

    [security]                # the central server's defences (docs/security.md)
    login_max_failures = 5    # wrong logins per user name within the window: lockout
    login_address_max_failures = 20  # wrong logins per client address: lockout
    login_window_minutes = 15 # failures older than this are forgotten
    login_lockout_minutes = 15
    login_delay_after = 3     # failures before each further try must wait
    login_delay_seconds = 2   # the first wait; it doubles with every further failure
    hash_workers = 0          # password hashes at once (0: the number of CPU cores)
    hash_queue = 32           # hashes waiting for a worker before a 503 with Retry-After
    trusted_proxies = []      # addresses/networks whose X-Forwarded-For is believed
    api_docs = false          # serve /docs, /redoc and /openapi.json
    auth_audit_days = 90      # login audit rows older than this are deleted

    [sms]                     # the SMS gateway (docs/sms.md)
    inbound_secret = ""       # the gateway sends it in X-SMS-Secret; empty: webhook refuses
    outbound_log = ""         # the demo gateway: texts appended to this file

The short environment names of the first releases still work: ``WORKSTATION_JOBS_INTERVAL``,
``WORKSTATION_ASSIST_TRAINING``, ``WORKSTATION_ASSIST_MIN_NEW_ORDERS``,
``WORKSTATION_ASSIST_TRAIN_INTERVAL``, ``WORKSTATION_OPEN311_RATE_PER_MINUTE`` and
``WORKSTATION_OPEN311_API_KEYS`` (comma-separated); ``WORKSTATION_API_DOCS`` and
``WORKSTATION_TRUSTED_PROXIES`` (comma-separated) are short for their ``[security]`` keys.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, create_model, field_validator
from pydantic import ValidationError as PydanticValidationError

from workstation.errors import ConfigError
from workstation.models import DeadlineRules

if TYPE_CHECKING:
    from workstation.calendar import WorkingCalendar

APP_NAME = "hotline-workstation"
ENV_PREFIX = "WORKSTATION_"
CONFIG_FILE = "workstation.toml"
OVERRIDES_FILE = "calendar_overrides.json"
#: Short environment names (``WORKSTATION_LANG=en``) and the flat names of the first releases.
_ENV_ALIASES: dict[str, tuple[str, ...]] = {
    "lang": ("language",),
    "jobs_interval": ("jobs", "interval"),
    "assist_training": ("assist", "training"),
    "assist_min_new_orders": ("assist", "min_new_orders"),
    "assist_train_interval": ("assist", "train_interval"),
    "open311_rate_per_minute": ("open311", "rate_per_minute"),
    "open311_api_keys": ("open311", "api_keys"),
    "api_docs": ("security", "api_docs"),
    "trusted_proxies": ("security", "trusted_proxies"),
}

_STRICT = ConfigDict(extra="forbid", frozen=True)

#: ``[deadlines]``: the fields of models.DeadlineRules, each a whole number of days/hours >= 0.
DeadlineSettings: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "DeadlineSettings",
    __config__=_STRICT,
    **{
        f.name: (int, Field(default=f.default, ge=1 if f.name == "callback_attempts" else 0))
        for f in dataclasses.fields(DeadlineRules)
    },
)


class NoticeSettings(BaseModel):
    """Numbering of notices: 催办〔2026〕0007号."""

    model_config = _STRICT
    urging_prefix: str = "催办"
    criticism_prefix: str = "通报"
    number_digits: int = Field(default=4, ge=1, le=8)

    def number(self, kind: str, year: int, serial: int) -> str:
        prefix = self.urging_prefix if kind == "urging" else self.criticism_prefix
        return f"{prefix}〔{year}〕{serial:0{self.number_digits}d}号"


class JobsSettings(BaseModel):
    """``[jobs]``: the server's scheduled round (overdue, urging, criticism, callbacks)."""

    model_config = _STRICT
    interval: float = Field(default=60.0, ge=0)  # seconds; 0 turns the jobs off


class AssistSettings(BaseModel):
    """``[assist]``: when the server retrains the intake assist (central/assist_training)."""

    model_config = _STRICT
    training: bool = True
    min_new_orders: int = Field(default=50, ge=1)  # closed since the last model
    train_interval: float = Field(default=86_400.0, ge=0)  # seconds between two models


def _comma_separated(value: Any) -> Any:
    if isinstance(value, str):  # from the environment: "key-one, key-two"
        return tuple(k.strip() for k in value.split(",") if k.strip())
    return value


class Open311Settings(BaseModel):
    """``[open311]``: throttling and keys of the public GeoReport channel.

    Only a registered key (``api_keys``) has a bucket of its own; any other key, or none,
    counts against the client address, so a fresh random key buys nothing.
    """

    model_config = _STRICT
    rate_per_minute: int = Field(default=20, ge=1)
    key_rate_per_minute: int = Field(default=120, ge=1)
    api_keys: tuple[str, ...] = ()

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _comma_separated(value)


class WebSettings(BaseModel):
    """``[web]``: the citizen's pages (submit, follow, public answers; docs/web.md)."""

    model_config = _STRICT
    publish_by_default: tuple[Literal["consultation", "help", "complaint", "suggestion"], ...] = (
        "consultation",
        "suggestion",
    )
    secret: str = Field(default="", max_length=200)
    follow_failures_per_minute: int = Field(default=10, ge=1)
    page_size: int = Field(default=20, ge=1, le=100)

    @field_validator("publish_by_default", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _comma_separated(value)


class SmsSettings(BaseModel):
    """``[sms]``: the SMS gateway (docs/sms.md). No secret: the inbound webhook refuses all;
    no ``outbound_log``: no texts are sent."""

    model_config = _STRICT
    inbound_secret: str = ""
    outbound_log: Path | None = None  # the demo's log-file gateway appends one line a text


class SecuritySettings(BaseModel):
    """``[security]``: login throttling and lockout, the password-hash pool, proxies, docs."""

    model_config = _STRICT
    login_max_failures: int = Field(default=5, ge=1)
    login_address_max_failures: int = Field(default=20, ge=1)
    login_window_minutes: float = Field(default=15.0, gt=0)
    login_lockout_minutes: float = Field(default=15.0, gt=0)
    login_delay_after: int = Field(default=3, ge=1)
    login_delay_seconds: float = Field(default=2.0, ge=0)
    hash_workers: int = Field(default=0, ge=0, le=256)  # 0: the number of CPU cores
    hash_queue: int = Field(default=32, ge=0, le=10_000)
    trusted_proxies: tuple[str, ...] = ()
    api_docs: bool = False
    command_key_days: float = Field(default=7.0, gt=0, le=366)
    auth_audit_days: float = Field(default=90.0, gt=0, le=3660)  # auth_events kept

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _comma_separated(value)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(f"{item!r} is not an IP address or network") from exc
        return value


class Settings(BaseModel):
    """Everything a city or a seat may configure; see the module docstring for the file."""

    model_config = _STRICT

    city: str = "启东市"
    timezone: str = "Asia/Shanghai"
    language: Literal["zh", "en"] = "zh"
    data_dir: Path = Field(default_factory=lambda: default_data_dir())
    server_url: str = "http://127.0.0.1:8712"
    db_url: str | None = None  # the central server's database; default: SQLite in data_dir
    calendar_overrides: Path | None = None  # default: data_dir / calendar_overrides.json
    deadline_end: time = time(23, 59, 59)  # a limit ends at this time on its last day
    order_prefix: str = "QD"  # work order numbers: QD-S07-2611-0042
    deadlines: DeadlineSettings = Field(default_factory=DeadlineSettings)  # type: ignore[valid-type]
    notices: NoticeSettings = Field(default_factory=NoticeSettings)
    jobs: JobsSettings = Field(default_factory=JobsSettings)
    assist: AssistSettings = Field(default_factory=AssistSettings)
    open311: Open311Settings = Field(default_factory=Open311Settings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    web: WebSettings = Field(default_factory=WebSettings)
    sms: SmsSettings = Field(default_factory=SmsSettings)

    _calendar: WorkingCalendar | None = PrivateAttr(default=None)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("server_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("data_dir", "calendar_overrides")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser()

    @property
    def rules(self) -> DeadlineRules:
        """The deadline rules as the domain's dataclass."""
        return DeadlineRules(**cast(BaseModel, self.deadlines).model_dump())

    @property
    def database_url(self) -> str:
        """The server database URL: ``db_url`` or a SQLite file in the data directory."""
        return self.db_url or f"sqlite:///{self.data_dir / 'central.db'}"

    @property
    def overrides_path(self) -> Path:
        """Where the calendar overrides file lives (loaded if it exists)."""
        return self.calendar_overrides or self.data_dir / OVERRIDES_FILE

    def calendar(self) -> WorkingCalendar:
        """The working calendar with the overrides file loaded when there is one (cached)."""
        if self._calendar is None:
            from workstation.calendar import WorkingCalendar

            path = self.overrides_path
            self._calendar = WorkingCalendar.default(path if path.exists() else None)
        return self._calendar


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_FILE


def find_config_file(path: Path | str | None, env: Mapping[str, str]) -> Path | None:
    """The explicit path, else ``$WORKSTATION_CONFIG``, else the user config file if present."""
    if path is not None:
        return _must_exist(Path(path), "--config")
    from_env = env.get(ENV_PREFIX + "CONFIG")
    if from_env:
        return _must_exist(Path(from_env), ENV_PREFIX + "CONFIG")
    default = default_config_file()
    return default if default.is_file() else None


def _must_exist(path: Path, origin: str) -> Path:
    if not path.expanduser().is_file():
        raise ConfigError(
            f"找不到配置文件：{path}（来自 {origin}）",
            f"configuration file not found: {path} (from {origin})",
            key=origin,
        )
    return path.expanduser()


def load_settings(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the config file (if any) and the environment; ConfigError names the key."""
    env = os.environ if env is None else env
    config_file = find_config_file(path, env)
    data: dict[str, Any] = _read_toml(config_file) if config_file else {}
    origins: dict[str, str] = {}
    for key, value, var in _env_values(env):
        _merge(data, key, value)
        origins[".".join(key)] = var
    try:
        return Settings.model_validate(data)
    except PydanticValidationError as exc:
        raise _config_error(exc, config_file, origins) from None


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"配置文件 {path} 语法错误：{exc}",
            f"configuration file {path} is not valid TOML: {exc}",
            key=str(path),
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"无法读取配置文件 {path}：{exc}",
            f"cannot read configuration file {path}: {exc}",
            key=str(path),
        ) from None


def _env_values(env: Mapping[str, str]) -> list[tuple[tuple[str, ...], str, str]]:
    """``WORKSTATION_A__B=v`` → (("a", "b"), v, name), for settings fields only.

    Other ``WORKSTATION_`` variables (the config path, test switches of other areas) are not
    settings and are left alone; empty values count as unset.
    """
    found = []
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or value == "":
            continue
        key = tuple(part.lower() for part in name[len(ENV_PREFIX) :].split("__"))
        key = (*_ENV_ALIASES.get(key[0], (key[0],)), *key[1:])
        if key[0] in Settings.model_fields:
            found.append((key, value, name))
    return sorted(found)


def _merge(data: dict[str, Any], key: tuple[str, ...], value: str) -> None:
    target = data
    for part in key[:-1]:
        child = target.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(
                f"配置项 {part} 不是一个表，不能设置 {'.'.join(key)}",
                f"setting {part} is not a table; cannot set {'.'.join(key)}",
                key=".".join(key),
            )
        target = child
    target[key[-1]] = value


def _config_error(
    exc: PydanticValidationError, config_file: Path | None, origins: dict[str, str]
) -> ConfigError:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    origin = origins.get(key) or (str(config_file) if config_file else "defaults")
    reason = first["msg"]
    if first["type"] == "extra_forbidden":
        return ConfigError(
            f"未知的配置项 {key}（来自 {origin}）",
            f"unknown setting {key} (from {origin})",
            key=key,
        )
    value = first.get("input")
    return ConfigError(
        f"配置项 {key} 的值 {value!r} 无效（来自 {origin}）：{reason}",
        f"invalid value {value!r} for setting {key} (from {origin}): {reason}",
        key=key,
    )
