"""The /backprop page in Debian's Chromium against a real server: stepping through the classic
walk-through, the chain rule of one weight, editing the example and the server's 422s inline.

Expected numbers come from POST /api/mlp/backprop (the oracle), except the walk-through's own
dL/dz3 = [0.5, -0.5, 0]. Screenshots go to tests/artifacts/ for a human to look at.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@dataclass
class Tab:
    """One page at 1280x720 with every console error and page error it produced."""

    page: Any
    base: str
    errors: list[str] = field(default_factory=list)
    expected_422s: bool = False  # Chromium logs every 4xx response as a console error

    def open(self, hash_: str = "") -> None:
        """A fresh load, as when a link is opened (not a same-document hash change)."""
        self.page.goto("about:blank")
        self.page.goto(f"{self.base}/backprop{hash_}")
        self.page.wait_for_selector("body[data-ready='1']")

    def assert_clean(self) -> None:
        errors = self.errors
        if self.expected_422s:
            errors = [e for e in errors if "status of 422" not in e]
        assert errors == []

    # --- reading the page

    def counter(self) -> str:
        return self.page.inner_text("#step-counter")

    def cells(self, name: str) -> list[float]:
        texts = self.page.locator(f'.step-mats [data-name="{name}"] .cell').all_inner_texts()
        return [shown(t) for t in texts]

    def go(self, step: int) -> None:
        """Click Next or Back until the counter shows `step`."""
        for _ in range(20):
            k = int(re.match(r"Step (\d+)", self.counter()).group(1))
            if k == step:
                return
            self.page.click("#next" if k < step else "#back")
        raise AssertionError(f"could not reach step {step}")

    def shot(self, name: str) -> None:
        self.page.mouse.move(1275, 715)  # no tooltip over the view
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"backprop-{name}.png"))


@pytest.fixture()
def tab(browser_context, server: LiveServer) -> Iterator[Tab]:
    """A fresh page (1280x720) in the shared browser context of tests/browser/conftest.py
    (which skips without Chromium, and fails on CI)."""
    page = browser_context.new_page()
    t = Tab(page, server.url)
    page.on("console", lambda m: t.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: t.errors.append(str(e)))
    yield t
    page.close()


@pytest.fixture()
def api(server: LiveServer):
    """POST /api/mlp/backprop on the live server: the oracle for the numbers on the page."""

    def call(**body: Any) -> dict[str, Any]:
        r = httpx.post(f"{server.url}/api/mlp/backprop", json=body or {"example": "classic"})
        return r.json()
    return call


def shown(text: str) -> float:
    """A number as the page shows it: true minus signs, negatives in parentheses."""
    return float(text.replace("−", "-").replace("(", "").replace(")", "").strip())


def close(shown_values: list[float], expected: list[float]) -> bool:
    """Equal to the 4 significant digits the page shows (float dust like 2e-18 shows as 0)."""
    pairs = zip(shown_values, expected, strict=False)
    return len(shown_values) == len(expected) and all(
        math.isclose(s, e, rel_tol=1e-3, abs_tol=1e-9) for s, e in pairs
    )


def chain_factors(page) -> list[float]:
    """The factors of the chain card's product, at full precision (data-v)."""
    values = page.locator("#chain .chain-product .factor").evaluate_all(
        "els => els.map(e => e.dataset.v)"
    )
    return [float(v) for v in values]


def test_page_loads_without_console_errors(tab: Tab) -> None:
    tab.open()
    page = tab.page
    assert tab.counter() == "Step 1 of 13"
    assert "Forward" in page.inner_text("#step-title")
    assert page.locator(".net .node").count() == 3 + 4 + 3 + 3
    assert page.locator(".net .hit").count() == 4 * 3 + 3 * 4 + 3 * 3
    hrefs = page.locator("nav.pages a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert {"/", "/network"} <= set(hrefs)
    # CSP-safe markup: no inline script, no on* attribute
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    on_attributes = page.evaluate(
        "() => [...document.querySelectorAll('*')]"
        ".flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'))"
    )
    assert on_attributes == []
    tab.shot("step1")
    tab.assert_clean()


def test_stepping_shows_the_walkthrough_numbers(tab: Tab, api) -> None:
    trace = api()
    back = {b["layer"]: b for b in trace["backward"]}
    tab.open()
    page = tab.page

    tab.go(5)  # the output delta: walk-through step 3
    assert "softmax + cross-entropy" in page.inner_text("#step-title")
    assert page.inner_text("#walk") == "walk-through step 3"
    assert close(tab.cells("dz3"), [0.5, -0.5, 0.0])  # the walk-through's numbers
    assert close(tab.cells("dz3"), back[3]["dz"])
    tags = page.locator('.net .node[data-layer="3"] .gtag text').all_text_contents()
    assert close([shown(t) for t in tags], [0.5, -0.5, 0.0])
    tab.shot("output-delta")

    page.click("#back")
    assert tab.counter() == "Step 4 of 13"
    assert close([shown(page.inner_text(".big-value .value"))], [trace["loss"]])

    tab.go(8)  # layer 2's ReLU: the unit that was off blocks its gradient
    assert page.inner_text("#step-title") == "Layer 2 — ReLU"
    assert close(tab.cells("mask2"), [1.0, 1.0, 0.0])
    assert close(tab.cells("dz2"), back[2]["dz"])
    assert page.locator('.step-mats [data-name="dz2"] .cell.blocked').count() == 1
    assert page.locator(".net .gtag.blocked").count() == 1
    tab.shot("relu")

    tab.go(13)  # gradient descent, then the loss after it
    assert page.is_disabled("#next")
    for layer in (1, 2, 3):
        page.click(f'.layer-tabs .tab[data-layer="{layer}"]')
        updated = trace["updated"][layer - 1]
        assert close(tab.cells(f"W{layer}new"), [v for row in updated["W"] for v in row])
        assert close(tab.cells(f"b{layer}new"), updated["b"])
    page.click('.layer-tabs .tab[data-layer="1"]')
    assert close([shown(page.inner_text("#loss-after"))], [trace["loss_after"]])
    tab.shot("update")
    tab.assert_clean()


def test_arrow_keys_step_but_not_while_typing_and_the_url_keeps_the_view(tab: Tab, api) -> None:
    tab.open()
    page = tab.page
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert tab.counter() == "Step 3 of 13"
    page.keyboard.press("ArrowLeft")
    assert tab.counter() == "Step 2 of 13"
    page.focus("#lr")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowRight")
    assert tab.counter() == "Step 2 of 13"
    page.wait_for_function("() => location.hash.includes('step=2')")
    page.locator("#next").focus()  # out of the field: P toggles presentation mode
    page.keyboard.press("p")
    assert "presenting" in page.get_attribute("body", "class")
    tab.go(8)
    tab.shot("present")
    page.keyboard.press("p")
    assert "presenting" not in page.get_attribute("body", "class")

    # a link reproduces a view: step and learning rate
    expected = api(example="classic", lr=0.05)
    tab.open("#step=13&lr=0.05")
    assert tab.counter() == "Step 13 of 13"
    assert page.input_value("#lr") == "0.05"
    assert close([shown(page.inner_text("#loss-after"))], [expected["loss_after"]])
    tab.assert_clean()


def test_clicking_a_weight_shows_its_chain(tab: Tab, api) -> None:
    tab.open("#step=9")
    page = tab.page
    # click the edge W2[1,0] a quarter of the way along (where no other edge crosses it)
    line = page.locator('.net .hit[data-w="2,1,0"]')
    x1, y1, x2, y2 = (float(line.get_attribute(a)) for a in ("x1", "y1", "x2", "y2"))
    box = page.locator("#net").bounding_box()
    page.mouse.click(box["x"] + x1 + 0.25 * (x2 - x1), box["y"] + y1 + 0.25 * (y2 - y1))
    page.wait_for_selector("#chain:not([hidden]) .chain-product")

    gradient = api()["backward"][1]["dW"][1][0]  # layer 2 (backward is last layer first)
    chain = api(example="classic", chain={"layer": 2, "row": 1, "col": 0})["chain"]
    factors = chain_factors(page)
    assert len(factors) == 3  # dL/da2[1], 1[z2[1] > 0], a1[0]
    assert math.prod(factors) == pytest.approx(gradient)
    assert chain["value"] == pytest.approx(gradient) == -10
    assert shown(page.inner_text("#chain .chain-value")) == pytest.approx(gradient)
    assert "W2[2,1]" in page.inner_text("#chain h2").replace("\n", "")  # numbered from 1
    assert page.locator(".net .edge.chain-sel").count() == 1
    assert page.locator(".net .edge.chain-next").count() == 3
    page.wait_for_function("() => location.hash.includes('w=2,1,0')")
    tab.shot("chain")

    # a cell of a dL/dW matrix works the same way
    tab.go(12)
    page.click('.step-mats [data-name="dW1"] .cell[data-i="2"][data-j="2"]')
    page.wait_for_function("() => document.querySelector('#chain h2').innerText.includes('[3,3]')")
    factors = chain_factors(page)
    assert math.prod(factors) == pytest.approx(api()["backward"][2]["dW"][2][2]) == -7.5

    page.keyboard.press("Escape")
    page.wait_for_selector("#chain", state="hidden")
    tab.assert_clean()


def test_editing_the_input_and_running_again_changes_the_numbers(tab: Tab, api) -> None:
    classic = api()
    layers = [{"W": ly["W"], "b": ly["b"], "activation": ly["activation"]}
              for ly in classic["layers"]]
    layers[-1]["activation"] = None
    expected = api(layers=layers, loss="cross_entropy", x=[1, 1, 3], y=[0, 1, 0], lr=0.01)
    tab.open()
    page = tab.page
    before = tab.cells("z1")
    page.click("#edit")
    page.fill("#ed-x", "1, 1, 3")
    page.click("#ed-run")
    page.wait_for_selector("#example-name:has-text('your network')")
    after = tab.cells("z1")
    assert after != before
    assert close(after, expected["forward"][0]["z"])
    assert close(tab.cells("x"), [1, 1, 3])
    page.wait_for_function("() => /x=1,1,3/.test(location.hash) && /net=/.test(location.hash)")
    tab.shot("edited")

    # the link reopens the edited example
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert close(tab.cells("z1"), expected["forward"][0]["z"])
    tab.assert_clean()


def test_a_bad_edit_shows_the_servers_message_next_to_the_field(tab: Tab, api) -> None:
    tab.expected_422s = True
    tab.open()
    page = tab.page
    z1 = tab.cells("z1")
    page.click("#edit")

    page.fill("#ed-y", "0.5, 1, 0")
    page.click("#ed-run")
    error = page.locator('[data-field="y"] .field-error')
    error.wait_for(state="visible")
    assert "probability vector" in error.inner_text()
    assert page.get_attribute("#ed-y", "aria-invalid") == "true"
    assert tab.cells("z1") == z1  # nothing changed
    tab.shot("bad-edit")

    page.fill("#ed-y", "0, 1, 0")
    page.fill("#ed-W1", "1, 0, 1\n0, 1\n1, 1, 0\n-1, 0, 1")
    page.click("#ed-run")
    error = page.locator('[data-field="layers.0.W"] .field-error')
    error.wait_for(state="visible")
    assert "3 values" in error.inner_text()
    assert page.locator('[data-field="y"] .field-error').is_hidden()

    page.fill("#ed-W1", "1, 0, 1\n0, one, -1\n1, 1, 0\n-1, 0, 1")
    page.click("#ed-run")
    error.wait_for(state="visible")
    assert "must be a number" in error.inner_text()  # plain words, not the validator's

    refused = api(example="classic", lr=50)
    page.fill("#lr", "50")
    page.press("#lr", "Enter")
    page.locator("#lr-error").wait_for(state="visible")
    assert refused["detail"][0]["msg"] == "Input should be less than or equal to 10"
    assert page.inner_text("#lr-error") == "must be at most 10"
    assert tab.cells("z1") == z1
    tab.assert_clean()


def big_network_hash() -> tuple[str, list[dict[str, Any]]]:
    """A link with an edited network over the link's 1,500 characters (3 -> 12 -> 12 -> 2)."""
    sizes = [3, 12, 12, 2]
    layers = []
    for n, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:], strict=False)):
        W = [[round(((r * 7 + c * 3 + n) % 11 - 5) / 9.1, 5) for c in range(fan_in)]
             for r in range(fan_out)]
        b = [round((r % 3 - 1) / 7.3, 5) for r in range(fan_out)]
        layers.append({"W": W, "b": b, "activation": "tanh" if n < 2 else None})
    net = "~".join(
        ";".join(",".join(str(v) for v in row) for row in ly["W"]) + "/" + ",".join(
            str(v) for v in ly["b"]) + (f"/{ly['activation']}" if ly["activation"] else "")
        for ly in layers)
    assert len(net) > 1500
    return f"#net={net}&x=1,2,3&y=0,1&loss=cross_entropy", layers


def test_a_network_too_big_for_the_link_survives_a_reload_and_a_new_browser(
    tab: Tab, api, browser_context
) -> None:
    hash_, layers = big_network_hash()
    expected = api(layers=layers, loss="cross_entropy", x=[1, 2, 3], y=[0, 1])
    assert "forward" in expected, expected
    tab.open(hash_)
    page = tab.page
    page.wait_for_function("() => /(^|[#&])state=[A-Za-z0-9_-]{10}(&|$)/.test(location.hash)")
    assert "net=" not in page.evaluate("location.hash")
    assert page.locator("#link-note").is_hidden()
    assert close(tab.cells("z1"), expected["forward"][0]["z"])
    link = page.evaluate("location.href")

    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert close(tab.cells("z1"), expected["forward"][0]["z"])
    assert close(tab.cells("x"), [1, 2, 3])
    tab.assert_clean()

    other_context = browser_context.browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        other = Tab(other_context.new_page(), tab.base)
        other.page.on("console",
                      lambda m: other.errors.append(m.text) if m.type == "error" else None)
        other.page.goto(link)
        other.page.wait_for_selector("body[data-ready='1']")
        assert close(other.cells("z1"), expected["forward"][0]["z"])
        other.assert_clean()
    finally:
        other_context.close()


def test_an_overflowed_relu_unit_is_off_only_if_its_output_is_0(tab: Tab, api) -> None:
    """z = +inf and z = -inf both arrive as null: the first unit is on (a = inf), the second off
    (a = 0). JavaScript's null <= 0 once marked both off."""
    net = {"layers": [{"W": [[1e200, 1e200], [-1e200, 1]], "b": [0, 0], "activation": "relu"},
                      {"W": [[1, 1], [1, -1]], "b": [0, 0]}],
           "loss": "cross_entropy", "x": [1e200, 1e200], "y": [0, 1]}
    trace = api(**net)
    assert trace["forward"][0]["z"] == [None, None] and trace["forward"][0]["a"] == [None, 0]
    tab.open("#step=1&net=1e200,1e200;-1e200,1/0,0/relu~1,1;1,-1/0,0&x=1e200,1e200&y=0,1"
             "&loss=cross_entropy")
    off = "(sel) => [...document.querySelectorAll(sel)].map(e => e.classList.contains('off'))"
    assert tab.page.evaluate(off, ".net .node[data-layer='1']") == [False, True]
    assert tab.page.evaluate(off, '.step-mats [data-name="a1"] .cell') == [False, True]
    assert "unit 2, so ReLU turns it off" in tab.page.inner_text("#step-words")
    tab.assert_clean()
