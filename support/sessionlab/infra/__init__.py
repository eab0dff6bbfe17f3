"""Infrastructure: what runs the labs (servers, Redis processes, Chromium, wire traces, plots, temp files).

Imports nothing else of sessionlab: every other layer may import it.
"""
