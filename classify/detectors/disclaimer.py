"""Staff-bio disclaimer check: a profile that names the employer must say opinions are personal.

The seed policy: an employee who names the company in a profile adds that their opinions do not
necessarily reflect the company's. This detector reads the author's bio on staff posts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from classify.detectors.base import Detector, Finding
from classify.detectors.patterns import compile_any, words
from classify.item import Item
from events.schemas import Label, Source

__all__ = ["DisclaimerDetector"]

_DISCLAIMERS = compile_any(
    [
        # English wordings: "views are my own", "opinions mine", "RTs ≠ endorsements".
        r"\b(?:views?|opinions?|thoughts?|tweets?|posts?|words?|takes?)\b[^|·.\n]{0,25}?"
        r"\b(?:mine|my own|own|personal|not my employer)",
        r"\bmy (?:own )?(?:views?|opinions?|thoughts?|tweets?)\b",
        r"\b(?:RTs?|retweets?|reposts?|likes?|shares?)\s*(?:[≠!=]=?|are not|aren['’]t|do not equal|don['’]t equal|"
        r"does not equal|not|≠)\s*(?:=\s*)?endorse",
        r"\bspeak (?:only )?for myself\b|\bnot (?:the views?|an official|speaking) (?:of|on behalf|for)\b",
        r"\b(?:do(?:es)? not|don['’]t|doesn['’]t) (?:necessarily )?(?:reflect|represent|speak for)",
        r"\bpersonal (?:account|views|opinions)\b",
        # French wordings: « les opinions exprimées n'engagent que moi », « opinions personnelles ».
        r"n['’](?:engagent?|engage) que (?:moi|ma personne|leur auteur)",
        r"\b(?:opinions?|vues|propos|avis|idées|tweets|publications|gazouillis)\b[^|·.\n]{0,30}?"
        r"(?:les? miens?|les? miennes?|miennes?|personnel(?:le)?s?|à moi)\b",
        r"\b(?:mes|mon) (?:opinions?|propos|avis|tweets|publications)\b",
        r"ne (?:reflètent|représentent|reflète|représente) pas (?:nécessairement )?(?:celles?|ceux|l['’]avis|le point de vue|la position)",
        r"\bcompte personnel\b|\bje parle (?:uniquement |seulement )?en mon nom\b",
        r"\b(?:partage|RT|j['’]aime)\s*(?:≠|n['’]est pas|ne veut pas dire)\s*(?:un )?(?:appui|approbation|endossement)",
    ]
)
# Not (or no longer) an employee speaking: the brand's own accounts, former staff, retirees.
_NOT_EMPLOYEE = compile_any(
    [
        r"\b(?:official|officiel(?:le)?)\b",
        r"\bformer\b|\bex-employ|\bretired\b|\bretraitée?\b|\banciens? |\banciennes? ",
    ]
)
# How a bio names an employer without the brand's own names: "chez X", "at @X", "X | Role".
_AT_EMPLOYER = re.compile(r"(?:\bchez|\bat|\bpour|\bfor|@)\s*@?[A-ZÀ-Ý][\w'’&.-]+")
# Job titles and departments, English and French (comma-separated).
_ROLE_WORDS = """
    engineer, engineering, management, technician, tech, manager, director, VP, advisor,
    analyst, developer, dev, designer, accountant, cashier, driver, pilot, captain,
    flight attendant, agent, representative, sales, recruiter, supervisor, coordinator, lead,
    head of, assistant, buyer, planner, grocer, lineman, customer service, customer care,
    customer happiness, support, partner success, R&D, marketing, communications, comms, PR,
    logistics, procurement, production, HR, finance, IT, QA, programmer, writer,
    content creator, community manager, store, employee, staff, team, intern, owner, founder,
    CEO, clerk, teller, associate, specialist, consultant, architect, ingénieur, ingénieure,
    technicien, technicienne, gérant, gérante, directeur, directrice, vice-président,
    vice-présidente, conseiller, conseillère, analyste, développeur, développeuse, dév,
    comptable, caissier, caissière, livreur, livreuse, chauffeur, pilote, commandant, agente,
    représentant, représentante, ventes, vendeur, vendeuse, recruteur, recruteuse, superviseur,
    superviseure, coordonnateur, coordonnatrice, chef, responsable, adjoint, adjointe,
    acheteur, acheteuse, sommelier, sommelière, pharmacien, pharmacienne, planificateur,
    planificatrice, épicier, monteur, service client, service à la clientèle, soutien,
    relations publiques, logistique, approvisionnement, RH, programmeur, programmeuse,
    rédacteur, rédactrice, magasin, succursale, boutique, employé, employée, équipe, stagiaire,
    propriétaire, fondateur, fondatrice, PDG, commis, préposé, préposée, spécialiste,
    partenariats, chargé, chargée, gestionnaire, porte-parole, infirmière, infirmier, nurse
"""
_ROLES = re.compile(words(*(w.strip() for w in _ROLE_WORDS.split(",") if w.strip())), re.IGNORECASE)
_CAPITALIZED = re.compile(r"(?<![\w@#])[A-ZÀ-Ý][\w'’&.-]*[\w&]")
# Capitalized words that are not employers: places and everyday words of a bio.
_NOT_ORG = frozenset(
    """
montréal montreal québec quebec laval toronto sherbrooke gatineau longueuil lévis levis saguenay
trois-rivières rimouski moncton ottawa vancouver calgary edmonton halifax winnipeg paris lyon marseille
bordeaux toulouse lille nantes nice aix-en-provence drummondville shawinigan boucherville mirabel
beloeil brossard terrebonne repentigny granby chicoutimi canada france qc on mtl rive-sud rive-nord
dad mom maman papa mother father mère père proud fière fier i je the le la les my mon ma mes and et
lover fan nerd runner coureuse coureur amatrice amateur grandpa grandma grand-papa grand-maman
""".split()
)


class DisclaimerDetector(Detector):
    name: ClassVar[str] = "disclaimer"
    version: ClassVar[str] = "1.0"
    label: ClassVar[Label] = Label.missing_disclaimer
    default_sources: ClassVar[frozenset[Source]] = frozenset({Source.staff})

    def _load(self) -> None:
        terms = sorted(
            {t.strip("@#").lower() for t in self.context.brand_terms if len(t.strip("@#")) >= 3}
        )
        self._brand = (
            re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None
        )

    def _detect(self, item: Item) -> Iterable[Finding]:
        bio = (item.bio or "").strip()
        if (item.author or "").lower().lstrip("@") in self.context.brand_accounts:
            return  # the brand's own accounts speak for the company
        if not bio or _DISCLAIMERS.search(bio) or _NOT_EMPLOYEE.search(bio):
            return
        employer = self._employer(bio)
        if employer is not None:
            yield self.hit(
                employer.group(0),
                employer.start(),
                employer.end(),
                where="bio",
                detail="profile names the employer but has no 'opinions are my own' disclaimer",
            )

    def _employer(self, bio: str) -> re.Match[str] | None:
        """Where the bio names an employer: the brand, "chez X"/"at X", or an organisation beside a role."""
        found = (self._brand.search(bio) if self._brand else None) or _AT_EMPLOYER.search(bio)
        if found or not _ROLES.search(bio):
            return found
        for word in _CAPITALIZED.finditer(bio):
            if word.group(0).lower() not in _NOT_ORG and not _ROLES.fullmatch(word.group(0)):
                return word
        return None
