"""Which detectors exist, and the configuration file that turns them on and tunes them."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from classify.detectors.base import Detector, DetectorContext
from classify.detectors.canada_sin import CanadaSinDetector
from classify.detectors.confidentiality import ConfidentialityDetector
from classify.detectors.copyright import CopyrightDetector
from classify.detectors.disclaimer import DisclaimerDetector
from classify.detectors.email import EmailDetector
from classify.detectors.france_nir import FranceNirDetector
from classify.detectors.iban import IbanDetector
from classify.detectors.ip_address import IpAddressDetector
from classify.detectors.location import LocationDetector
from classify.detectors.payment_card import PaymentCardDetector
from classify.detectors.person_name import PersonNameDetector
from classify.detectors.phone import PhoneDetector
from classify.detectors.postal_address import PostalAddressDetector
from classify.detectors.roster import RosterDetector
from classify.detectors.secrets import SecretsDetector
from classify.detectors.us_ssn import UsSsnDetector
from events.brand import BrandConfig
from events.errors import ConfigError
from events.schemas import Source

__all__ = ["DEFAULT_CONFIG", "REGISTRY", "DetectorsConfig", "build_detectors", "context_from_brand"]

DEFAULT_CONFIG = Path(__file__).parents[1] / "detectors.yaml"

REGISTRY: dict[str, type[Detector]] = {
    cls.name: cls
    for cls in (
        EmailDetector,
        PhoneDetector,
        PaymentCardDetector,
        IbanDetector,
        CanadaSinDetector,
        FranceNirDetector,
        UsSsnDetector,
        IpAddressDetector,
        PostalAddressDetector,
        PersonNameDetector,
        SecretsDetector,
        LocationDetector,
        ConfidentialityDetector,
        RosterDetector,
        CopyrightDetector,
        DisclaimerDetector,
    )
}


class DetectorSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    score: float | None = Field(
        default=None, ge=0, le=1, description="Default: the detector's own."
    )
    sources: list[Source] | None = Field(default=None, description="Default: the detector's own.")


class DetectorsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    regions: list[str] = Field(
        default_factory=lambda: ["CA", "FR"], description="For phone numbers."
    )
    detectors: dict[str, DetectorSettings] = Field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | str = DEFAULT_CONFIG) -> DetectorsConfig:
        """Read the YAML file; ConfigError names the file, the field and the reason."""
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            config = cls.model_validate(data)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot read detector configuration: {exc}") from exc
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(f"{path}: invalid detector configuration: {problems}") from exc
        unknown = sorted(set(config.detectors) - set(REGISTRY))
        if unknown:
            raise ConfigError(
                f"{path}: unknown detector(s) {', '.join(unknown)} "
                f"(known: {', '.join(sorted(REGISTRY))})"
            )
        return config


def context_from_brand(brand: BrandConfig, regions: list[str] | None = None) -> DetectorContext:
    """Brand names, handles and keywords, and the staff roster's names."""
    terms = [brand.brand.name, *brand.brand.keywords]
    terms += [h.split("@")[0] for handles in brand.brand.accounts.values() for h in handles]
    return DetectorContext(
        brand_terms=tuple(terms),
        brand_accounts=tuple(
            h.lower().lstrip("@") for hs in brand.brand.accounts.values() for h in hs
        ),
        roster=tuple(m.name for m in brand.staff),
        regions=tuple(regions or ("CA", "FR")),
    )


def build_detectors(config: DetectorsConfig, context: DetectorContext) -> list[Detector]:
    """The enabled detectors, in registry order, configured and ready to load lazily."""
    detectors: list[Detector] = []
    for name, cls in REGISTRY.items():
        settings = config.detectors.get(name, DetectorSettings())
        if not settings.enabled:
            continue
        sources = frozenset(settings.sources) if settings.sources is not None else None
        detectors.append(cls(context=context, score=settings.score, sources=sources))
    return detectors
