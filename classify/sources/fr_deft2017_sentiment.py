"""French tweets with sentiment labels (DEFT 2017, as packaged in Cardiff NLP's UMSAB benchmark): negatives."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

from classify.data import LabelledRow
from classify.sources import PublicSource
from classify.sources.french_toxicity import is_french

_SPLITS = ("train", "val", "test")


def _read(open_file: Callable[[str], bytes]) -> Iterator[LabelledRow]:
    for split in _SPLITS:
        texts = open_file(f"data/sentiment/french/{split}_text.txt").decode("utf-8").splitlines()
        labels = open_file(f"data/sentiment/french/{split}_labels.txt").decode("utf-8").splitlines()
        if len(texts) != len(labels):
            raise ValueError(f"{split}: {len(texts)} texts but {len(labels)} labels")
        for raw in texts:
            tweet = html.unescape(raw).strip()
            words = [w for w in tweet.split() if not re.fullmatch(r"http\S*|@user|#\S+", w)]
            if len(words) < 3 or not is_french(tweet):
                continue
            # Positive, negative or neutral opinion: none of it is a Vigie label (negative sentiment
            # is not a complaint), so every tweet is an ordinary-post negative.
            yield LabelledRow(text=tweet, labels=[], lang="fr", source="mention")


SOURCE = PublicSource(
    name="fr_deft2017_sentiment",
    repo="cardiffnlp/xlm-t",
    commit="874214d64d96599eb869a033c22ec2cc57d19256",
    licence="Apache-2.0 (repository); DEFT 2017 data terms apply to the tweets",
    description=(
        "French tweets (mostly about climate, environment, politics and news, 2014-2016) from the DEFT 2017 "
        "sentiment task (Benamara et al. 2017), as packaged in UMSAB (Barbieri et al., XLM-T, LREC 2022)."
    ),
    read=_read,
    languages=("fr",),
    notes=[
        "files: data/sentiment/french/{train,val,test}_{text,labels}.txt",
        "all rows -> no label (positive, neutral and negative opinions alike): ordinary French posts",
        "usernames -> @user and links -> http in the source; rows with under 3 words besides links, "
        "@user and hashtags, or not French by the product's language identifier, dropped",
        "the repository README says restrictions of the original data sets may apply; DEFT corpora are "
        "distributed for research by the DEFT organisers: check before commercial shipping",
    ],
)
