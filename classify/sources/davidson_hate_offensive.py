"""English tweets annotated as hate speech, offensive language or neither (crowd-sourced)."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Iterator

from classify.data import LabelledRow
from classify.sources import PublicSource
from events.schemas import Label

_HATE, _OFFENSIVE, _NEITHER = "0", "1", "2"


def _read(open_file: Callable[[str], bytes]) -> Iterator[LabelledRow]:
    text = open_file("data/labeled_data.csv").decode("utf-8")
    for record in csv.DictReader(io.StringIO(text)):
        tweet = html.unescape(record["tweet"]).strip()
        if record["class"] == _HATE:
            labels = [Label.harassment]
        elif record["class"] == _NEITHER:
            labels = []
        else:
            # Offensive but not hateful is mostly casual profanity and lyrics: not the taxonomy's
            # intimidation or bullying, and not a safe negative either. Left out.
            continue
        yield LabelledRow(text=tweet, labels=labels, lang="en", source="mention")


SOURCE = PublicSource(
    name="davidson_hate_offensive",
    repo="t-davidson/hate-speech-and-offensive-language",
    commit="cb50f7e9eb855a99abc51423bf40df0e26d6fe30",
    licence="MIT",
    description="English tweets labelled hate speech / offensive / neither by CrowdFlower workers (Davidson et al., ICWSM 2017).",
    read=_read,
    notes=["hate speech -> harassment; neither -> no label; offensive-only rows left out"],
)
