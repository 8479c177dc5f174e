"""A made-up rumour wave: 30 posts, French and English, on X and Mastodon, in 9 conversations,
all saying that Laurentia shuts its 3G network on March 1 and old phones will stop working."""

from __future__ import annotations

WAVE = [
    ("x", "c1", "fr", "Il paraît que Laurentia ferme son réseau 3G le 1er mars. Les vieux cells vont arrêter de marcher?"),
    ("x", "c1", "fr", "@LaurentiaAide c'est vrai pour la 3G en mars? Ma mère a encore un vieux cell"),
    ("x", "c1", "en", "wait, Laurentia is shutting down 3G on March 1st? my dad's old flip phone is 3G only"),
    ("mastodon", "c2", "en", "Heard Laurentia kills its 3G network March 1, older phones will just stop working"),
    ("mastodon", "c2", "fr", "Fermeture du réseau 3G de Laurentia en mars: tous les vieux téléphones deviennent inutiles, paraît-il"),
    ("mastodon", "c2", "en", "so all 3G phones on Laurentia go dead in March? nobody told us anything"),
    ("x", "c3", "fr", "Rumeur: Laurentia coupe la 3G le 1er mars et les alarmes médicales des aînés vont arrêter"),
    ("x", "c3", "en", "is it true Laurentia shuts off 3G in March and medical alert devices stop working??"),
    ("x", "c3", "fr", "Les alarmes médicales sur la 3G de Laurentia vont-tu vraiment arrêter en mars?"),
    ("x", "c3", "en", "my grandma's medical alarm uses 3G... Laurentia really closing it March 1?"),
    ("mastodon", "c4", "fr", "On m'a dit que Laurentia ferme la 3G en mars. Faut-il changer de téléphone avant?"),
    ("mastodon", "c4", "en", "Laurentia 3G shutdown on March 1: do old phones stop working or not?"),
    ("x", "c5", "en", "apparently Laurentia ends 3G service March 1st, older phones won't work anymore"),
    ("x", "c5", "fr", "La 3G de Laurentia ferme le 1er mars selon un vendeur. Mon vieux téléphone va mourir"),
    ("x", "c5", "en", "Laurentia shutting 3G on March 1? that's going to strand a lot of old phones"),
    ("x", "c5", "fr", "Fin de la 3G chez Laurentia en mars, c'est ce qui circule. Quelqu'un confirme?"),
    ("mastodon", "c6", "fr", "Paraît que Laurentia ferme son réseau 3G en mars pis que les vieux cellulaires vont plus capter"),
    ("mastodon", "c6", "en", "Laurentia closing the 3G network in March, old phones losing service. Real?"),
    ("mastodon", "c6", "fr", "Réseau 3G fermé par Laurentia le 1er mars? Mes parents ont des vieux téléphones"),
    ("x", "c7", "en", "PSA (unconfirmed): Laurentia turns off 3G March 1, old phones stop working"),
    ("x", "c7", "fr", "Laurentia ferme la 3G le 1er mars, vos vieux téléphones vont arrêter de fonctionner!"),
    ("x", "c7", "en", "heard the 3G shutdown at Laurentia is March 1 and 3G-only phones stop working"),
    ("x", "c7", "fr", "Fermeture 3G Laurentia en mars, est-ce que c'est confirmé?"),
    ("mastodon", "c8", "en", "Laurentia is shutting 3G down March 1st and medical alarms could stop. Anyone know more?"),
    ("mastodon", "c8", "fr", "La 3G de Laurentia s'arrête le 1er mars, les alarmes médicales aussi?"),
    ("mastodon", "c8", "en", "old phones on Laurentia stop working in March when 3G closes, says a store clerk"),
    ("mastodon", "c8", "fr", "Laurentia met fin à la 3G en mars? Les vieux téléphones vont arrêter"),
    ("x", "c1", "en", "Laurentia 3G closing March 1, old phones dead. Can someone confirm?"),
    ("x", "c2", "fr", "C'est confirmé que Laurentia ferme la 3G le 1er mars? Les vieux cells vont arrêter"),
    ("mastodon", "c4", "fr", "Ma voisine dit que Laurentia ferme la 3G en mars et que son vieux téléphone va arrêter"),
]

OTHERS = [
    ("x", "o1", "fr", "Laurentia serait au bord de la faillite selon un ami à la banque. Vrai?"),
    ("mastodon", "o2", "en", "heard Laurentia is adding a $5 network fee to every bill starting in January"),
]
