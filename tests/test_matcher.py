"""Free-text questions: folding of scripts and spellings, inflections, typos, ranking,
confidence, conversation context — and the accuracy on the project's labelled set."""

from __future__ import annotations

import gc
from types import MappingProxyType

import pytest

from bot.config import ROOT
from bot.content.loader import derive_uz_cyrillic, load_content
from bot.content.model import ContentTree, Module, TopicText
from bot.engine import Context
from bot.i18n import catalogs
from bot.types import LANGUAGES, Incoming, Session
from bot.understanding.matcher import build_index, index_for, match
from bot.understanding.matcher.index import MAX_ANSWERS
from bot.understanding.matcher.normalize import skeleton, skeletons
from bot.understanding.matcher.stem import term
from handlers.search import did_you_mean
from tests.conversation import Conversation

# --- folding: one key for every way of typing a word ---------------------------------


@pytest.mark.parametrize(("typed", "written"), [
    ("кайд", "қайд"),                   # Russian к for Kyrgyz/Tajik қ
    ("тузуу", "түзүү"),                 # у for ү
    ("мооноту", "мөөнөтү"),             # о for ө
    ("хуҷҷат", "ҳуҷҷат"),               # х for ҳ
    ("чарима", "ҷарима"),               # ч for ҷ
    ("русияги", "русиягӣ"),             # и for ӣ
    ("тун", "тӯн"),                     # у for ӯ
    ("менин", "мениң"),                 # н for ң
    ("пaспорт", "паспорт"),             # a Latin "a" inside a Cyrillic word
    ("pаsport", "pasport"),             # a Cyrillic "а" inside a Latin word
    ("учет", "учёт"),                   # ё/е in Russian
    ("ПАТЕНТ", "патент"),
    ("o‘zbekiston", "o'zbekiston"),     # every Uzbek apostrophe
    ("oʻzbekiston", "ozbekiston"),      # … and none at all
    ("ўзбекистон", "o'zbekiston"),      # Uzbek Cyrillic = Latin
    ("рўйхат", "ro'yxat"),
    ("ёрдам", "yordam"),
    ("registraciya", "регистрация"),    # Russian typed in Latin letters
    ("zarplata", "зарплата"),
    ("pasport", "паспорт"),
])
def test_spellings_fold_to_one_key(typed, written):
    language = "ru" if "ё" in written else None
    assert skeleton(typed, yo_as_e=language == "ru") == skeleton(written, yo_as_e=language == "ru")


def test_punctuation_and_emoji_are_not_words():
    assert skeletons("Патент??? 😭🙏 !!! ... —", "ru") == ["patent"]
    assert skeletons("🔥🔥🔥", "ru") == []


# --- inflection: agglutinated and inflected forms reach their word --------------------


@pytest.mark.parametrize(("form", "base", "language"), [
    ("паспортумду", "паспорт", "ky"),
    ("паспортумду", "pasport", "ky"),
    ("pasportimni", "pasport", "uz"),
    ("паспортимни", "pasport", "uz-Cyrl"),
    ("шиносномаамро", "шиноснома", "tg"),
    ("шиносномаи", "шиноснома", "tg"),
    ("патентом", "патент", "ru"),
    ("оплатить", "оплата", "ru"),
    ("каттоодон", "каттоо", "ky"),
    ("ishga", "ish", "uz"),
])
def test_word_forms_reach_their_base(form, base, language):
    assert term(skeleton(form), language) == term(skeleton(base), language)


# --- ranking and confidence, on a small tree of our own -------------------------------


def _text(topic_id: str, language: str, title: str, keywords: str, body: str) -> TopicText:
    return TopicText(topic_id=topic_id, language=language, title=title, body=body, sms="",
                     keywords=tuple(k.strip() for k in keywords.split(",")), sources=(),
                     reviewed=None)


@pytest.fixture(scope="module")
def small() -> ContentTree:
    rows = [
        ("a.passport", "ru", "Работодатель забрал паспорт", "паспорт, документы отобрали",
         "Держать чужой паспорт запрещено. Потребуйте паспорт назад."),
        ("a.wages", "ru", "Не платят зарплату", "зарплата, долг по зарплате, жалоба",
         "Запишите часы работы и обратитесь в инспекцию труда."),
        ("a.patent", "ru", "Патент на работу", "патент, оформить патент, стоимость патента",
         "Патент оформляют в миграционном центре. Стоимость зависит от региона."),
        ("a.payment", "ru", "Оплата патента", "оплата патента, авансовый платеж, чек",
         "Платите за патент каждый месяц до конца оплаченного срока."),
        ("a.passport", "ky", "Иш берүүчү паспортту алып койду", "паспорт",
         "Башка адамдын паспортун кармоого болбойт."),
        ("a.wages", "ky", "Айлык төлөнбөйт", "айлык төлөбөйт, маяна",
         "Иштеген сааттарыңызды жазыңыз."),
        ("a.patent", "ky", "Патент", "патент", "Патент миграция борборунда берилет."),
        ("a.payment", "ky", "Патентти төлөө", "патент төлөө", "Патентти ар ай сайын төлөңүз."),
        ("a.passport", "tg", "Корфармо шиносномаро гирифт", "шиноснома, паспорт",
         "Нигоҳ доштани шиносномаи каси дигар манъ аст."),
        ("a.wages", "tg", "Музди меҳнат намедиҳанд", "маош, музди меҳнат", "Соатҳоро нависед."),
        ("a.patent", "tg", "Патент", "патент", "Патент дар маркази муҳоҷират дода мешавад."),
        ("a.payment", "tg", "Пардохти патент", "пардохт", "Ҳар моҳ пардохт кунед."),
        ("a.passport", "uz", "Ish beruvchi pasportni olib qo'ydi", "pasport, hujjat",
         "Birovning pasportini ushlab turish taqiqlangan."),
        ("a.wages", "uz", "Ish haqi to'lanmayapti", "maosh, ish haqi", "Soatlarni yozib boring."),
        ("a.patent", "uz", "Patent olish", "patent", "Patent migratsiya markazida beriladi."),
        ("a.payment", "uz", "Patent to'lovi", "to'lov", "Har oy to'lang."),
    ]
    texts = {(r[0], r[1]): _text(*r) for r in rows}
    for topic_id in {r[0] for r in rows}:
        texts[(topic_id, "uz-Cyrl")] = derive_uz_cyrillic(texts[(topic_id, "uz")])
    module = Module("a", MappingProxyType({"ru": "A"}),
                    ("a.passport", "a.wages", "a.patent", "a.payment"))
    return ContentTree(modules=(module,), texts=MappingProxyType(texts))


@pytest.mark.parametrize(("question", "language", "expected"), [
    ("работодатель забрал мой паспорт", "ru", "a.passport"),
    ("rabotodatel zabral pasport", "ru", "a.passport"),           # Latin-typed Russian
    ("рабатадатель забрал паспрот", "ru", "a.passport"),          # typos
    ("паспортумду алып коюшту", "ky", "a.passport"),
    ("шиносномаамро гирифтанд", "tg", "a.passport"),
    ("шиносномамро гирифтанд", "tg", "a.passport"),               # a letter missing
    ("pasportimni olib qo'yishdi", "uz", "a.passport"),
    ("паспортимни олиб қўйишди", "uz-Cyrl", "a.passport"),       # Uzbek typed in Cyrillic
    ("pasportimni olib qoyishdi", "uz-Cyrl", "a.passport"),      # … and in Latin
    ("не платят зарплату третий месяц", "ru", "a.wages"),
    ("айлыгымды төлөбөй жатат", "ky", "a.wages"),
    ("айлыгымды толобой жатат", "ky", "a.wages"),                 # Russian letters only
])
def test_a_question_reaches_its_topic_first(small, question, language, expected):
    found = match(index_for(small), question, language)
    assert found.decision in {"answer", "didyoumean"}, found
    assert found.choices[0] == expected, found


@pytest.mark.parametrize(("question", "language", "expected"), [
    ("работодатель забрал паспорт", "ru", "a.passport"),
    ("rabotodatel zabral pasport", "ru", "a.passport"),
    ("не платят зарплату", "ru", "a.wages"),
    ("шиносномаамро гирифт", "tg", "a.passport"),
    ("pasportni olib qo'ydi", "uz", "a.passport"),
])
def test_a_clear_question_is_answered_at_once(small, question, language, expected):
    found = match(index_for(small), question, language)
    assert found.decision == "answer" and found.topic == expected, found


def test_a_question_of_mostly_unknown_words_gets_a_choice_not_an_answer(small):
    found = match(index_for(small), "купить паспорт билет самолёт поезд", "ru")
    assert found.decision == "didyoumean" and found.choices[0] == "a.passport"


def test_a_close_call_offers_the_likeliest_topics(small):
    found = match(index_for(small), "патент", "ru")
    assert found.decision == "didyoumean"
    assert set(found.choices[:2]) == {"a.patent", "a.payment"}


@pytest.mark.parametrize("question", ["какая погода завтра", "🙂🙂", "сколько стоит?", "ааа"])
def test_nothing_to_match_is_admitted(small, question):
    assert match(index_for(small), question, "ru").decision == "none"


def test_a_question_in_russian_is_understood_in_any_session_language(small):
    found = match(index_for(small), "не платят зарплату", "tg")
    assert found.topic == "a.wages" and found.language == "ru"


@pytest.mark.parametrize(("question", "language"), [
    ("сколько стоит?", "ru"), ("где?", "ru"), ("qancha?", "uz"), ("канча турат?", "ky"),
])
def test_a_follow_up_question_stays_with_the_topic_just_shown(small, question, language):
    found = match(index_for(small), question, language, last_topic="a.payment")
    assert found.topic == "a.payment" and found.follow_up


def test_context_does_not_override_a_question_about_something_else(small):
    found = match(index_for(small), "работодатель забрал паспорт", "ru",
                  last_topic="a.payment")
    assert found.topic == "a.passport"


def test_context_settles_a_close_call(small):
    assert match(index_for(small), "патент", "ru").decision == "didyoumean"
    found = match(index_for(small), "патент", "ru", last_topic="a.payment")
    assert found.topic == "a.payment"


# --- the index follows the content tree -----------------------------------------------


def test_the_index_is_built_once_per_tree_and_dropped_with_it(small):
    from bot.understanding.matcher import index as index_module

    assert index_for(small) is index_for(small)
    copy = ContentTree(modules=small.modules, texts=small.texts)
    assert index_for(copy) is not index_for(small)
    key = id(copy)
    del copy
    gc.collect()
    assert key not in index_module._cache


def test_a_reloaded_tree_is_searched_with_its_new_words(small):
    texts = dict(small.texts)
    old = texts[("a.wages", "ru")]
    texts[("a.wages", "ru")] = _text("a.wages", "ru", old.title, "расчётка, гроши", old.body)
    edited = ContentTree(modules=small.modules, texts=MappingProxyType(texts))
    assert match(index_for(small), "гроши", "ru").decision == "none"
    assert match(index_for(edited), "гроши", "ru").topic == "a.wages"


def test_a_question_asked_again_is_answered_from_memory_within_a_bound(small):
    """A viral question costs one match per index; the memory stays bounded."""
    index = build_index(small)
    first = match(index, "не платят зарплату", "ru")
    assert first.topic == "a.wages"
    assert match(index, "не платят зарплату", "ru") is first
    assert match(index, "не платят зарплату", "ky") == match(build_index(small),
                                                               "не платят зарплату", "ky")
    for n in range(MAX_ANSWERS + 10):
        match(index, f"вопрос номер {n}", "ru")
    assert len(index.answers) == MAX_ANSWERS


# --- through the engine, as every channel sees it -------------------------------------


def Chat(content: ContentTree, channel: str, language: str) -> Conversation:
    return Conversation(content, channel=channel, language=language,  # type: ignore[arg-type]
                        key="m" * 64)


@pytest.mark.parametrize("channel", ["telegram", "sms", "simulator"])
async def test_typed_questions_through_the_handlers(small, channel):
    chat = Chat(small, channel, "ru")
    reply = await chat.say("забрали паспорт на работе")
    assert reply.kind == "search" and reply.topic == "a.passport"

    # a close call: the real content, where a bare "деньги" is the money topic or
    # unpaid wages (the small tree's few words make its classifier too sure of itself)
    shipped = load_content(ROOT / "content")
    real = Chat(shipped, channel, "ru")
    reply = await real.say("деньги")
    assert reply.kind == "didyoumean"
    assert reply.blocks == ("Возможно, вы спрашиваете об одной из этих тем?",)
    ids = [o.id for o in reply.options]
    assert ids[-1] == "nav:menu" and {"t:life.money", "t:scams.unpaid-wages"} <= set(ids[:3])
    assert [o.label for o in reply.options[:-1]] == [
        shipped.title(i[2:], "ru") for i in ids[:-1]]
    chosen = ids.index("t:scams.unpaid-wages") + 1
    reply = await real.say(str(chosen))  # a digit picks a line, as on SMS
    assert reply.topic == "scams.unpaid-wages"

    reply = await chat.say("оплата патента")
    assert reply.topic == "a.payment"

    reply = await chat.say("а сколько стоит?")
    assert reply.topic == "a.payment"

    reply = await chat.say("какая погода завтра")
    assert reply.kind == "unmatched" and "112" in reply.blocks[0]
    assert any(o.id.startswith("m:") for o in reply.options)


@pytest.mark.parametrize("language", LANGUAGES)
def test_did_you_mean_is_said_in_every_language(small, language):
    languages = catalogs(ROOT / "locales")
    ctx = Context(Incoming(channel="sms", sender_key="m" * 64, text="патент"),
                  Session(key="m" * 64, language=language), small, languages, language)
    reply, session = did_you_mean(ctx, ("a.patent", "a.payment"))
    assert reply.kind == "didyoumean" and reply.language == language
    assert reply.blocks[0] != "Did you mean one of these topics?"
    assert [o.label for o in reply.options[:2]] == [
        small.title("a.patent", language), small.title("a.payment", language)]
    assert session.shown == ("t:a.patent", "t:a.payment", "nav:menu")


async def test_the_simulator_answers_a_typed_question(client):
    response = await client.post("/api/simulate", json={
        "user": "matcher", "text": "работодатель забрал паспорт", "language": "ru"})
    data = await response.json()
    assert response.status == 200, data
    assert data["topic"] == "scams.passport-taken"


@pytest.mark.parametrize("channel", ["sms", "telegram"])
async def test_did_you_mean_over_the_web_as_each_channel_shows_it(client, channel):
    """A bare word shared by several topics: the choice as buttons or numbered lines."""
    async def say(**body):
        response = await client.post("/api/simulate", json={"user": f"dym-{channel}",
                                                            "channel": channel, **body})
        assert response.status == 200
        return await response.json()

    data = await say(text="деньги", language="ru")  # money topic, or unpaid wages?
    assert data["kind"] == "didyoumean"
    assert data["text"].startswith("Возможно, вы спрашиваете об одной из этих тем?")
    topics = [o for o in data["options"] if o["id"].startswith("t:")]
    assert 2 <= len(topics) <= 3 and data["options"][-1]["id"] == "nav:menu"
    if channel == "sms":
        for number, option in enumerate(topics, start=1):
            assert f"{number} {option['label']}" in data["text"]
        assert "0 Меню" in data["text"]
    data = await say(text="2")
    assert data["topic"] == topics[1]["id"][2:]


@pytest.mark.parametrize("text", ["🙏🔥" * 2000, "патент " * 1000, "йцукен фывапр " * 500,
                                  "\u200b\u0301\ufeff" * 100, ""])
def test_odd_input_gets_a_decision(small, text):
    found = match(index_for(small), text, "ru")
    assert found.decision in {"answer", "didyoumean", "none"}


def test_a_short_question_naming_another_topic_leaves_the_context(small):
    found = match(index_for(small), "а зарплата?", "ru", last_topic="a.payment")
    assert found.choices[0] == "a.wages" and not found.follow_up


async def test_a_first_build_runs_off_the_event_loop_and_is_kept(small):
    from bot.understanding.matcher.index import cached_index, index_ready

    tree = ContentTree(modules=small.modules, texts=small.texts)
    assert cached_index(tree) is None
    built = await index_ready(tree)
    assert cached_index(tree) is built and await index_ready(tree) is built
