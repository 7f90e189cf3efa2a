"""Words that say nothing about the topic: pronouns, particles, politeness, "what to do".

Two kinds. *Stop words* are dropped from a question before ranking. *Follow-up words*
("how much?", "where?", "when?") are dropped too, but a question made only of them asks
about the topic just shown ("сколько стоит?" after the patent topic).
Written here in the languages' own letters; they are folded like every other word.
"""

from __future__ import annotations

from functools import cache

from bot.understanding.matcher.stem import stop_terms

_STOP = {
    "ru": """и в во на не с со у к ко о об обо от до по за из для без при про что чтобы
        ли а но или же бы то это этот эта эти тот я мне меня мной мой моя мое мои моего моей
        моих мы нас нам наш наша наши вы вас вам ваш ваша он она оно они его ее её их ему
        ей им ими есть был была было были быть будет можно нужно надо нужен нужна нужны
        да нет так уже еще ещё очень пожалуйста пжл плиз пж здравствуйте привет
        подскажите скажите помогите расскажите хочу хотел хотела могу может мочь тут там вот
        если после сейчас теперь все всё весь свой свою своего свои делать сделать кто
        какой какая какое какие каких какую почему зачем который которая здесь мне-то
        kak chto gde mne menya nuzhno pozhaluysta ili i v na ne""",
    "ky": """жана менен үчүн мен менин мага мени менде биз биздин сен сиз сизге сиздин ал
        алар анын бул ошол ушул эмне эмнеге эмнени эмне кылам эмне кылыш кантип ким кайсы
        кандай бар барбы жок керек кереги болот болобу болсо деп да дагы же бирок эле го
        ооба саламатсызбы салам рахмат айтып бериңизчи айтыңызчы мүмкүн мүмкүнбү кыл кылам
        кылыш кылсам ыя ой эми азыр жатат жатышат жатам жатабыз жатасыз
        жасалат жасайт жасаш жасоо алабы алам алат аласызбы алабыз алышат турам турабы""",
    "tg": """ва дар ба аз бо барои то чӣ чи тавр хел чихел ки ман маро мо шумо шуморо ӯ
        вай онҳо ин он аст ҳаст нест мешавад мешавад лозим бояд кунам кунад кунем
        ҳам не ҳа илтимос салом ассалому алейкум раҳмат метавонам мехоҳам
        бигӯед гӯед гуфта диҳед агар акнун ҳозир чаро кадом кист метавонад метавонанд
        метавонем мумкин""",
    "uz": """va bilan uchun men menga meni mening menda biz siz sizga sizning u ular uning
        bu shu nima nimaga nega qanday qanaqa kim qaysi bor yo'q kerak bo'ladi bo'lsa
        mumkin mumkinmi ham lekin yoki iltimos salom assalomu alaykum rahmat aytib bering
        ayting qilish qilsam qilay qilaman edi endi hozir agar oladimi olaman olamanmi
        bo'ladimi bo'lamanmi""",
}
_STOP["uz-Cyrl"] = _STOP["uz"]

_FOLLOW_UP = {
    "ru": "сколько стоит стоимость где куда когда как долго срок цена skolko stoit gde",
    "ky": "канча турат кайда качан канча убакыт баасы",
    "tg": "чанд нарх нархаш куҷо кай то кай",
    "uz": "qancha narxi necha pul qayerda qayerga qachon",
}
_FOLLOW_UP["uz-Cyrl"] = _FOLLOW_UP["uz"]


@cache
def stop_words(language: str) -> frozenset[str]:
    """The terms dropped from a question in ``language`` (follow-up words included)."""
    return stop_terms(_STOP.get(language, "") + " " + _FOLLOW_UP.get(language, ""),
                      language) | follow_up_words(language)


@cache
def follow_up_words(language: str) -> frozenset[str]:
    """The terms of "how much / where / when" questions about the topic just shown."""
    return stop_terms(_FOLLOW_UP.get(language, ""), language)
