"""The model learned from the city's closed orders (历史工单), and its safe file format.

The central server retrains it on a schedule from closed orders ``{text, type, unit}``
(either label may be missing) and seats receive the file with their sync. The file is
one ``.npz`` holding arrays and a JSON header: loaded with ``allow_pickle=False``, so a
model file can never run code on a seat.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assist.features import HashedNgrams, LinearHead, NgramVectorizer
from assist.text import normalize
from workstation.errors import ValidationError
from workstation.models import OrderType, Unit

#: /2: hashed n-grams (no vocabulary in the file). /1 files are refused; the server retrains.
FORMAT = "assist.model/2"
#: 2**18 hash buckets: about as many as the old 200,000-n-gram vocabulary cap; per-unit
#: weights are capped so the file stays small for sync.
HASH_BITS = 18
KEEP_PER_UNIT = 20_000
EXEMPLARS_PER_UNIT = 12
#: From this many orders on, heads are fitted by stochastic gradient descent: same accuracy
#: on our data (see benchmarks/assist.py), and 100,000 orders train within a minute.
LARGE = 20_000
#: Stochastic-gradient passes are sized to about this many order visits (3 to 8 epochs):
#: 8 epochs over 100,000 orders took 78 s of CPU for the unit head and gained nothing.
SGD_VISITS = 300_000
_DIGITS = re.compile(r"\d{4,}")


class ModelFileError(ValidationError):
    def __init__(self, path: str | Path, why: str) -> None:
        super().__init__(
            "model",
            f"模型文件 {path} 无法读取：{why}",
            f"cannot read model file {path}: {why}",
        )


@dataclass(frozen=True)
class TrainingOrder:
    """A closed order as the trainer sees it; either label may be unknown."""

    text: str
    type: OrderType | None = None
    unit: str | None = None
    id: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainingOrder:
        raw_type = data.get("type")
        return cls(
            text=str(data.get("text") or ""),
            type=OrderType.parse(str(raw_type)) if raw_type else None,
            unit=str(data["unit"]) if data.get("unit") else None,
            id=str(data.get("id") or ""),
        )


@dataclass
class Model:
    """Type and unit heads over one shared n-gram vectorizer, plus a few past orders."""

    vectorizer: HashedNgrams | NgramVectorizer  # the cold-start cache saves the latter
    type_head: LinearHead | None
    unit_head: LinearHead | None
    info: dict[str, Any] = field(default_factory=dict)
    exemplars: list[tuple[str, str, str]] = field(default_factory=list)  # (unit, id, text)
    _exemplar_matrix: Any = None

    @property
    def unit_orders(self) -> int:
        return int(self.info.get("unit_orders", 0))

    def transform(self, norm_text: str) -> Any:
        return self.vectorizer.transform([norm_text])

    def type_scores(self, row: Any) -> dict[str, float]:
        if self.type_head is None:
            return {}
        values = self.type_head.decision(row)[0]
        return dict(zip(self.type_head.classes, map(float, values), strict=True))

    def unit_scores(self, row: Any) -> dict[str, float]:
        if self.unit_head is None:
            return {}
        values = self.unit_head.decision(row)[0]
        return dict(zip(self.unit_head.classes, map(float, values), strict=True))

    def similar_orders(self, row: Any, limit: int = 5) -> list[tuple[float, str, str, str]]:
        """Nearest stored past orders: (cosine, unit, id, text)."""
        if not self.exemplars:
            return []
        if self._exemplar_matrix is None:
            self._exemplar_matrix = self.vectorizer.transform([t for _, _, t in self.exemplars])
        sims = (self._exemplar_matrix @ row.T).toarray().ravel()
        order = sims.argsort()[::-1][:limit]
        return [(float(sims[i]), *self.exemplars[i]) for i in order if sims[i] > 0]

    def save(self, path: str | Path) -> Path:
        import numpy as np

        vec_meta, arrays = self.vectorizer.state()
        header: dict[str, Any] = {"format": FORMAT, "info": self.info, "vectorizer": vec_meta}
        for name, head in (("type", self.type_head), ("unit", self.unit_head)):
            if head is not None:
                meta, head_arrays = head.state(name)
                header[name] = meta
                arrays.update(head_arrays)
        header["exemplars"] = [list(e) for e in self.exemplars]
        arrays["header"] = np.array(json.dumps(header, ensure_ascii=False))
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:  # keep the exact name (savez would append .npz)
            np.savez_compressed(fh, **arrays)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Model:
        header, arrays = read_model_file(path)
        if header.get("format") != FORMAT:
            raise ModelFileError(
                path,
                f"format {header.get('format')!r} is not {FORMAT!r} (retrain: 重新训练模型)",
            )
        try:
            heads = {
                name: LinearHead.from_state(name, header[name], arrays) if name in header else None
                for name in ("type", "unit")
            }
            vectorizer = HashedNgrams.from_state(header["vectorizer"], arrays)
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(path, str(exc)) from exc
        return cls(
            vectorizer=vectorizer,
            type_head=heads["type"],
            unit_head=heads["unit"],
            info=header.get("info", {}),
            exemplars=[(u, i, t) for u, i, t in header.get("exemplars", [])],
        )


def read_model_file(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON header and the arrays of a pickle-free ``.npz`` model file."""
    import numpy as np

    try:
        with np.load(Path(path), allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        header = json.loads(str(arrays.pop("header")))
    except (OSError, ValueError, KeyError) as exc:
        raise ModelFileError(path, str(exc)) from exc
    return header, arrays


def exemplar_text(text: str) -> str:
    """A past order's text as a seat may see it: phones and ID numbers masked (脱敏).

    Models travel to every seat, so the few texts kept for "similar past orders" carry no
    caller's number: ``mask_text`` first, then any run of four or more digits starred.
    """
    from workstation.masking import mask_text

    return _DIGITS.sub("*", normalize(mask_text(text)))[:120]


def read_orders(path: str | Path) -> list[TrainingOrder]:
    """JSON Lines of ``{text, type, unit}``; the type may be an English code or 咨询/求助/…"""
    orders = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            orders.append(TrainingOrder.from_dict(json.loads(line)))
        except (ValueError, TypeError) as exc:
            raise ValidationError(
                "orders", f"工单文件第 {lineno} 行无效：{exc}", f"orders line {lineno}: {exc}"
            ) from exc
    return orders


def sgd_epochs(rows: int) -> int:
    """Passes over ``rows`` orders for about ``SGD_VISITS`` visits, 3 to 8."""
    return max(3, min(8, round(SGD_VISITS / max(rows, 1))))


def fit_type_head(matrix: Any, labels: Sequence[str], c: float = 2.0) -> LinearHead:
    """Logistic regression; past ``LARGE`` orders, its stochastic-gradient form (fast)."""
    if matrix.shape[0] >= LARGE:
        epochs = sgd_epochs(matrix.shape[0])
        return LinearHead.fit(matrix, labels, c=1e-4, kind="sgd_log", epochs=epochs)
    return LinearHead.fit(matrix, labels, c=c, kind="logreg")


def fit_unit_head(matrix: Any, labels: Sequence[str], c: float = 0.5) -> LinearHead:
    """A linear SVM; past ``LARGE`` orders trained by stochastic gradient (2 cores)."""
    if matrix.shape[0] >= LARGE:
        return LinearHead.fit(
            matrix,
            labels,
            c=1e-4,
            kind="sgd_hinge",
            keep_per_class=KEEP_PER_UNIT,
            epochs=sgd_epochs(matrix.shape[0]),
        )
    return LinearHead.fit(matrix, labels, c=c, keep_per_class=KEEP_PER_UNIT)


def train(
    orders: Iterable[TrainingOrder | Mapping[str, Any]],
    units: Sequence[Unit] | None = None,
    *,
    c_type: float = 2.0,
    c_unit: float = 0.5,
    hash_bits: int = HASH_BITS,
) -> Model:
    """Fit the type and unit heads on closed orders.

    Orders for units not in ``units`` (a dissolved or renamed unit) are left out of the
    unit head; a head with fewer than two classes is not trained.
    """
    started = time.perf_counter()
    items = [o if isinstance(o, TrainingOrder) else TrainingOrder.from_dict(o) for o in orders]
    items = [o for o in items if o.text.strip()]
    known = {u.code for u in units} if units is not None else None
    texts = [normalize(o.text) for o in items]
    if not texts:
        raise ValidationError("orders", "没有可用于训练的工单", "no orders to train on")
    min_df = 2 if len(texts) >= 1000 else 1
    vectorizer, matrix = HashedNgrams.fit(texts, bits=hash_bits, min_df=min_df)
    typed = [i for i, o in enumerate(items) if o.type is not None]
    routed = [i for i, o in enumerate(items) if o.unit and (known is None or o.unit in known)]
    type_head = unit_head = None
    if len({items[i].type for i in typed}) >= 2:
        type_labels = [str(items[i].type) for i in typed]
        type_head = fit_type_head(matrix[typed], type_labels, c=c_type)
    if len({items[i].unit for i in routed}) >= 2:
        unit_labels = [str(items[i].unit) for i in routed]
        unit_head = fit_unit_head(matrix[routed], unit_labels, c=c_unit)
    exemplars: list[tuple[str, str, str]] = []
    per_unit: dict[str, int] = {}
    for i in reversed(routed):  # the latest orders of each unit
        unit = str(items[i].unit)
        if per_unit.get(unit, 0) < EXEMPLARS_PER_UNIT:
            per_unit[unit] = per_unit.get(unit, 0) + 1
            exemplars.append((unit, items[i].id, exemplar_text(items[i].text)))
    info = {
        "orders": len(items),
        "type_orders": len(typed),
        "unit_orders": len(routed),
        "features": vectorizer.size,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "train_seconds": round(time.perf_counter() - started, 2),
    }
    return Model(vectorizer, type_head, unit_head, info, exemplars)
