"""Exercise checkers, one module per notebook (``ex02`` for 02, 02a, 02b), all returning ``base.CheckResult``.

May import every other layer: a checker may run an app to see whether an answer works.
"""
