"""English tweets addressed to British museums' accounts, annotated for emotion (SMILE project)."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Iterator

from classify.data import LabelledRow
from classify.sources import PublicSource

# Anger or disgust at a museum may be a complaint: not a safe negative, and not labelled as one.
_LEFT_OUT = {"angry", "disgust"}


def _read(open_file: Callable[[str], bytes]) -> Iterator[LabelledRow]:
    text = open_file("smile-annotations-final.csv").decode("utf-8")
    for record in csv.reader(io.StringIO(text)):
        if len(record) != 3:
            continue
        tweet = html.unescape(record[1]).strip()
        emotions = set(record[2].split("|"))
        if len(tweet.split()) < 3 or emotions & _LEFT_OUT:
            continue
        yield LabelledRow(text=tweet, labels=[], lang="en", source="mention")


SOURCE = PublicSource(
    name="smile_museum_tweets",
    repo="KevinmKrieg/BERT-Sentiment-Analysis",
    commit="0c0cca4a47da44efd4a5460fe50c638879288ec1",
    licence="CC-BY (annotations, per the SMILE release on figshare, which keeps tweet copyright with Twitter; not restated in this repository)",
    description="SMILE Twitter emotion data set (Wang et al., 2016): 3,085 tweets mentioning 13 British museums' accounts, 2013-2015, with emotion labels.",
    read=_read,
    notes=[
        "happy / surprise / sad / no code / not relevant -> no label: ordinary posts addressed to an institution's account",
        "angry or disgust (about 75 tweets) left out: may be complaints, the data does not say",
        "the repository vendors the figshare file smile-annotations-final.csv unchanged (tweet ids mangled by a spreadsheet, not used)",
    ],
)
