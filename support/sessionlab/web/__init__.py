"""Web building blocks a real app would use: session stores, passwords, ids, tokens, the balancer.

May import ``sessionlab.infra`` only.
"""
