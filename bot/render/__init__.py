"""Renderers: a neutral Reply → what one channel can show. Each knows its channel's limits."""
