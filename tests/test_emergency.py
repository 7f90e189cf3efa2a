"""Danger words in every language go to the emergency answer before anything else; an
ordinary question that merely opens with "help me" does not."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import ROOT
from bot.content.loader import load_content
from bot.content.model import ContentTree
from bot.engine import HELP_WORDS
from bot.understanding import danger as emergency
from bot.understanding.danger import is_emergency
from bot.understanding.evaluate import load_questions
from tests.conversation import Conversation

DANGER = [
    # ru, also typed in Latin letters, with lookalike letters and typos people make
    "меня бьют", "Помогите!!!", "помогите пожалуйста срочно", "Срочно нужна помощь",
    "нас заперли и не отпускают", "хозяин угрожает убить", "меня избили на стройке",
    "держат силой на складе", "заставляют работать бесплатно", "торговля людьми",
    "торговля людей", "меня продали", "хочу покончить с собой", "не хочу жить",
    "вызовите полицию",
    "pomogite", "pomogite menya izbili", "ne otpuskayut domoy", "b'yut", "пaмагите",
    "мы в опасности",
    # ky
    "мени сабап жатышат", "жардам бергиле!!!", "бизди камап коюшту", "адам сатуу",
    "кожоюн коркутуп жатат", "мажбурлап иштетип жатышат", "жашагым келбейт",
    "куткаргыла", "милиция чакыргыла",
    # tg
    "маро мезананд", "ёрӣ диҳед!!!", "ёри дихед", "моро дар хона қулф карданд",
    "савдои одамон", "маҷбур мекунанд, ки бе музд кор кунам", "худкушӣ",
    "наҷот диҳед", "раҳо намекунанд",
    # uz, both scripts and any apostrophe
    "meni urishyapti", "yordam bering!!!", "bizni qamab qo'yishdi, chiqarmayapti",
    "odam savdosi", "majburlab ishlatishyapti", "qutqaring", "o‘zimni o‘ldiraman",
    "ёрдам беринг", "мени уришяпти", "бизни қамаб қўйишди", "yordam bering iltimos tez",
    # en
    "help me", "SOS", "trafficking",
]

NOT_DANGER = [
    # a plea that opens an ordinary question is the question
    "помощь с патентом", "помогите оплатить патент", "помогите с регистрацией",
    "срочно нужна помощь с патентом", "жардам бергиле патент төлөө боюнча",
    "yordam bering patent to'lovi", "ёрӣ диҳед, патентро чӣ тавр пардохт кунам",
    # words near danger that are not danger
    "задержка зарплаты", "задержали зарплату", "работодатель держит паспорт",
    "не выплачивают", "полиция проверяет регистрацию", "маҷбурам патент гирам",
    "занг заданд", "ishdan chiqarishdi", "қамоқ муддати",
    # the bot's own help and menu words
    *sorted(HELP_WORDS), "menu", "0",
]


@pytest.mark.parametrize("text", DANGER)
def test_danger_is_recognised(text):
    assert is_emergency(text)


@pytest.mark.parametrize("text", NOT_DANGER)
def test_ordinary_words_are_not_an_alarm(text):
    assert not is_emergency(text)


@cache
def shipped() -> ContentTree:
    return load_content(ROOT / "content")


def Chat(channel: str = "sms") -> Conversation:
    return Conversation(shipped(), channel=channel, key="e" * 64)  # type: ignore[arg-type]


@pytest.mark.parametrize("channel", ["telegram", "sms", "simulator"])
async def test_danger_interrupts_any_menu_position(channel):
    chat = Chat(channel)
    await chat.say(option="l:ky")
    await chat.say(option="m:permits")
    reply = await chat.say("мени сабап жатышат")
    assert reply.kind == "emergency" and reply.topic == "help.emergency"
    assert reply.language == "ky"


async def test_a_first_message_in_danger_needs_no_language_menu():
    reply = await Chat().say("yordam bering!!!")
    assert reply.kind == "emergency" and reply.topic == "help.emergency"


async def test_the_emergency_answer_offers_the_topic_asked_about():
    chat = Chat()
    await chat.say(option="l:ru")
    reply = await chat.say("торговля людьми")
    assert reply.kind == "emergency"
    assert reply.options[0].id == "t:scams.trafficking"
    reply = await chat.say("1")  # the SMS reader picks it by its number
    assert reply.topic == "scams.trafficking"


async def test_a_question_opening_with_a_plea_is_answered():
    chat = Chat()
    await chat.say(option="l:ru")
    reply = await chat.say("помогите, работодатель забрал паспорт")
    assert reply.kind in {"search", "didyoumean"}
    assert reply.topic == "scams.passport-taken" or any(
        o.id == "t:scams.passport-taken" for o in reply.options)


# -- the phrase index answers exactly as trying every phrase at every word did -------------

def _reference(text: str) -> bool:
    """The first, plain version of ``is_emergency``: every phrase tried at every word."""
    from bot.understanding.danger import _begins, _danger, _fillers, _pleas, skeletons

    def find(phrase: tuple[str, ...], words: list[str]) -> list[int] | None:
        for start, word in enumerate(words):
            if not _begins(phrase[0], word):
                continue
            positions, at = [start], start
            for stem in phrase[1:]:
                nxt = next((i for i in range(at + 1, min(at + 4, len(words)))
                            if _begins(stem, words[i])), None)
                if nxt is None:
                    break
                positions.append(nxt)
                at = nxt
            else:
                return positions
        return None

    for words in (skeletons(text, "ru"), skeletons(text, None)):
        if any(find(phrase, words) is not None for phrase in _danger()):
            return True
        used: set[int] = set()
        for phrase in _pleas():
            found = find(phrase, words)
            if found is not None:
                used.update(found)
        if used and all(i in used or word in _fillers() or word.isdigit()
                        for i, word in enumerate(words)):
            return True
    return False


def _pieces(block: str) -> list[str]:
    """Whole phrases of a block of ``handlers.emergency`` and each of their words."""
    phrases = [" ".join(p.split()) for p in block.split("|") if p.strip()]
    return sorted({*phrases, *(word for phrase in phrases for word in phrase.split())})


# Words at the edges of the rules: one after another, at most three positions apart, whole
# for stems of up to three letters, the first place a phrase starts, pleas beside fillers.
EDGES = [
    "не x отпускают", "не x y отпускают", "не x y z отпускают", "не не не не отпускают",
    "не хочу x жить", "не x хочу y z жить", "держат x y в подвале", "держат в x y z подвале",
    "yordam patent yordam bering", "yordam bering patent yordam", "yordam x y bering",
    "yordam x y z bering", "yordam bering yordam бер", "жардам жардам бер",
    "жардам бергиле 1 2 3", "нужна x помощь", "нужна помощь", "нужна помощь с патентом",
    "помогите нам 100", "помогите нам100",
    "sos", "soss", "so s", "help x me", "help x y z me", "Ёрӣ диҳед", "ёрӣ диҳед ёрӣ",
    "кто-нибудь помогите", "кто нибудь помогите", "помогите!!! 😀", "", "!!!", "1 2 3",
]


def test_the_index_agrees_with_trying_every_phrase_on_real_messages():
    texts = [q.text for q in load_questions(ROOT / "tests" / "data" / "questions.tsv")]
    for line in (ROOT / "tests" / "data" / "first_messages.tsv").read_text(
            encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            texts.append(line.split("\t")[-1])
    texts += DANGER + NOT_DANGER + EDGES
    texts += [f"{a} {b}" for a in DANGER[:20] for b in DANGER[-20:]]
    assert len(texts) > 500
    for text in texts:
        assert is_emergency(text) == _reference(text), text


@st.composite
def messages(draw: st.DrawFn) -> str:
    """Pieces of phrases, fillers and other words in any order. The danger words are left
    out of half the messages: one of them anywhere is an alarm, and the pleas and fillers
    rule is only reached without them."""
    other = st.one_of(
        st.sampled_from(["патент", "работа", "ish", "иш", "кор", "1", "25", "!!!", "😀",
                         "\u200f", "не", "в", "с", "x", "мени", "meni", "я", "pomogite",
                         "пaмогите", "ёрдам", "беринг", "o‘zimni", "b'yut", "бьют,"]),
        st.text(max_size=8))
    pools = [st.sampled_from(_pieces(emergency._PLEAS)),
             st.sampled_from(emergency._FILLERS.split()), other]
    if draw(st.booleans()):
        pools.append(st.sampled_from(_pieces(emergency._DANGER)))
    return " ".join(draw(st.lists(st.one_of(*pools), max_size=12)))


@given(messages())
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_index_agrees_with_trying_every_phrase_on_generated_messages(text):
    assert is_emergency(text) == _reference(text), text
