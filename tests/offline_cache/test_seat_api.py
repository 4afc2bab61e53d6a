"""``SeatServices`` is what the screens' ``SeatServicesProtocol`` says (checked by mypy on
the assignment below, and at run time), and its KB and assist answer in the records."""

from pathlib import Path

from offline_cache.services import SeatServices
from workstation.seat_api import EmergencyAlert, KbHit, SeatServicesProtocol, Suggestion


def test_seat_services_conform_to_the_protocol(tmp_path: Path) -> None:
    services = SeatServices.open(tmp_path / "seat")
    try:
        typed: SeatServicesProtocol = services  # mypy checks every member here
        assert isinstance(typed, SeatServicesProtocol)
    finally:
        services.close()


def test_kb_and_assist_answer_in_records(tmp_path: Path) -> None:
    services = SeatServices.open(tmp_path / "seat")
    try:
        services.kb.upsert_many(
            [{"id": "KB-1", "title": "社保卡补办", "body": "带身份证到社保窗口办理"}]
        )
        hits = services.search_kb("社保卡", limit=5)
        assert hits and isinstance(hits[0], KbHit) and hits[0].id == "KB-1"
        article = services.kb_article("KB-1")
        assert article is not None and article.body == "带身份证到社保窗口办理"
        assert services.kb_article("KB-404") is None and services.search_kb("  ") == []
        alert = services.detect_emergency("家里着火了，火很大")
        assert isinstance(alert, EmergencyAlert) and alert.transfer_to == "119"
        suggestion = services.suggest("小区门口的路灯坏了，晚上看不见路")
        assert isinstance(suggestion, Suggestion) and suggestion.units
        assert suggestion.to_dict()["units"][0] == suggestion.units[0].code
        assert services.suggest("灯") is None  # too short to suggest anything
    finally:
        services.close()
