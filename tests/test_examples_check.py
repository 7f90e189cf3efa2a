"""content check's cross-validation of the examples finds what it is there to find: its
models learn (a solver stopped too early gives every question to the biggest topic), and
an Uzbek example left out is not learnt back from its own Cyrillic transliteration."""

from __future__ import annotations

from bot.config import ROOT
from bot.content.loader import scan_content
from bot.understanding import model as model_module
from bot.understanding.examples_check import _PARAMS, cross_validate
from bot.understanding.model import Model, samples_of
from bot.understanding.train import train


def test_the_cross_validation_models_learn_from_the_real_content():
    tree, _ = scan_content(ROOT / "content")
    model = Model(train(samples_of(tree), _PARAMS))
    written = [(topic_id, example) for (topic_id, language), text in tree.texts.items()
               if language == "ru" and topic_id in tree.topic_ids
               for example in text.examples[:5]]
    assert written
    confident = [topic_id for topic_id, example in written
                 if (ranked := model.rank(example)) and ranked[0][0] == topic_id
                 and ranked[0][1] >= 0.5]
    assert len(confident) >= 0.8 * len(written), (len(confident), len(written))


def _topic(folder, language, topic_id, examples):
    lines = ["---", f"id: {topic_id}", f"title: {topic_id}", "reviewed: 2026-11-01",
             "sms: Text 112.", "examples:", *[f'  - "{e}"' for e in examples],
             "---", "Text.", ""]
    (folder / language).mkdir(parents=True, exist_ok=True)
    (folder / language / f"{topic_id}.md").write_text("\n".join(lines), encoding="utf-8")


def test_an_uzbek_example_is_left_out_with_its_cyrillic_transliteration(tmp_path,
                                                                        monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    unrelated = tmp_path / "unrelated.txt"
    unrelated.write_text("ob-havo qanday\nbilet sotib olish\n", encoding="utf-8")
    monkeypatch.setattr(model_module, "UNRELATED_FILE", unrelated)
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "menu.yaml").write_text(
        "modules:\n  - id: m\n    title:\n      ru: M\n    topics:\n"
        "      - a.wages\n      - a.patent\n", encoding="utf-8")
    wages = ["oylik bermayapti", "ish haqi to'lanmayapti", "xo'jayin pul bermayapti",
             "3 oydan beri oylik yo'q", "zarplata bermayapti", "ish haqimni bermadi",
             "oylikni ushlab qolishdi", "maosh kechikyapti"]
    patent = ["patent qanday olinadi", "patent uchun hujjatlar", "patent narxi qancha",
              "patent olish tartibi", "patentni qayerda qilish kerak", "patent muddati",
              "patentga necha kunda topshirish kerak", "patent olish uchun imtihon"]
    for topic_id in ("a.wages", "a.patent"):
        _topic(folder, "ru", topic_id, [])
    _topic(folder, "uz", "a.wages", wages)
    odd = "xo'jayin 2 oydan beri oylik bermayapti"  # a wages question
    _topic(folder, "uz", "a.patent", [*patent, odd])
    tree, _ = scan_content(folder)
    assert tree.texts[("a.patent", "uz-Cyrl")].derived
    found = cross_validate(tree)
    listed = [(t, lang, tree.texts[(t, lang)].examples[i], given)
              for t, lang, i, given, _ in found]
    assert ("a.patent", "uz", odd, "a.wages") in listed, listed
