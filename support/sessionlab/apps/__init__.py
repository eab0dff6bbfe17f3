"""Flask app factories (secure apps and their ⚠️ VULNERABLE twins), built from ``sessionlab.web``.

May import ``sessionlab.web`` and ``sessionlab.infra``.
"""
