"""Cue tokens: families of wordings that mean the same thing in either language.

A model that learns "3 weeks" or "worst" one word at a time misses "ça fait 12 jours" or
« écœuré » it never saw. Each family below adds one token to the normalized text when any of its
wordings appears, so the weight learned from a few examples carries to every member, English,
French (France and Québec spellings) and chat shorthand alike. The patterns run on normalized
text: lower case, accents folded, digits as 0 (see normalize.py).
"""

from __future__ import annotations

import re

__all__ = ["CUES", "cue_tokens"]

_W = r"(?<![\w])"
_E = r"(?![\w])"


def _family(*alternatives: str) -> re.Pattern[str]:
    return re.compile(_W + "(?:" + "|".join(alternatives) + ")" + _E)


CUES: dict[str, re.Pattern[str]] = {
    # time spent waiting: durations, "since", "still", « depuis », « toujours pas »
    "zzcuewait": _family(
        r"0+\s*(?:h|hrs?|hours?|heures?|min|mins|minutes?|jours?|days?|semaines?|weeks?|wks?"
        r"|mois|months?)",
        r"0+h0+",
        r"since|still|yet|again|anymore|on hold|waiting|waited|no answer|no reply|no response",
        r"depuis|encore|toujours pas|toujours rien|en attente|attendu|attends|aucune? (?:nouvelle|reponse)",
        r"ca fait|sa fait|y'?a (?:0+|deux|trois)",
    ),
    # something that should work does not
    "zzcuefail": _family(
        r"broken|broke|down|outage|crash(?:es|ed|ing)?|fail(?:s|ed|ing)?|lost|missing|cancell?ed",
        r"declined|never (?:came|arrived|showed)|not (?:working|delivered|fixed|resolved)",
        r"doesn'?t work|does not work|won'?t (?:load|open|work)|no (?:service|signal|internet|power)",
        r"double charged|charged (?:twice|me)|overcharged|throttled|no.?show(?:ed)?",
        r"panne|brise|brisee|bris[ée]s|plante|perdu|perdue|manque|annule|annulee|refuse|refusee",
        r"marche (?:pas|plus|pus)|fonctionne (?:pas|plus|pus)|pas de (?:service|signal|courant|reseau|internet)",
        r"facture (?:deux|0) fois|double facturation|jamais (?:arrive|recu|venu|livre)|coupe",
    ),
    # plain dissatisfaction
    "zzcuebad": _family(
        r"worst|terrible|awful|horrible|useless|unacceptable|ridiculous|pathetic|joke|scam|rip.?off",
        r"disgusting|disappointed|frustrat\w*|fed up|sick of|tired of|done with|never again|fix (?:it|this)",
        r"smh|wtf|ffs|ugh|1 star|zero stars?|0 stars?|cancell?ing|switching",
        r"pire|nul|nulle|nuls|inacceptable|ridicule|honteux|honteuse|honte|arnaque|inutilisable|inutile",
        r"decu|decue|decevant|ec(?:oe|\u0153)uree?|tanne|tannee|en ai marre|j'?en ai assez|en peux (?:plus|pus)",
        r"plus jamais|pus jamais|franchement|c'?est abuse|n'?importe quoi|calvaire|tabarnak|criss|ostie|maudit",
    ),
    # praise said with a straight face about a failure
    "zzcuesarcasm": _family(
        r"great job|good job|well done|thanks for nothing|really appreciate|love how|love that|so helpful",
        r"cool cool|amazing service|incredible|bravo|merci pour rien|vraiment apprecie|super service",
        r"c'?est (?:beau|ca oui)|merci beaucoup pour",
    ),
    # an insult or slur aimed at someone, spelt out, masked ("f*ck", "c0nnard") or abbreviated
    "zzcueinsult": _family(
        r"idiots?|morons?|stupid|dumb(?:ass)?|retard(?:ed|s)?|bitch(?:es)?|b[*!]+tch|bastards?",
        r"assholes?|a[*]+hole|dickheads?|cunts?|c[*]+nt|twats?|losers?|scum(?:bags?)?|clowns?",
        r"pigs?|whores?|sluts?|f[a*]g(?:g?ots?)?|nigg(?:a|er)s?|n[*]+(?:a|er)|tranny|imbeciles?",
        r"shut (?:up|the f\w* up)|stfu|f(?:u|[*]+)c?k (?:you|u|off)|fk (?:you|u)|screw you",
        r"go to hell|piece of (?:shit|crap|garbage)|pos|scumbags?",
        r"c[o0]nn(?:ard|asse)s?|salope?s?|salaud|putes?|encule(?:e|s)?|fdp|ntm|nique ta",
        r"ta gueule|ferme (?:ta gueule|la)|debiles?|abrutie?s?|cretins?|batards?|mongols?",
        r"(?:espece|pauvre|gros|grosse|sale|bande) (?:de )?(?:cons?|conne|porcs?|vache|merde|chien)",
        r"ordures?|raclures?|attarde(?:e|s)?|tapettes?|pd|negres?|bougnoules?|youpins?",
        r"va te faire (?:foutre|enculer)|vtff|mange (?:de la )?marde|casse.toi",
    ),
    # a threat of harm, or telling someone that they are watched
    "zzcuethreat": _family(
        r"i'?(?:ll| will) (?:find|kill|hurt|end|get|beat|destroy) (?:you|u)|watch (?:your|ur) back",
        r"you'?re (?:dead|done for)|you(?:'ll| will) (?:pay|regret)|(?:i|we) know where (?:you|u) live",
        r"kill (?:you|u|yourself|urself|him|her|them)|kys|hope (?:you|u) die|gonna (?:kill|hurt|beat)",
        r"burn (?:it|the place|your \w+) down|shoot (?:up|you|u)",
        r"je vais (?:te|vous|la|le) (?:trouver|retrouver|tuer|buter|defoncer|casser|faire la peau)",
        r"(?:on|je) sai[st] ou (?:tu|vous) (?:habite[sz]?|reste[sz]?)|tu vas (?:le )?(?:payer|regretter)",
        r"tu vas crever|va crever|crevez|fais gaffe a toi|surveille tes arrieres|suicide.toi",
    ),
}

_EMOJI_SARCASM = re.compile(
    "[\U0001f644\U0001f643\U0001f44f\U0001f612\U0001f926\U0001f621\U0001f620\U0001f92c]"
)


_ANY_CUE = re.compile(
    _W
    + "(?:"
    + "|".join(f"(?P<{token}>{p.pattern[len(_W) : -len(_E)]})" for token, p in CUES.items())
    + ")"
    + _E
)
"""Every family in one pattern, scanned once (half the time of one scan per family); a wording
inside another family's longer match ("again" in "never again") counts for the longer one only."""


def cue_tokens(text: str) -> str:
    """The cue tokens of one normalized text, space-separated ('' when none)."""
    matched = {m.lastgroup for m in _ANY_CUE.finditer(text)}
    found = [token for token in CUES if token in matched]
    if "zzcuesarcasm" not in found and _EMOJI_SARCASM.search(text):
        found.append("zzcuesarcasm")
    return " ".join(found)
