"""The content checks, one module per concern; :mod:`bot.content.check` runs them all.

Each module has ``check(file: TopicFile) -> Iterator[Problem]`` for one topic file, and
:mod:`.tree` has the checks of the whole folder (menu, translations, side files).
"""
