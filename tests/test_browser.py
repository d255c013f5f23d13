"""The HTML report in a real browser (Debian's Chromium, driven by Playwright), read as a reader
would: the contents links scroll to their sections, every chart draws, the console stays clean,
nothing is fetched from outside the report's own files. Screenshots go to test-artifacts/."""

from __future__ import annotations

import contextlib
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, Route, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
# This machine reaches no network: nothing may phone home, and nothing may need a GPU or sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
LOCAL_SCHEMES = ("file://", "data:", "blob:")
# Wider than the stylesheet's 60rem breakpoint, so the contents are the sticky sidebar.
VIEWPORT = {"width": 1280, "height": 900}
# Where a section's top may be after its contents link scrolled to it (px from the viewport top).
SECTION_TOP = (-2, 120)
TIMEOUT_MS = 60_000

# Resolves once the window has not scrolled for 6 frames in a row: `scroll-behavior: smooth`
# animates every jump, so positions are only meaningful after the animation settles.
SCROLL_SETTLED = """async () => {
  const deadline = performance.now() + 5000;
  let last = NaN, still = 0;
  while (still < 6 && performance.now() < deadline) {
    await new Promise(requestAnimationFrame);
    if (window.scrollY === last) { still += 1; } else { still = 0; last = window.scrollY; }
  }
  return window.scrollY;
}"""

# Each chart as the reader sees it: charts.js replaces the SVG fallback by a `.chart-interactive`
# that vega-embed draws into. Data marks are the items of Vega's `role-mark` groups (bars, lines,
# points, rules, labels), not axes or legends.
CHART_STATES = """() => [...document.querySelectorAll('.vega-chart')].map(chart => {
  const fallback = chart.querySelector('.chart-fallback');
  const live = chart.querySelector('.chart-interactive');
  const svg = live && live.querySelector('svg');
  const canvas = live && live.querySelector('canvas');
  let painted = 0;
  if (canvas && canvas.width && canvas.height) {
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] && (pixels[i] < 250 || pixels[i + 1] < 250 || pixels[i + 2] < 250)) {
        painted += 1;
      }
    }
  }
  const box = (svg || canvas) && (svg || canvas).getBoundingClientRect();
  return {
    id: chart.dataset.chart || chart.id,
    interactive: Boolean(live),
    drawing: svg ? 'svg' : canvas ? 'canvas' : null,
    size: box ? [Math.round(box.width), Math.round(box.height)] : [0, 0],
    marks: svg ? svg.querySelectorAll('g.role-mark > *').length : painted,
    fallbackHidden: Boolean(fallback) && fallback.hidden && fallback.getClientRects().length === 0,
  };
})"""

# Settled once every chart either has hidden its fallback (drawn) or has no interactive
# container left (charts.js removes it when vega-embed fails); load has run charts.js already.
CHARTS_SETTLED = """() => [...document.querySelectorAll('.vega-chart')].every(chart => {
  const fallback = chart.querySelector('.chart-fallback');
  return !fallback || fallback.hidden || !chart.querySelector('.chart-interactive');
})"""


@dataclass
class Reader:
    """An open report, with everything the page said and asked for since it was opened."""

    page: Page
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    warnings: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    blocked: list[str] = field(default_factory=list)  # non-local URLs the route aborted

    def scroll_through(self) -> None:
        """Scroll the whole report, screen by screen, as a reader would (lazy content loads)."""
        height = self.page.evaluate("document.documentElement.scrollHeight")
        for y in range(0, height, VIEWPORT["height"]):
            self.page.evaluate("y => window.scrollTo({top: y, behavior: 'instant'})", y)
        self.page.evaluate("document.fonts.ready.then(() => true)")
        self.page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (make system-deps)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the browser tests must run", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def reader(browser, example) -> Iterator[Reader]:
    """The rendered example report, freshly opened from file:// with its charts settled."""
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    reader = Reader(page)

    def route(route: Route) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            reader.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def console(message) -> None:
        if message.type == "error":
            reader.errors.append(f"console error: {message.text} ({message.location})")
        elif message.type == "warning":
            reader.warnings.append(f"console warning: {message.text}")

    context.route("**/*", route)
    context.on("request", lambda request: reader.requests.append(request.url))
    page.on("console", console)
    page.on("pageerror", lambda error: reader.errors.append(f"uncaught exception: {error}"))
    page.on("websocket", lambda socket: reader.blocked.append(socket.url))
    page.goto(example.html.as_uri())
    # If a chart never settles, the chart test says which one.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(CHARTS_SETTLED, timeout=TIMEOUT_MS)
    yield reader
    context.close()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_every_contents_link_scrolls_its_section_into_view(reader):
    page = reader.page
    links = page.locator("nav#TOC a")
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(hrefs) > 3, f"the contents (nav#TOC) has only {len(hrefs)} links"
    assert all(h and h.startswith("#") for h in hrefs), f"contents links leave the page: {hrefs}"

    low, high = SECTION_TOP
    wrong = []
    for i, href in enumerate(hrefs):
        target = href[1:]
        links.nth(i).click()
        page.evaluate(SCROLL_SETTLED)
        place = page.evaluate(
            """id => {
              const el = document.getElementById(id);
              const root = document.documentElement;
              return el && {
                top: el.getBoundingClientRect().top,
                atBottom: window.scrollY >= root.scrollHeight - window.innerHeight - 1,
                hash: decodeURIComponent(location.hash),
              };
            }""",
            target,
        )
        if place is None:
            wrong.append(f"{href}: no element with id {target!r}")
            continue
        # A short last section cannot reach the top: the page stops at its bottom; it must show.
        in_view = low <= place["top"] <= high or (
            place["atBottom"] and 0 <= place["top"] < VIEWPORT["height"] - 50
        )
        if not in_view or place["hash"] != href:
            wrong.append(f"{href}: section top at {place['top']:.0f}px, URL hash {place['hash']!r}")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"toc-wrong-{target}.png")
    assert not wrong, (
        f"after clicking its contents link, a section should start {low}–{high}px below the "
        "viewport top:\n" + "\n".join(wrong)
    )


def test_every_chart_draws(reader):
    page = reader.page
    ARTIFACTS.mkdir(exist_ok=True)
    for figure in page.locator("figure.chart").all():
        name = figure.locator(".vega-chart").get_attribute("data-chart") or "unnamed"
        figure.scroll_into_view_if_needed()
        figure.screenshot(path=ARTIFACTS / f"chart-{name}.png")

    charts = page.evaluate(CHART_STATES)
    configured = yaml.safe_load((ROOT / "data" / "charts.yml").read_text(encoding="utf-8"))
    configured_ids = [chart["id"] for chart in configured["charts"]]
    assert len(charts) == len(configured_ids), (
        f"data/charts.yml has {len(configured_ids)} charts, the report shows {len(charts)}"
    )
    assert sorted(c["id"] for c in charts) == sorted(configured_ids)
    assert page.locator("figure.chart .vega-chart").count() == len(charts)

    diagnosis = "\n".join(reader.warnings + reader.errors) or "(the console said nothing)"
    broken = [
        f"{c['id']}: {c}"
        for c in charts
        if not (
            c["interactive"]
            and c["drawing"]
            and c["marks"] > 0
            and min(c["size"]) > 0
            and c["fallbackHidden"]
        )
    ]
    assert not broken, (
        "every chart should be drawn by vega-embed into .chart-interactive, with data marks, and "
        "its static fallback hidden:\n" + "\n".join(broken) + f"\nconsole:\n{diagnosis}"
    )


def test_no_console_errors_while_reading(reader):
    page = reader.page
    reader.scroll_through()
    # Point at one data mark of each chart, which opens its tooltip.
    for chart in page.locator(".chart-interactive").all():
        mark = chart.locator("g.role-mark > *").first
        if mark.count():
            mark.hover(force=True)
    page.mouse.move(0, 0)
    errors = reader.errors
    assert not errors, "the page reported errors:\n" + "\n".join(errors)


def test_no_requests_outside_the_report_files(reader):
    reader.scroll_through()
    reader.page.wait_for_load_state("networkidle")
    outside = [url for url in reader.requests if not url.startswith(LOCAL_SCHEMES)]
    assert not outside, "the report asked for URLs outside file://:\n" + "\n".join(outside)
    assert not reader.blocked, "blocked requests to the network:\n" + "\n".join(reader.blocked)
    # The recorder saw the report's own files, so an empty list above means something.
    assert any(url.endswith("/assets/vega.js") for url in reader.requests), reader.requests
    assert any(url.endswith("/report.html") for url in reader.requests), reader.requests


def test_screenshot_of_the_top(reader):
    """The cover, contents and opening text: the first three screens, captured as one image."""
    page = reader.page
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("document.fonts.ready.then(() => true)")
    height = min(3 * VIEWPORT["height"], page.evaluate("document.documentElement.scrollHeight"))
    top = ARTIFACTS / "report-top.png"
    page.screenshot(
        path=top,
        full_page=True,
        clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height},
    )
    assert png_size(top) == (VIEWPORT["width"], height)
    assert top.stat().st_size > 20_000, "the top of the report looks blank"


def test_an_edit_reaches_the_open_preview_page(browser, mini):
    """Against `reportkit preview`: the open page reloads itself after a content edit, and a
    broken edit shows the terminal's message over the last good report."""
    from tests.preview_server import PreviewProcess

    server = PreviewProcess(mini)
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.wait_for_selector("text=A short report used by the tests.")
        intro = mini / "content" / "intro.qmd"
        intro.write_text(
            intro.read_text().replace("A short report used by the tests.", "Changed in the editor.")
        )
        page.wait_for_selector("text=Changed in the editor.", timeout=180_000)
        intro.write_text(intro.read_text() + "\n{{< var facts.nowhere >}}\n")
        overlay = page.wait_for_selector("#reportkit-error", timeout=180_000)
        assert "content/intro.qmd:13:1: unknown var key 'facts.nowhere'" in overlay.inner_text()
        assert page.is_visible("text=Changed in the editor.")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "preview-error-overlay.png"))
        page.close()
    finally:
        server.stop()


def test_lettered_lists_show_lower_case_letters(reader):
    """Browsers match ol[type] case-insensitively; the markers must still be (a), not (A)."""
    content = reader.page.evaluate(
        """() => getComputedStyle(
            document.querySelector('.list-two-parens.list-lower-alpha li'), '::before'
        ).content"""
    )
    assert "lower-alpha" in content and "upper-alpha" not in content


def test_the_contents_mark_the_section_being_read(reader):
    page = reader.page
    page.locator("nav#TOC a[href='#sec-analysis']").click()
    page.wait_for_function(
        "document.querySelector(\"nav#TOC a[href='#sec-analysis']\")"
        ".getAttribute('aria-current') === 'true'",
        timeout=TIMEOUT_MS,
    )
    assert page.locator("nav#TOC a[aria-current='true']").count() == 1
