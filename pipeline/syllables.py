"""Vietnamese syllables: spelling rules, tone marks and diacritic skeletons.

Vietnamese is written one syllable at a time, and a syllable is an onset, a
rhyme and at most one tone mark, under a few spelling rules (``k`` before
i/e/ê/y, ``gh``/``ngh`` before i/e/ê, a rhyme ending in p/t/c/ch takes only
the acute or dot-below tone). :func:`is_syllable` checks a word against these
rules: the reading stage uses it to tell a PDF text layer that reads as
Vietnamese from one in a legacy font encoding, and the diacritic corrector uses
it, with :func:`skeleton`, to list the syllables an OCR'd syllable may have been.

>>> is_syllable("nghiêng"), is_syllable("Thường"), is_syllable("ngiêng"), is_syllable("cáp"), is_syllable("càp")
(True, True, False, True, False)
>>> skeleton("Đổi"), split_tone("thưởng")
('doi', ('thương', 'hook'))
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

TONE_MARKS = {"\u0300": "grave", "\u0301": "acute", "\u0303": "tilde", "\u0309": "hook", "\u0323": "dot"}

ONSETS = ("ngh", "ng", "gh", "gi", "kh", "nh", "ph", "th", "tr", "ch", "qu",
          "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")

# Rhymes (without tone) by nucleus; a leading o/u is the medial glide (hoa, thuê, quy).
_RHYMES = """
a ai ao au ay am an ang anh ap at ac ach
ăm ăn ăng ăp ăt ăc
âu ây âm ân âng âp ât âc
e eo em en eng ep et ec
ê êu êm ên ênh êp êt êch
i ia iu im in inh ip it ich
iêu iêm iên iêng iêp iêt iêc
yêu yêm yên yêt y
o oi om on ong op ot oc oong ooc
ô ôi ôm ôn ông ôp ôt ôc
ơ ơi ơm ơn ơp ơt
u ua ui um un ung up ut uc
uôi uôm uôn uông uôt uôc
ư ưa ưi ưu ưm ưn ưng ưt ưc
ươi ươu ươm ươn ương ươp ươt ươc
oa oai oay oan oang oanh oat oac oach oam oap
oăn oăng oăt oăc oăm
oe oeo oen oet oem
uân uâng uât uây
uê uêch uênh
uy uya uyu uyn uynh uyt uych uyên uyêt uyp
uơ
""".split()
RHYMES = frozenset(_RHYMES)
_CHECKED = ("p", "t", "c", "ch")        # a rhyme ending in these takes only the acute or dot-below tone
_FRONT = ("i", "e", "ê", "y")

_WORD_RE = re.compile(r"[^\W\d_]+")


def split_tone(word: str) -> tuple[str, str]:
    """(the word without its tone mark, NFC; the tone's name or "")."""
    nfd = unicodedata.normalize("NFD", word)
    tones = [TONE_MARKS[c] for c in nfd if c in TONE_MARKS]
    base = "".join(c for c in nfd if c not in TONE_MARKS)
    return unicodedata.normalize("NFC", base), (tones[0] if len(tones) == 1 else ("?" if tones else ""))


def skeleton(word: str) -> str:
    """The word in plain lower-case ASCII letters: every diacritic off, đ -> d ("Đổi" -> "doi")."""
    nfd = unicodedata.normalize("NFD", word.lower().replace("đ", "d"))
    return "".join(c for c in nfd if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """Is ``word`` a well-formed Vietnamese syllable (any case)?"""
    base, tone = split_tone(word.lower())
    if tone == "?" or not base or not base.isalpha():
        return False
    for onset in ONSETS:
        if not base.startswith(onset):
            continue
        rhyme = base[len(onset):]
        if onset == "qu" and rhyme and rhyme[0] not in "u":
            rhyme_ok = rhyme in RHYMES or ("u" + rhyme) in RHYMES or ("o" + rhyme) in RHYMES
        elif onset == "gi" and (not rhyme or rhyme in RHYMES or ("i" + rhyme) in RHYMES):
            rhyme_ok = True                        # gì, giữa, gìn
        else:
            rhyme_ok = rhyme in RHYMES
        if not rhyme_ok:
            continue
        if rhyme.endswith(_CHECKED) and tone not in ("acute", "dot"):
            continue
        first = rhyme[:1]
        if onset == "k" and first not in _FRONT:
            continue
        if onset == "c" and first in _FRONT:
            continue
        if onset in ("gh", "ngh") and first not in ("i", "e", "ê"):
            continue
        if onset in ("g", "ng") and first in ("i", "e", "ê"):
            continue
        return True
    return False


def words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) for each run of letters in ``text``."""
    return [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text)]


def vietnamese_share(text: str) -> float:
    """Share of the letter-words of ``text`` that are Vietnamese syllables (0 when there are none)."""
    ws = [w for _, _, w in words(text)]
    if not ws:
        return 0.0
    return sum(1 for w in ws if is_syllable(w)) / len(ws)
