"""Notebook-facing helpers, one module per notebook (``lab02`` for 02_session_login, ...).

May import apps, web and infra. A lab may reuse an earlier lab of the same question (02a uses lab02).
"""
