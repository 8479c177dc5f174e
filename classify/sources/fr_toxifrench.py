"""French forum comments (jeuxvideo.com, 2011-2025) labelled toxic / not toxic by people (ToxiFrench benchmark)."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Iterator

from classify.data import LabelledRow
from classify.lang import detect_language
from classify.sources import PublicSource
from events.schemas import Label

_TOXIC, _NOT_TOXIC = "1", "0"

# A toxic comment counts as harassment only when it has a target: someone addressed (second
# person, @mention), an insult aimed at a person, or a group named by identity. Toxic rows with
# none are mostly untargeted profanity or crude jokes, and are left out (neither label is right).
_TARGETED = re.compile(
    r"(?<!\w)(?:tu|t['’]|te|toi|ton|ta|tes|vous|votre|vos|@\w+"
    r"|conn?ard\w*|connasse\w*|cons?|conne\w*|d[ée]biles?|abrutis?|idiots?|idiote\w*|cr[ée]tins?"
    r"|salopes?|putes?|encul[ée]\w*|fdp|batards?|bâtards?|ordures?|merdeux|mongols?|attard[ée]\w*"
    r"|pd|p[ée]d[ée]s?|tapettes?|gouines?|travelos?|n[èe]gres?|n[ée]gros?|bougnoules?|bicots?|youpins?"
    r"|feujs?|renois?|rebeus?|beurs?|juifs?|juives?|arabes?|noirs?|noires?|blancs?|blanches?"
    r"|musulman\w*|migrants?|immigr[ée]\w*|africain\w*|maghr[ée]bin\w*|femmes?|meufs?|gays?|homos?"
    r"|trans|gauchistes?|fachos?|boomers?|vieux|chinois|asiatiques?|roms?|gitans?|allog[èe]nes?"
    r"|p[ée]dales?|clodos?|cucks?|fiottes?|bicots?)(?!\w)",
    re.IGNORECASE,
)


def _read(open_file: Callable[[str], bytes]) -> Iterator[LabelledRow]:
    text = open_file("data/Benchmark/ToxiFrenchBalanced.csv").decode("utf-8")
    for record in csv.DictReader(io.StringIO(text)):
        post = html.unescape(record["content"]).strip()
        if len(post.split()) < 3 or detect_language(post) != "fr":
            continue
        if record["label"] == _TOXIC:
            if not _TARGETED.search(post):
                continue
            labels = [Label.harassment]
        elif record["label"] == _NOT_TOXIC:
            labels = []
        else:
            continue
        yield LabelledRow(text=post, labels=labels, lang="fr", source="mention")


SOURCE = PublicSource(
    name="fr_toxifrench",
    repo="AxelDlv00/ToxiFrench",
    commit="b93ad5bcc18a742cbd68ab6d1c788caddb01bfe6",
    licence="MIT",
    description=(
        "French forum comments (jeuxvideo.com 18-25 forum, 2011-2025, anonymised) labelled toxic or not "
        "by human annotators: the balanced benchmark of ToxiFrench (Delaval et al., arXiv 2508.11281)."
    ),
    read=_read,
    languages=("fr",),
    notes=[
        "file: data/Benchmark/ToxiFrenchBalanced.csv (694 toxic / 694 non-toxic before filtering)",
        "toxic -> harassment only when the comment has a target cue (second person, @mention, an insult "
        "noun or an identity/group term, regex _TARGETED); toxic rows without one (untargeted profanity, "
        "crude sexual jokes) are left out; non-toxic -> no label",
        "ToxiFrench 'toxic' is broader than Vigie's harassment (it includes sexual content, glorified "
        "violence, coded hate): expect some noisy positives",
        "rows under 3 words or not French by the product's language identifier dropped; HTML entities unescaped",
        "forum posts, not replies to brands: register is young, informal, often political",
    ],
)
