"""The headless Chromium harness itself: DevTools accepts a client that sends an Origin header,
and the browser's whole process tree ends with the harness, also when starting fails."""

from __future__ import annotations

import functools
import os
import tempfile
import time
from pathlib import Path

import pytest
import websocket

from tests.integration import chromium
from tests.integration.chromium import FLAGS, Chromium, find_browser

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        find_browser() is None,
        reason="no Chromium on this machine: apt-get install chromium (.ci/run does)",
    ),
]


def processes_using(profile: str, *, wait_s: float = 10) -> list[str]:
    """Command lines of the live processes that mention `profile`, after up to `wait_s` for
    them to go."""
    deadline = time.monotonic() + wait_s
    while True:
        found = []
        for proc in Path("/proc").iterdir():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if profile in cmdline and state != "Z":
                found.append(cmdline[:200])
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_devtools_accepts_a_client_that_sends_its_origin() -> None:
    # websocket-client versions and other clients send Origin: http://127.0.0.1:<port>, which
    # Chromium answers with 403 Forbidden unless --remote-allow-origins lists it
    with Chromium() as browser:
        origin = "http://127.0.0.1:34587"
        websocket.create_connection(browser.devtools_url, origin=origin, timeout=30).close()


def test_close_ends_every_process_of_the_browser() -> None:
    browser = Chromium()
    profile = browser._profile.name
    assert processes_using(profile, wait_s=0)
    browser.close()
    assert processes_using(profile) == []


def test_failed_start_leaves_no_browser_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    # the failure, for real: a client sending an Origin to a browser without the flag
    sent_origin = functools.partial(websocket.create_connection, origin="http://127.0.0.1:1")
    monkeypatch.setattr(chromium.websocket, "create_connection", sent_origin)
    profiles: list[str] = []
    real_tempdir = tempfile.TemporaryDirectory

    def recorded(**kwargs: str) -> tempfile.TemporaryDirectory[str]:
        made = real_tempdir(**kwargs)
        profiles.append(made.name)
        return made

    monkeypatch.setattr(chromium.tempfile, "TemporaryDirectory", recorded)
    without = tuple(f for f in FLAGS if not f.startswith("--remote-allow-origins"))
    with pytest.raises(websocket.WebSocketBadStatusException, match="403"):
        Chromium(flags=without)
    [profile] = profiles
    assert processes_using(profile) == []
    assert not os.path.exists(profile)
