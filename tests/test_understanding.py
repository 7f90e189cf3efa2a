"""Understanding typed questions: the labelled set, the figures on its holdout part, the
honesty of that part, and the classifier's life in the service (trained in a child
process, retrained on reload, broken examples never stopping anything)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from types import MappingProxyType

import pytest
from rapidfuzz import fuzz

from bot.config import ROOT, ConfigError, Settings
from bot.content.loader import load_content
from bot.content.model import ContentTree, Module, TopicText
from bot.types import CONTENT_LANGUAGES
from bot.understanding import model as model_module
from bot.understanding.evaluate import (
    EMERGENCY_TOPIC,
    STYLES,
    confusions,
    evaluate,
    load_questions,
    rows,
)
from bot.understanding.matcher import build_index
from bot.understanding.matcher.normalize import skeletons
from bot.understanding.model import Model, model_ready, samples_of
from bot.understanding.train import TrainingError, train
from bot.understanding.understand import decide
from bot.web.app import create_app
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def questions():
    return load_questions()


@pytest.fixture(scope="module")
def shipped() -> ContentTree:
    return load_content(ROOT / "content")


@pytest.fixture(scope="module")
def trained(shipped) -> Model:
    return Model(train(samples_of(shipped)))


# --- the labelled set ---------------------------------------------------------------


def test_the_labelled_set_is_large_and_covers_every_topic(questions, shipped):
    per_language = Counter(q.language for q in questions)
    for language in ("ru", "ky", "tg", "uz"):
        assert per_language[language] >= 150, language
    assert per_language["uz-Cyrl"] >= 50
    assert {q.style for q in questions} == set(STYLES)
    known = set(shipped.topic_ids) | {"-"}
    assert {q.expected for q in questions} <= known
    for language in CONTENT_LANGUAGES:
        asked = {q.expected for q in questions if q.language == language}
        assert set(shipped.topic_ids) <= asked, (language, set(shipped.topic_ids) - asked)
    for language in per_language:
        mine = [q for q in questions if q.language == language]
        held = sum(q.split == "holdout" for q in mine)
        assert held >= 0.4 * len(mine), f"{language}: holdout {held} of {len(mine)}"


def _folded(text: str) -> str:
    return " ".join(skeletons(text))


def test_no_example_is_a_near_copy_of_a_holdout_question(questions, shipped):
    """The holdout measures questions nobody tuned on: an example within a few letters
    of one (copied, or copied with a typo fixed) would let the model learn the answer."""
    examples: dict[str, list[tuple[str, str]]] = {}
    for (topic_id, language), text in shipped.texts.items():
        family = "uz" if language.startswith("uz") else language
        examples.setdefault(family, []).extend((_folded(e), f"{language}/{topic_id}: {e}")
                                               for e in text.examples)
    copies = []
    for q in questions:
        if q.split != "holdout":
            continue
        family = "uz" if q.language.startswith("uz") else q.language
        folded = _folded(q.text)
        for example, where in examples.get(family, ()):
            if fuzz.ratio(folded, example) >= 90:
                copies.append(f"{q.text!r} ~ {where}")
    assert copies == []


# --- the figures --------------------------------------------------------------------


#: Answered at once with the right topic, on the holdout part, per language: issue 14's
#: bar (reached: ru 0.93, ky 0.93, tg 0.94, uz 0.96 on 795 holdout questions, of which
#: 250 were written on 2026-12-03 after the last tuning choice).
ANSWERED_AT_ONCE = {"ru": 0.90, "ky": 0.90, "tg": 0.90, "uz": 0.90}
#: The right topic at least offered: issue 14's bar (reached: 0.986).
OFFERED = 0.98


def test_understanding_on_the_holdout_part(questions, shipped, trained, capsys):
    """Issue 14's figures, on questions written before any example and never tuned on."""
    holdout = [q for q in questions if q.split == "holdout"]
    outcomes = evaluate(build_index(shipped), trained, holdout)
    table = {(r.language, r.style): r for r in rows(outcomes, by_style=True)
             if r.split == "holdout"}
    with capsys.disabled():
        print("\nholdout   n  at once  offered  wrong")
        for (language, style), r in sorted(table.items()):
            if style == "all":
                print(f"{language:8} {r.n:3d} {r.answered:8.1%} {r.offered:8.1%} {r.wrong:6d}")
        print("wrong:", dict(confusions(outcomes).most_common(8)))
    for language, least in ANSWERED_AT_ONCE.items():
        r = table[(language, "all")]
        assert r.answered >= least, f"{language}: answered at once {r.answered:.1%}"
    overall = table[("all", "all")]
    assert overall.answered >= 0.90, f"answered at once {overall.answered:.1%}"
    assert overall.wrong <= 0.02 * overall.n, f"{overall.wrong} wrong of {overall.n}"
    assert overall.offered >= OFFERED, f"right topic offered {overall.offered:.1%}"
    missed = [o.question.text for o in outcomes
              if o.question.expected == EMERGENCY_TOPIC and o.decision != "emergency"]
    assert missed == []


def test_a_question_is_answered_as_the_service_answers_it(shipped, trained):
    index = build_index(shipped)
    found = decide(index, trained, "Сколько стоит патент в месяц?", "ru")
    assert found.decision == "answer" and found.topic == "permits.patent-payment"
    assert decide(index, trained, "Шашылыш жардам керек!", "ky").topic == EMERGENCY_TOPIC
    assert decide(index, trained, "Tez yordam kerak!", "uz").topic == EMERGENCY_TOPIC
    assert decide(index, trained, "🙏🙏🙏", "ru").decision == "none"


@pytest.mark.parametrize(("word", "language"), [
    ("документы", "ru"), ("работа", "ru"), ("Россия", "ru"), ("ҳуҷҷат", "tg"), ("иш", "ky"),
])
def test_a_lone_vague_word_gets_a_choice_not_an_answer(shipped, trained, word, language):
    """"документы" alone may be a lost passport, a police check or a patent: one tap to
    choose beats an answer to a question nobody asked."""
    found = decide(build_index(shipped), trained, word, language)
    assert found.decision == "didyoumean" and len(found.choices) == 3, found


def test_a_lone_word_that_names_one_topic_is_still_answered(shipped, trained):
    index = build_index(shipped)
    assert decide(index, trained, "регистрация", "ru").topic == "permits.registration"
    assert decide(index, trained, "патент", "ru").topic == "permits.russia-patent"


# --- the classifier in the service ----------------------------------------------------


def _tree(*topics: tuple[str, tuple[str, ...]]) -> ContentTree:
    texts = {
        (topic_id, "ru"): TopicText(topic_id=topic_id, language="ru", title=topic_id,
                                    body="текст", sms="", keywords=(), sources=(),
                                    reviewed=None, examples=examples)
        for topic_id, examples in topics
    }
    module = Module("m", MappingProxyType({"ru": "M"}), tuple(t for t, _ in topics))
    return ContentTree(modules=(module,), texts=MappingProxyType(texts))


def test_examples_that_cannot_make_a_model_are_a_clear_error():
    with pytest.raises(TrainingError):
        train([])
    with pytest.raises(TrainingError):
        train([("как оформить патент", "a.patent"), ("патент", "a.patent")])


@pytest.fixture
def fresh_models(monkeypatch):
    """Each test starts with no trained model, as a new process does."""
    for name in ("_trained", "_training", "_by_tree"):
        monkeypatch.setattr(model_module, name, {})
    monkeypatch.setattr(model_module, "_last_good", None)
    monkeypatch.setattr(model_module, "_first_model_wait", None)


async def test_a_broken_example_list_leaves_the_last_good_model_serving(fresh_models):
    good = _tree(("a.patent", ("как оформить патент", "патент на работу", "patent oformit")),
                 ("a.wages", ("не платят зарплату", "зарплату не дают", "zarplata net")))
    first = await model_ready(good)  # trained in a child process
    assert first is not None and set(first.classes) >= {"a.patent", "a.wages"}
    assert first.rank("zarplatu ne platyat")[0][0] == "a.wages"
    broken = _tree(("a.patent", ("как оформить патент",)))  # one topic: no model
    assert await model_ready(broken) is first  # the last good one, at once
    assert await model_ready(broken, wait=True) is first  # and after the failure too
    assert model_module.cached_model(broken) is None


async def test_a_reload_is_retrained_while_the_last_model_answers(fresh_models):
    old = _tree(("a.patent", ("как оформить патент", "патент")),
                ("a.wages", ("не платят зарплату", "зарплата")))
    first = await model_ready(old)
    new = replace(old, texts=MappingProxyType({
        **old.texts,
        ("a.wages", "ru"): replace(old.texts[("a.wages", "ru")],
                                   examples=("не платят зарплату", "хозяин не отдаёт деньги")),
    }))
    assert await model_ready(new, wait=False) is first  # training goes on in the child
    second = await model_ready(new, wait=True)
    assert second is not None and second is not first
    assert second.rank("хозяин не отдаёт деньги")[0][0] == "a.wages"


def test_the_service_process_never_loads_scikit_learn():
    """Training runs in a child process: scikit-learn's 100 MiB stay out of ``serve``."""
    script = """
import asyncio, json, sys
from bot.config import ROOT
from bot.content.loader import load_content
from bot.understanding.model import model_ready
async def main():
    model = await model_ready(load_content(ROOT / "content"))
    rss = int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024
    print(json.dumps({"model": model is not None, "rss": rss,
                      "sklearn": any(m.startswith("sklearn") for m in sys.modules)}))
asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["model"] and not found["sklearn"], found


async def test_a_trained_model_is_kept_on_disk_and_a_broken_file_is_trained_anew(
        fresh_models, tmp_path, monkeypatch, caplog):
    tree = _tree(("a.patent", ("как оформить патент", "патент")),
                 ("a.wages", ("не платят зарплату", "зарплата")))
    model_module.keep_models_in(tmp_path)
    monkeypatch.setattr(model_module, "_cache_dir", tmp_path)
    first = await model_ready(tree)
    kept = list(tmp_path.glob("classifier-*.npz"))
    assert first is not None and len(kept) == 1
    for name in ("_trained", "_training", "_by_tree"):
        monkeypatch.setattr(model_module, name, {})
    monkeypatch.setattr(model_module, "_last_good", None)
    again = await model_ready(tree)  # as after a restart: read back, not trained
    assert again is not None and again.data.vocabulary == first.data.vocabulary
    assert (again.data.weights == first.data.weights).all()
    kept[0].write_bytes(b"not a model")
    for name in ("_trained", "_training", "_by_tree"):
        monkeypatch.setattr(model_module, name, {})
    monkeypatch.setattr(model_module, "_last_good", None)
    anew = await model_ready(tree)
    assert anew is not None and anew.rank("зарплата")[0][0] == "a.wages"
    assert "could not be read" in caplog.text



async def test_once_the_service_is_up_no_message_waits_for_a_first_training(
        fresh_models, aiohttp_client, tmp_path, database_url):
    """Twilio and Telegram send a webhook again when it is answered late: on a first start
    the keyword matcher answers at once while the model trains, and the model after."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    topic = content / "ru" / "permits.russia-patent.md"  # content no model was trained on
    topic.write_text(topic.read_text(encoding="utf-8").replace(
        "examples:\n", "examples:\n  - \"a question of this test's own\"\n", 1),
        encoding="utf-8")
    settings = make_settings(tmp_path, database_url, content_dir=content,
                             model_wait_seconds=0.01)
    client = await aiohttp_client(create_app(settings, extensions=[]))
    tree = load_content(content)
    assert model_module.cached_model(tree) is None  # still training in its child
    started = time.monotonic()
    response = await client.post("/api/simulate", json={
        "user": "first-start", "text": "как получить патент на работу в России"})
    assert response.status == 200
    assert time.monotonic() - started < 3.0  # a training takes ten seconds and more
    data = await response.json()  # the keyword matcher's answer, or its choices
    assert data["kind"] in {"search", "didyoumean"} and "атент" in data["text"], data
    model = await model_ready(tree, wait=True)
    assert model is not None and "permits.russia-patent" in model.classes
    response = await client.post("/api/simulate", json={
        "user": "second-reader", "text": "как получить патент на работу в России"})
    data = await response.json()
    assert data["kind"] == "search" and data["topic"] == "permits.russia-patent", data
    kept = list((tmp_path / "models").glob("classifier-*.npz"))
    assert len(kept) == 1  # written by the child, read back by the service


# --- what content check says about the examples ---------------------------------------


def _write_content(root, topics: dict[str, list[str]]):
    """A small content folder: one module, Russian files with the given examples."""
    folder = root / "content"
    (folder / "ru").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "phones.yaml", folder / "phones.yaml")
    menu = ["modules:", "  - id: m", "    title:", "      ru: Модуль", "    topics:"]
    menu += [f"      - {topic_id}" for topic_id in topics]
    (folder / "menu.yaml").write_text("\n".join(menu) + "\n", encoding="utf-8")
    (folder / "phones.yaml").write_text("numbers: []\n", encoding="utf-8")
    for topic_id, examples in topics.items():
        lines = ["---", f"id: {topic_id}", f"title: {topic_id}", "reviewed: 2026-11-01",
                 "sms: Текст. Звоните 112.", "examples:"]
        lines += [f'  - "{e}"' for e in examples]
        lines += ["---", "Текст ответа.", ""]
        (folder / "ru" / f"{topic_id}.md").write_text("\n".join(lines), encoding="utf-8")
    return folder


WAGES = ["не платят зарплату", "зарплату не отдают третий месяц", "хозяин не платит деньги",
         "задержка зарплаты что делать", "zarplatu ne platyat", "не заплатили за работу",
         "бригадир не отдает зарплату", "где пожаловаться что не платят"]
PATENT = ["как получить патент", "документы на патент", "сколько стоит патент",
          "patent kak oformit", "где сделать патент", "патент на работу оформить",
          "что нужно для патента", "срок подачи на патент"]


def test_content_check_names_too_few_examples_and_an_example_in_the_wrong_file(
        tmp_path, capsys, monkeypatch):
    from tests.content_files import run_check

    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    unrelated = tmp_path / "unrelated.txt"  # a few, as for a small content's few topics
    unrelated.write_text("какая погода\nкупить билет\n", encoding="utf-8")
    monkeypatch.setattr(model_module, "UNRELATED_FILE", unrelated)
    folder = _write_content(tmp_path, {
        "a.wages": WAGES,
        "a.patent": [*PATENT, "хозяин не платит зарплату два месяца"],  # a wages question
    })
    _, lines = run_check(folder, capsys, examples=True)
    patent = folder / "ru" / "a.patent.md"
    few = [ln for ln in lines if "example questions in ru" in ln]
    assert len(few) == 2 and all(": warning: 8 example" in ln or ": warning: 9 example" in ln
                                 for ln in few)
    wrong = [ln for ln in lines if "reads like the topic a.wages" in ln]
    assert wrong == [f"{patent}:15: warning: the example 'хозяин не платит зарплату два "
                     f"месяца' reads like the topic a.wages ({wrong[0].split('(')[1]}"]


def test_content_check_warns_when_examples_cannot_make_a_model(tmp_path, capsys,
                                                               monkeypatch):
    from tests.content_files import run_check

    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    folder = _write_content(tmp_path, {"a.patent": PATENT})
    status, lines = run_check(folder, capsys, examples=True)
    assert any("the topic classifier cannot be trained" in ln for ln in lines), lines
    assert status == 0  # a warning: the keyword matcher still answers


def test_model_wait_seconds_may_be_zero_and_other_durations_may_not(tmp_path):
    """MODEL_WAIT_SECONDS=0 means "start without waiting for the classifier" (it used to
    stop `serve` with "must be between 0 and 86400"); a flush every 0 seconds means
    nothing, and says so."""
    base = {"DATA_DIR": str(tmp_path)}
    assert Settings.from_env({**base, "MODEL_WAIT_SECONDS": "0"}).model_wait_seconds == 0
    assert Settings.from_env(base).model_wait_seconds == 3.0
    with pytest.raises(ConfigError, match="MODEL_WAIT_SECONDS must be from 0 to 86400"):
        Settings.from_env({**base, "MODEL_WAIT_SECONDS": "-1"})
    with pytest.raises(ConfigError, match="STATS_FLUSH_SECONDS must be more than 0"):
        Settings.from_env({**base, "STATS_FLUSH_SECONDS": "0"})
