"""The screens depend on the typed boundary only: ``workstation`` (the domain and its
``seat_api``), Textual and Rich, never the seat's implementation or the server."""

import ast
from pathlib import Path

SCREENS = Path(__file__).resolve().parents[2] / "screens"
FORBIDDEN = ("offline_cache", "kb_index", "assist", "central", "hotline")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_screens_import_no_seat_implementation_nor_server() -> None:
    bad = {
        f"{path.relative_to(SCREENS.parent)}: {name}"
        for path in SCREENS.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN
    }
    assert not bad, sorted(bad)
