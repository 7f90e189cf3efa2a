"""A typed question → answer a topic at once, offer a choice, or admit not knowing.

    question ─┬─ classifier (model.py): P(topic | question) for every topic ─┐
              └─ keyword matcher (matcher/): follow-ups to the last topic ────┴─> Match

The classifier decides, from its probabilities:

- the emergency topic with any real probability (``emergency``) is the emergency
  answer at once: a false alarm costs one screen, a miss can cost a life;
- the likeliest topic at ``answer`` or more, ``margin`` ahead of the next, is answered
  at once — a message of a single word only at ``one_word`` or more: a lone word
  ("документы", "работа", "Россия") names a subject, rarely the question;
- at ``offer`` or more, the three likeliest are offered ("did you mean");
- below, or when "unrelated" (questions the bot does not cover) wins, nothing.

The keyword matcher still answers a short follow-up ("а сколько стоит?") from the
conversation's last topic, and answers alone while no model has been trained yet (the
first seconds after start, or when the examples cannot make a model).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.model import ContentTree
from bot.understanding.features import words_of
from bot.understanding.matcher import Match, index_ready, match
from bot.understanding.matcher.index import MatcherIndex
from bot.understanding.model import Model, model_ready
from bot.understanding.train import UNRELATED


@dataclass(frozen=True)
class Thresholds:
    """Probabilities that decide; chosen on the tune split of tests/data/questions.tsv
    by ``scripts/eval_matcher.py --grid`` for the best utility (a right answer +1, a
    wrong one -3, a choice holding the right topic +0.5, not understanding -0.5)."""

    answer: float = 0.4
    offer: float = 0.15
    emergency: float = 0.15
    unrelated: float = 0.3
    #: … and at least this far ahead of the runner-up: a close second means the question
    #: touches two topics, and a choice of both costs one tap where a wrong answer may
    #: cost a fine
    margin: float = 0.3
    #: A message of one word is answered at once only this sure (not searched: the tune
    #: split has no lone words but follow-ups; a choice costs one tap)
    one_word: float = 0.9


DEFAULT = Thresholds()


def decide(index: MatcherIndex, model: Model | None, text: str, language: str,
           last_topic: str | None = None, thresholds: Thresholds = DEFAULT,
           emergency_topic: str = "help.emergency",
           topics: frozenset[str] | None = None) -> Match:
    """The decision for one question; pure given the index and the model. ``topics``:
    the topics that exist now (a model trained on the content before an edit may know
    one that is gone)."""
    if model is None:
        return match(index, text, language, last_topic=last_topic)
    ranked = model.rank(text)
    if topics is not None:
        ranked = tuple(item for item in ranked if item[0] in topics or item[0] == UNRELATED)
    if not ranked:
        return Match("none", (), language)
    probability = dict(ranked)
    topics = tuple((t, p) for t, p in ranked if t != UNRELATED)[:3]
    if probability.get(emergency_topic, 0.0) >= thresholds.emergency:
        rest = tuple(item for item in topics if item[0] != emergency_topic)[:2]
        return Match("answer", ((emergency_topic, probability[emergency_topic]), *rest),
                     language)
    if last_topic:
        keyword = match(index, text, language, last_topic=last_topic)
        if keyword.follow_up:
            return keyword
    best_class, best = ranked[0]
    if best_class == UNRELATED and best >= thresholds.unrelated:
        return Match("none", topics, language)
    runner_up = topics[1][1] if len(topics) > 1 else 0.0
    sure = thresholds.one_word if len(words_of(text)) == 1 else thresholds.answer
    if topics and topics[0][1] >= sure and topics[0][1] - runner_up >= thresholds.margin:
        return Match("answer", topics, language)
    if topics and topics[0][1] >= thresholds.offer:
        return Match("didyoumean", topics, language)
    return Match("none", topics, language)


async def understand(tree: ContentTree, text: str, language: str,
                     last_topic: str | None = None) -> Match:
    """What a question asks, with the model and index of ``tree`` (built if needed)."""
    index = await index_ready(tree)
    model = await model_ready(tree)
    return decide(index, model, text, language, last_topic,
                  emergency_topic=tree.emergency_topic, topics=frozenset(tree.topic_ids))
