"""retry_until: returns the value, polls promptly, stops at once on Fatal, ends StillPending at the deadline (with
a fake clock)."""

from __future__ import annotations

import pytest

from labkit.waiting import Fatal, NotYet, StillPending, retry_until


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def pauses(self) -> list[tuple[float, float]]:
        """(time waited so far, pause) for each sleep."""
        return [(sum(self.sleeps[:i]), pause) for i, pause in enumerate(self.sleeps)]


def test_returns_once_ready_with_pauses_of_backoff_first():
    fake, calls = FakeTime(), []

    def attempt():
        calls.append(1)
        if len(calls) < 4:
            raise NotYet(f"try {len(calls)}")
        return "ready"

    assert retry_until("x", attempt, deadline=60, backoff=1, progress=False, clock=fake.clock, sleep=fake.sleep) == "ready"
    assert fake.sleeps == [1, 1, 1]


def test_pauses_grow_as_a_tenth_of_the_wait_up_to_max_interval():
    """Is a change seen within ~10 % of the time waited (a 10 s deploy by 11 s, not at 12.75 s as with pauses
    doubling from 0.25 s), while a long wait polls no more often than every max_interval?"""
    fake = FakeTime()
    done_at = 10.0

    def attempt():
        if fake.now < done_at:
            raise NotYet("InProgress")
        return fake.now

    seen = retry_until("deploy", attempt, deadline=60, progress=False, clock=fake.clock, sleep=fake.sleep)
    assert done_at <= seen <= done_at * 1.1
    assert all(pause == pytest.approx(max(0.25, min(0.1 * at, 5.0))) for at, pause in fake.pauses())

    def never():
        raise NotYet("InProgress")

    fake = FakeTime()
    with pytest.raises(StillPending):
        retry_until("stuck", never, deadline=600, progress=False, clock=fake.clock, sleep=fake.sleep)
    assert {pause for at, pause in fake.pauses() if 50 <= at < 595} == {5.0}  # past 50 s: every 5 s


def test_fatal_stops_at_once():
    fake = FakeTime()

    def attempt():
        raise Fatal("no such bucket")

    with pytest.raises(Fatal):
        retry_until("x", attempt, deadline=60, progress=False, clock=fake.clock, sleep=fake.sleep)
    assert fake.sleeps == []


def test_deadline_gives_still_pending_with_last_reason():
    fake = FakeTime()

    def attempt():
        raise NotYet(f"status PENDING_VALIDATION at {fake.now:.0f}")

    with pytest.raises(StillPending) as caught:
        retry_until("certificate issued", attempt, deadline=10, backoff=1, max_interval=4, progress=False,
                    clock=fake.clock, sleep=fake.sleep)
    assert caught.value.waited >= 10 and sum(fake.sleeps) == pytest.approx(10)
    assert "certificate issued: still not done" in str(caught.value)
    assert "PENDING_VALIDATION at 10" in str(caught.value)


def test_progress_bar_does_not_break_the_wait(capsys):
    values = iter([NotYet("a"), "done"])

    def attempt():
        value = next(values)
        if isinstance(value, Exception):
            raise value
        return value

    assert retry_until("with bar", attempt, deadline=5, backoff=0.01) == "done"
