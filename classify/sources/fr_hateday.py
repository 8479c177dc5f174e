"""French tweets from one day of Twitter (21 Sept 2022) labelled hateful/offensive or not (HateDay, French part)."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Iterator

from classify.data import LabelledRow
from classify.sources import PublicSource
from classify.sources.french_toxicity import TARGETED, is_french
from events.schemas import Label

_HATEFUL_OR_OFFENSIVE, _NEITHER = "1", "0"


def _read(open_file: Callable[[str], bytes]) -> Iterator[LabelledRow]:
    text = open_file("data/Benchmark/HateDay-french.csv").decode("utf-8")
    for record in csv.DictReader(io.StringIO(text)):
        tweet = html.unescape(record["content"]).strip()
        if len(tweet.split()) < 3 or not is_french(tweet):
            continue
        if record["label"] == _HATEFUL_OR_OFFENSIVE:
            # Offensive includes bare swearing ("c'est quoi cette merde"): only targeted rows kept.
            if not TARGETED.search(tweet):
                continue
            labels = [Label.harassment]
        elif record["label"] == _NEITHER:
            labels = []
        else:
            continue
        yield LabelledRow(text=tweet, labels=labels, lang="fr", source="mention")


SOURCE = PublicSource(
    name="fr_hateday",
    repo="AxelDlv00/ToxiFrench",
    commit="b93ad5bcc18a742cbd68ab6d1c788caddb01bfe6",
    licence="MIT (repository); HateDay's own terms not restated there",
    description=(
        "French tweets sampled from a single day of Twitter (HateDay, Tonneau et al. 2025), labelled "
        "hateful/offensive vs neither; the balanced 1,000-tweet French subset redistributed in the "
        "ToxiFrench repository (usernames -> @USER, links -> LINK)."
    ),
    read=_read,
    languages=("fr",),
    notes=[
        "file: data/Benchmark/HateDay-french.csv (500 positive / 500 negative before filtering)",
        "hateful or offensive -> harassment only with a target cue (same regex as fr_toxifrench: second "
        "person, @USER, insult noun, identity/group term); positives without one left out; neither -> no label",
        "licence: the ToxiFrench repository is MIT; the original HateDay release (gated on Hugging Face) "
        "may carry its own terms, not stated in this repository: check before shipping",
        "rows under 3 words or not French by the product's language identifier dropped; HTML entities unescaped",
    ],
)
