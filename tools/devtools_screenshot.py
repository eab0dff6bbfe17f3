"""Regenerate notebooks/images/devtools_cookies.png: a real Chromium's DevTools showing a lab cookie.

For maintainers, not part of the tests: needs Xvfb, xwd and xdotool (Debian: apt-get install xvfb
x11-apps xdotool) and a system Chromium. It serves 01's cookie app, opens /prefs?theme=dark in a
headful Chromium on a virtual screen with DevTools on the Application panel, selects Cookies, and
saves the screen. Usage: python tools/devtools_screenshot.py
"""

import json
import os
import struct
import subprocess
import tempfile
import time
from pathlib import Path

from PIL import Image

from sessionlab import serve
from sessionlab.apps.cookie import create_cookie_app

OUT = Path(__file__).resolve().parents[1] / "notebooks" / "images" / "devtools_cookies.png"


def xwd_to_png(raw: bytes, out: Path, width: int = 1000) -> None:
    """xwd's dump (32-bit TrueColor, least significant byte first) as a PNG ``width`` pixels wide."""
    h = struct.unpack(">25I", raw[:100])
    size, w, height, per_line, ncolors = h[0], h[4], h[5], h[12], h[19]
    start = size + ncolors * 12
    im = Image.frombuffer(
        "RGB", (w, height), raw[start : start + per_line * height], "raw", "BGRX", per_line, 1
    )
    im.resize((width, height * width // w), Image.LANCZOS).save(out, optimize=True)


def main() -> None:
    srv = serve(create_cookie_app(), name="devtools-shot")
    profile = Path(tempfile.mkdtemp())
    (profile / "Default").mkdir()
    prefs = {
        "devtools": {
            "preferences": {
                "panel-selected-tab": json.dumps("resources"),
                "currentDockState": json.dumps("bottom"),
            }
        }
    }
    (profile / "Default" / "Preferences").write_text(json.dumps(prefs))
    xvfb = subprocess.Popen(["Xvfb", ":99", "-screen", "0", "1400x900x24"], stderr=subprocess.DEVNULL)
    env = {**os.environ, "DISPLAY": ":99"}
    time.sleep(1)
    chrome = subprocess.Popen(
        [
            "chromium",
            "--no-sandbox",
            "--test-type",
            f"--user-data-dir={profile}",
            "--window-size=1400,900",
            "--window-position=0,0",
            "--no-first-run",
            "--auto-open-devtools-for-tabs",
            "--lang=ko",
            srv.url + "/prefs?theme=dark",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(7)

        def xdo(*args: str) -> None:
            subprocess.run(["xdotool", *args], env=env, check=True)

        xdo("mousemove", "75", "893")  # Storage → Cookies in the Application panel's tree
        xdo("click", "1")
        for key in ("Right", "Down", "Return"):  # open it, pick this server's origin
            time.sleep(0.5)
            xdo("key", key)
        time.sleep(1.5)
        raw = subprocess.run(["xwd", "-root", "-display", ":99"], capture_output=True, check=True).stdout
        xwd_to_png(raw, OUT)
    finally:
        chrome.terminate()
        chrome.wait(10)
        xvfb.terminate()
        xvfb.wait(10)
        srv.stop()
    print(OUT)


if __name__ == "__main__":
    main()
