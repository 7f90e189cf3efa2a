"""``python -m bot content review-sheet``: one sheet per language, each line a reader reads
with its file line, numbers, sites and sources, and empty columns to sign off."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ROOT
from tests.content_files import copy_content, set_body


def read_sheet(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_csv_sheet_lists_each_claim_with_its_line_numbers_sites_and_sources(
        tmp_path, capsys):
    status = main(["content", "review-sheet", "ky", "--out", str(tmp_path)])
    assert status == 0
    assert capsys.readouterr().out.strip() == f"wrote {tmp_path / 'review-ky.csv'}"
    rows = read_sheet(tmp_path / "review-ky.csv")
    assert list(rows[0]) == ["topic / тема", "file:line / файл:строка", "kind / что",
                             "text / текст", "phones / телефоны",
                             "where the number works / откуда звонить", "sites / сайты",
                             "source date / дата источника", "checked by / кто проверил",
                             "date / дата", "ok? / верно?", "note / замечание"]
    topics = {row["topic / тема"] for row in rows}
    assert {"permits.russia-patent", "help.hotlines", "help.emergency"} <= topics
    for row in rows:
        assert row["checked by / кто проверил"] == row["ok? / верно?"] == ""
        where = row["file:line / файл:строка"]
        if row["kind / что"] == "answer":  # the text is that line of that file
            name, line = where.rsplit(":", 1)
            assert (ROOT / name).read_text(encoding="utf-8").splitlines()[int(line) - 1] \
                .strip() == row["text / текст"]
    sources = [r for r in rows if r["kind / что"] == "source"]
    assert sources and all(r["source date / дата источника"] for r in sources)
    hotlines = [r for r in rows if r["topic / тема"] == "help.hotlines"]
    kyrgyz_line = next(r for r in hotlines if "0800 0000 189" in r["phones / телефоны"])
    assert "Kyrgyz SIM" in kyrgyz_line["where the number works / откуда звонить"]
    assert any("mfa.gov.kg" in r["sites / сайты"] for r in hotlines)
    assert any(r["kind / что"] == "sms" for r in hotlines)


def test_a_number_missing_from_the_registry_is_marked_on_the_sheet(tmp_path):
    content = copy_content(tmp_path)
    set_body(content / "ru" / "help.hotlines.md", "Новая линия: +7 (495) 111-22-33.")
    out = tmp_path / "sheets"
    assert main(["content", "review-sheet", "ru", "--content", str(content),
                 "--out", str(out)]) == 0
    row = next(r for r in read_sheet(out / "review-ru.csv")
               if r["phones / телефоны"] == "+7 (495) 111-22-33")
    assert row["where the number works / откуда звонить"] == "NOT IN phones.yaml"


@pytest.mark.parametrize("language", ["ru", "ky", "tg", "uz"])
def test_markdown_sheets_for_every_language_by_default(tmp_path, capsys, language):
    assert main(["content", "review-sheet", "--format", "md", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "review-ky.md", "review-ru.md", "review-tg.md", "review-uz.md"]
    sheet = (tmp_path / f"review-{language}.md").read_text(encoding="utf-8")
    assert "## permits.russia-patent" in sheet and "## help.emergency" in sheet
    assert "| file:line / файл:строка | kind / что |" in sheet
    assert "| checked by / кто проверил | date / дата | ok? / верно? |" in sheet
    assert f"content/{language}/help.emergency.md:" in sheet
