"""English tweets about Apple and Google products at SXSW 2011, rated for emotion toward a brand (CrowdFlower)."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Iterator

from classify.data import LabelledRow
from classify.sources import PublicSource

_KEPT = {"No emotion toward brand or product", "Positive emotion"}
# Bytes that were not text in the original export (mis-encoded punctuation): such tweets are left out.
_GARBLED = re.compile(r"[\x80-\x9f]")


def _read(open_file: Callable[[str], bytes]) -> Iterator[LabelledRow]:
    text = open_file("judge-1377884607_tweet_product_company.csv").decode("latin-1")
    for record in csv.DictReader(io.StringIO(text)):
        if record["is_there_an_emotion_directed_at_a_brand_or_product"] not in _KEPT:
            continue
        raw = record["tweet_text"] or ""
        if _GARBLED.search(raw):
            continue
        tweet = " ".join(html.unescape(raw).split())
        if len(tweet.split()) < 3:
            continue
        yield LabelledRow(text=tweet, labels=[], lang="en", source="mention")


SOURCE = PublicSource(
    name="brand_product_emotion",
    repo="LilianToo/NLP-Sentiment-Analysis-Project",
    commit="1ad3b2e6d7f2c684d7195f759078eea48bf97e8e",
    licence="CC0-1.0 (CrowdFlower 'Data for Everyone' release, as listed on data.world; not restated in this repository)",
    description="CrowdFlower 'Brands and Product Emotions': 9,093 tweets from SXSW 2011 about Apple and Google products, rated positive / negative / no emotion toward a brand.",
    read=_read,
    notes=[
        "positive emotion or no emotion toward a brand -> no label: ordinary posts about brands and products",
        "negative emotion (570) left out: mixes product complaints with mere disappointment, the data cannot tell which",
        '"I can\'t tell" left out; tweets with mis-encoded bytes left out',
        "mentions are @mention and links {link}, as in the release",
        "licence: the repository (a student project) vendors the file without a licence; CC0 is the publisher's listing",
    ],
)
