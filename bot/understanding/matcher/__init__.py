"""Understanding typed questions: a question in any of the bot's languages and scripts,
with typos and inflections, → the topic it asks about (see ``match.py`` for the flow).

Modules: ``normalize`` (scripts and spellings → one skeleton), ``stem`` (inflections →
index terms), ``stopwords``, ``bm25`` (ranking), ``index`` (one index per content tree),
``match`` (ranking, confidence, conversation context).
"""

from bot.understanding.matcher.index import MatcherIndex, build_index, index_for, index_ready
from bot.understanding.matcher.match import DEFAULT, Match, Thresholds, match

__all__ = ["DEFAULT", "Match", "MatcherIndex", "Thresholds", "build_index", "index_for",
           "index_ready", "match"]
