"""`reportkit preview`: serve, rebuild on change, keep the last good report on errors."""

from __future__ import annotations

import pytest

from tests.preview_server import PreviewProcess


@pytest.fixture
def preview(mini):
    server = PreviewProcess(mini)
    yield server
    server.stop()


def test_preview_serves_the_report_with_live_reload_on_localhost(preview):
    assert preview.url.startswith("http://127.0.0.1:")
    page = preview.get()
    assert "<title>Mini report</title>" in page
    assert "/__reportkit__/live-reload.js" in page
    assert preview.status() == {"version": 1, "error": None}
    assert "assets/report.css" in page and "text/css" not in page
    assert preview.get("assets/report.css").startswith("/* reportkit screen stylesheet")


def test_an_edit_made_right_after_start_rebuilds_the_page(preview, mini):
    intro = mini / "content" / "intro.qmd"
    intro.write_text(intro.read_text().replace("A short report used by the tests.", "Edited live."))
    status = preview.wait_for_version(2)
    assert status["error"] is None
    assert "Edited live." in preview.get()


def test_a_broken_edit_shows_the_error_and_keeps_the_last_good_report(preview, mini):
    intro = mini / "content" / "intro.qmd"
    intro.write_text(intro.read_text() + "\n{{< var facts.nowhere >}}\n")
    status = preview.wait_for_version(2)
    assert status["error"].startswith("content/intro.qmd:13:1: unknown var key 'facts.nowhere'")
    assert "A short report used by the tests." in preview.get()
    terminal = "".join(preview.output)
    assert "error: content/intro.qmd:13:1: unknown var key 'facts.nowhere'" in terminal
    intro.write_text(intro.read_text().replace("{{< var facts.nowhere >}}", "Fixed."))
    assert preview.wait_for_version(3)["error"] is None
    assert "Fixed." in preview.get()


def test_ctrl_c_stops_cleanly(mini):
    server = PreviewProcess(mini)
    assert server.stop() == 0
    assert "stopped" in "".join(server.output)
    assert "Traceback" not in "".join(server.output)
