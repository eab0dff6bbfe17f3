"""Command-line entry points (``python -m sessionlab ...``): run a course app outside a notebook."""
