"""Danger first: words of danger in any language go straight to the emergency numbers.

Two kinds of danger words, in Russian, Kyrgyz, Tajik, Uzbek (both scripts) and English,
folded like every typed question (``bot.understanding.matcher.normalize``), so
"pomogite", "пaмогите" with a Latin a, "bьют" or Uzbek typed in Cyrillic all count:

- *danger*: someone is beaten, locked in, not let go, threatened, forced to work, sold,
  wants to die, needs the police — always the emergency answer;
- *pleas*: "помогите", "жардам бергиле", "ёрӣ диҳед", "yordam bering" — the emergency
  answer when nothing else is said ("помогите!!!", "yordam bering iltimos tez"), but an
  ordinary question when they only open one ("помогите оплатить патент"): a polite
  "help me" before a question is common, and that person wants the answer.

A false alarm costs the reader one screen (and the topic they asked about is offered
right under the numbers); a missed one can cost a life — when unsure, a word is danger.
"""

from __future__ import annotations

from functools import cache

from bot.understanding.matcher.normalize import skeleton, skeletons

# Phrases of word beginnings: each word of a phrase must begin a word of the message, in
# order, at most two words apart. Words of up to three letters must match whole.
_DANGER = """
    бьют | избива | избил | избит | ударил | побил | убьют | убью | убива | убить |
    угрожа | насил | изнасил | заперли | заперт | взаперти | не отпуска | не выпуска |
    не дают уйти | держат силой | держат взаперти | держат в подвале | заставляют работать |
    принужда | принудительн | торговл люд | торгу люд | продали меня | меня продали |
    рабств | суицид | покончить с собой | покончу с собой | убить себя | убью себя |
    не хочу жить | хочу умереть | вызовите полицию | позвоните в полицию | вызвать полицию |
    похитили | похищ | в опасности |
    сабап | сабаш | сабады | уруп жатыш | камап | камалып | кое бербей | коё бербей |
    чыгарбай жатыш | коркут | өлтүрөм | өлтүрүш | зордук | мажбурла | адам сатуу |
    адам саткан | кулчулук | мени сатып | өзүмдү өлтүр | жашагым келбейт | милиция чакыр |
    полиция чакыр | милицияга чал | полицияга чал |
    маро заданд | мезананд | лату кӯб | латукӯб | қулф карданд | маҳбус | раҳо намекунанд |
    рафтан намемонанд | таҳдид | мекушанд | мекушам | зӯроварӣ | маҷбуран | маҷбур мекунанд |
    меҳнати маҷбурӣ | савдои одамон | савдои инсон | одамфурӯшӣ | ғуломӣ | худкушӣ |
    худамро мекушам | зиндагӣ кардан намехоҳам | полисро ҷеғ | милисаро ҷеғ | ба полис занг |
    рабуданд |
    urishyapti | urishdi | kaltak | do'pposla | qamab | qamalib | qo'yib yubormay |
    chiqarmayapti | ketishga qo'ymay | tahdid | o'ldiraman | o'ldirish | o'ldiramiz |
    zo'rla | majburla | majburiy mehnat | majburan | odam savdo | qullik | qul qilib |
    meni sotib | sotib yuborishdi | o'zimni o'ldir | yashagim kelmay | suitsid | suicid |
    politsiya chaqir | militsiya chaqir | politsiyaga qo'ng'iroq | meni o'g'irla |
    help me | save me | sos | call police | call the police | trafficking | suicide |
    kill myself | forced labour |
    forced labor | locked in | beaten | beating me |
    с ножом | ножом | пистолет | ружье | стреляют | застрелю | зарежу | увезли | увозят |
    посадили в машину | везут неизвестно | не знаю где я | изнасиловал | повесил |
    бычак | мылтык | атып сал | машинага салып | алып кетишти | кайда экенимди билбейм |
    асылып | бо корд | бо кордча | таппонча | туфанг | ба мошин шинонд | маро бурданд |
    намедонам дар куҷо | pichoq | to'pponcha | qurol | mashinaga solib | olib ketishdi |
    qayerdaligimni bilmayman | osilib | knife | gun | kidnapped | raped |
    скорая | скорой | скорую | неотложк | не дышит | не дышет | без сознания |
    потерял сознание | кровотечен | кровь идет | кровь течет | истекает кровью |
    упал с высоты | упал с лесов | упал со стройки | сердечный приступ |
    инсульт | пожар | отравил |
    тез жардам | тез жардамды | дем албай | дем ала албай | эсин жогот | эси жок |
    кан агып | кан токтобой | бийиктиктен кулад | курулушта кулад | өрт |
    ёрии таъҷилӣ | ёри таъҷилӣ | ёрии фаврӣ | нафас намекаш | беҳуш | хун меравад |
    хунрезӣ | аз баландӣ афтод | сӯхтор | оташ гирифт |
    tez yordam | tez yordamni | nafas olmayapti | nafas ololmayapti | hushidan ketdi |
    hushsiz | qon ketyapti | qon oqyapti | balanddan yiqildi | qurilishda yiqildi |
    yong'in | ambulance | not breathing | unconscious | bleeding | heart attack
"""
_PLEAS = """
    помогите | спасите | памагите | помагите | спасити | нужна помощь |
    жардам бергиле | жардам бериңиз | жардам бериңиздер | жардам бер | куткаргыла |
    куткарыңыз | куткар |
    ёрӣ диҳед | ёри диҳед | ёрӣ деҳ | кумак кунед | кӯмак кунед | наҷот диҳед | наҷотам диҳед |
    маро наҷот |
    yordam bering | yordam ber | yordam beringlar | qutqaring | qutqar |
    помощь нужна | нужна помощь срочно | срочно помощь | жардам керек | шашылыш жардам |
    жардам кылгыла | жардам этиңиз | ёрӣ лозим | ёрӣ даркор | ёри лозим | ёри даркор |
    кӯмак лозим | кӯмак даркор | ёрӣ расонед | ёри расонед | ёрӣ кунед | yordam kerak |
    yordam qiling | urgent help | help urgent | need help
"""
# Words that may stand beside a plea without making it a question about something else.
_FILLERS = """
    срочно пожалуйста мне меня нам нас я мы очень скорее быстро кто нибудь кто-нибудь люди
    умоляю прошу пж плиз please urgent me us now
    тез тезирээк мага бизге мени бизди суранам өтүнөм азыр
    зуд тезтар илтимос ба ман маро моро ба мо ҳозир
    tez tezroq iltimos menga bizga meni bizni zudlik bilan hozir iltimos
    srochno pozhaluysta
    шашылыш тезинен керек кереги зарыл тездик
    зудтар фавран лозим даркор зуд-зуд
    kerak zarur shoshilinch tezda
    нужно надо скорее срочнo
"""


def _phrases(block: str) -> tuple[tuple[str, ...], ...]:
    return tuple(
        tuple(skeleton(word) for word in phrase.split())
        for phrase in block.split("|") if phrase.strip()
    )


@cache
def _danger() -> tuple[tuple[str, ...], ...]:
    return _phrases(_DANGER)


@cache
def _pleas() -> tuple[tuple[str, ...], ...]:
    return _phrases(_PLEAS)


@cache
def _fillers() -> frozenset[str]:
    return frozenset(skeleton(word) for word in _FILLERS.split())


def _begins(stem: str, word: str) -> bool:
    return word == stem if len(stem) <= 3 else word.startswith(stem)


def _rest(phrase: tuple[str, ...], words: list[str], start: int) -> list[int] | None:
    """Positions of the phrase in the message when its first word is at ``start``."""
    positions, at = [start], start
    for stem in phrase[1:]:
        nxt = next((i for i in range(at + 1, min(at + 4, len(words)))
                    if _begins(stem, words[i])), None)
        if nxt is None:
            return None
        positions.append(nxt)
        at = nxt
    return positions


Phrases = tuple[tuple[str, ...], ...]
#: Phrases by their first word: stems of up to three letters whole, longer ones by their
#: first four letters (a word can only begin with such a stem if it shares them).
_Index = tuple[dict[str, list[tuple[str, ...]]], dict[str, list[tuple[str, ...]]]]


def _index(phrases: Phrases) -> _Index:
    whole: dict[str, list[tuple[str, ...]]] = {}
    by_prefix: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        first = phrase[0]
        if len(first) <= 3:
            whole.setdefault(first, []).append(phrase)
        else:
            by_prefix.setdefault(first[:4], []).append(phrase)
    return whole, by_prefix


# One cached index per list rather than ``cache`` on ``_index`` itself: the key would be
# the whole tuple of phrases, hashed anew on every call (tuples do not keep their hash),
# which cost as much as the look-ups it saved.
@cache
def _danger_index() -> _Index:
    return _index(_danger())


@cache
def _pleas_index() -> _Index:
    return _index(_pleas())


def _occurrences(index: _Index, words: list[str]) -> dict[tuple[str, ...], list[int]]:
    """Each phrase found in the message, with its positions at the first place it starts.

    The message's words are looked up in an index of first words, instead of trying every
    phrase at every word: about 300 checks a message came down to a few look-ups.
    """
    whole, by_prefix = index
    found: dict[tuple[str, ...], list[int]] = {}
    for start, word in enumerate(words):
        for phrase in (*whole.get(word, ()), *by_prefix.get(word[:4], ())):
            if phrase in found or not _begins(phrase[0], word):
                continue
            positions = _rest(phrase, words, start)
            if positions is not None:
                found[phrase] = positions
    return found


def is_emergency(text: str) -> bool:
    """Whether a message speaks of danger (see the module docstring for the two kinds)."""
    for words in (skeletons(text, "ru"), skeletons(text, None)):
        if _occurrences(_danger_index(), words):
            return True
        used = {i for positions in _occurrences(_pleas_index(), words).values() for i in positions}
        if used and all(i in used or word in _fillers() or word.isdigit()
                        for i, word in enumerate(words)):
            return True
    return False
