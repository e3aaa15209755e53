"""A real browser for the HTML tests: headless Chromium (the Debian package, /usr/bin/chromium) driven
over the DevTools protocol with `websockets` — no browser download, no Node, nothing but loopback.

    with Browser(tmp_path) as b:
        b.open(page.as_uri())
        b.click("tr.flag-row")              # a real mouse press/release at the element's centre
        b.eval("document.title")            # a JavaScript expression's value
        b.screenshot(tmp_path / "x.png")

Chromium runs with a fresh profile, no network services, and audio allowed to play without a user
gesture (the tests mute it), so a test can press play as a person would.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required",
         "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
         "--disable-extensions", "--mute-audio", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"]


class BrowserError(RuntimeError):
    pass


class Browser:
    def __init__(self, tmp: Path, width: int = 1200, height: int = 1600, timeout: float = 60.0) -> None:
        if not Path(CHROMIUM).exists():
            pytest.skip("chromium is not installed (scripts/setup-system.sh installs it)")
        self.width, self.height, self.timeout = width, height, timeout
        profile = tmp / "chromium-profile"
        profile.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}",
                                      f"--window-size={width},{height}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode(errors="replace")[-2000:] if self.proc.stderr else ""
                self.close()
                raise BrowserError(f"chromium did not start: {err}")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        targets: list[dict[str, Any]] = []
        while not targets:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                targets = [t for t in json.load(r) if t.get("type") == "page"]
            if not targets:
                time.sleep(0.05)
        from websockets.sync.client import connect

        self._conn = connect(targets[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=timeout)
        self.ws = self._conn.__enter__()
        self._id = 0
        self.events: list[dict[str, Any]] = []
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    # ------------------------------------------------------------------ protocol
    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._id += 1
        my = self._id
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"{method}: no answer in {self.timeout} s")
            msg = json.loads(self.ws.recv(timeout=left))
            if msg.get("id") == my:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error']}")
                return dict(msg.get("result", {}))
            self.events.append(msg)

    def wait_event(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method:
                    return dict(self.events.pop(i).get("params", {}))
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no {method} in {self.timeout} s")
            self.events.append(json.loads(self.ws.recv(timeout=left)))

    # ------------------------------------------------------------------ what a test does
    def open(self, url: str) -> None:
        self.events.clear()
        self.send("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def eval(self, expression: str, *, await_promise: bool = False) -> Any:
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=await_promise,
                      userGesture=True)
        if "exceptionDetails" in r:
            raise BrowserError(f"{expression[:80]}: {r['exceptionDetails'].get('exception', r['exceptionDetails'])}")
        return r.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 20.0, interval: float = 0.1) -> Any:
        """Poll until the expression is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            v = self.eval(expression)
            if v:
                return v
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {expression!r} (last value {v!r})")
            time.sleep(interval)

    def click(self, selector: str) -> tuple[float, float]:
        """Scroll the element into view and click its centre with the mouse, as a person would."""
        box = self.eval(f"""(() => {{ const el = document.querySelector({json.dumps(selector)});
            if (!el) return null; el.scrollIntoView({{block: 'center'}});
            const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()""")
        if box is None:
            raise BrowserError(f"no element matches {selector!r}")
        x, y = float(box[0]), float(box[1])
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)
        return x, y

    def screenshot(self, png: Path, *, full_page: bool = False) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            h = int(self.eval("document.documentElement.scrollHeight"))
            params["clip"] = {"x": 0, "y": 0, "width": self.width, "height": h, "scale": 1}
            params["captureBeyondViewport"] = True
        png.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", **params)["data"]))
        return png

    # ------------------------------------------------------------------ lifetime
    def close(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is not None:
            conn.__exit__(None, None, None)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
