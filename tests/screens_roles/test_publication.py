"""Publishing closed orders on the citizens' page from the supervision board (公开, issue 17).

Closed orders sit at the bottom of the board, each under its publication state; F10 (also
in F1 and Ctrl+P) publishes or withholds the highlighted one through the seat's outbox
(``set_publication``); a confidential order stays off the page and the board says why;
an open order is refused. At 80x24, in Chinese and in English.
"""

from __future__ import annotations

import json

import pytest

from screens.callback_queue_view import QueueView
from screens.key_actions import key_actions
from screens.role_strings import rt
from tests.screens_roles.helpers import make_app, until_home, wait_for
from tests.screens_roles.test_callback_home import replied
from tests.screens_roles.test_keys import screen_lines
from tests.screens_roles.test_supervision_home import _select
from tests.screens_roles.world import CB, NOW, days
from workstation.i18n import set_language


@pytest.fixture(params=["zh", "en"])
def lang(request):
    set_language(request.param)
    yield request.param
    set_language("zh")


def closed(central, at, **form) -> str:
    order_id = replied(central, at, **form)
    central.do(order_id, "record_callback", CB, at + days(1), reached=True, resolved=True,
               satisfaction="satisfied")  # fmt: skip
    assert central.orders[order_id].state.value == "closed"
    return order_id


def outbox(seat) -> list[dict]:
    rows = seat.db.query("SELECT order_id, args FROM outbox WHERE command='set_publication'")
    return [{"order_id": r["order_id"], **json.loads(r["args"])} for r in rows]


def shown(app, text: str) -> bool:
    """A notification says ``text`` (as tests/screens/helpers.py reads them)."""
    return any(text in str(n.message) for n in app._notifications)


async def test_publish_withhold_and_the_confidential_reason(seat, central, lang) -> None:
    plain = closed(central, NOW - days(6))  # a complaint: withheld unless published
    asked = closed(central, NOW - days(7), type="suggestion")  # published unless withheld
    secret = closed(central, NOW - days(5), confidential=True)
    still_open = central.dispatch(NOW - days(20))
    central.push()
    app = make_app(seat, "super1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_home(pilot, "SupervisionHome")
        board = screen.query_one("#board-view", QueueView)
        assert f"default_withheld:{plain}" in board.table.records
        assert f"default_public:{asked}" in board.table.records
        assert f"confidential:{secret}" in board.table.records
        assert any(rt("rk.publication") in line for line in screen_lines(app)[-2:])  # key bar
        actions = {a.action: a for a in key_actions(screen)}
        assert (
            actions["publication"].long == rt("rk.publication.long")
            and actions["publication"].shown
        )

        _select(board, f"default_withheld:{plain}")
        await pilot.press("f10")
        await wait_for(pilot, lambda: f"published:{plain}" in board.table.records)
        assert outbox(seat) == [{"order_id": plain, "published": True}]
        await wait_for(pilot, lambda: shown(app, rt("pub.done_publish", order=plain)))

        assert board.selected.order_id == plain  # the highlight stays on the order
        await pilot.press("f10")
        await wait_for(pilot, lambda: f"withheld:{plain}" in board.table.records)
        assert outbox(seat)[-1] == {"order_id": plain, "published": False}

        _select(board, f"confidential:{secret}")
        await pilot.press("f10")
        await wait_for(pilot, lambda: shown(app, rt("pub.confidential")))
        _select(board, f"overdue:{still_open}")
        await pilot.press("f10")
        await wait_for(pilot, lambda: shown(app, rt("pub.not_closed")))
        _select(board, f"default_public:{asked}")
        await pilot.press("f10")
        await wait_for(pilot, lambda: f"withheld:{asked}" in board.table.records)
        assert [c["order_id"] for c in outbox(seat)] == [plain, plain, asked]
        assert outbox(seat)[-1]["published"] is False


def test_the_seat_refuses_what_the_board_refuses(seat, central) -> None:
    from offline_cache.seat_actions import PublicationRefused

    secret = closed(central, NOW - days(5), confidential=True)
    open_one = central.dispatch(NOW - days(1))
    central.push()
    seat.login("super1", "pw-123456")
    with pytest.raises(PublicationRefused) as refused:
        seat.set_publication(secret, True)
    assert "confidentiality" in refused.value.en and "保密" in refused.value.zh
    seat.set_publication(secret, False)  # withholding one is always allowed
    with pytest.raises(PublicationRefused) as refused:
        seat.set_publication(open_one, True)
    assert "closed" in refused.value.en
    seat.logout()
    seat.login("agent1", "pw-123456")
    with pytest.raises(PublicationRefused) as refused:
        seat.set_publication(secret, False)
    assert "supervision" in refused.value.en
    assert outbox(seat) == [{"order_id": secret, "published": False}]
