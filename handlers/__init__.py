"""Conversation handlers: each module answers one kind of moment in the conversation.

The engine (``bot/engine.py``) routes to them; each takes a ``Context`` and returns
``(Reply, Session)``. See ``handlers/README.md`` for the flow as a diagram.
"""
