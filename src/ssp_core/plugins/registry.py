"""The registry: the loaded world of contributions, indexed by id, with conflicts detected.

:meth:`Registry.build` calls every ``ssp_register_*`` hook once, resolves duplicate
ids (an error naming both plugins, unless one wraps its item in :func:`override`),
checks every cross-reference, validates every workflow definition and builds one
:class:`~ssp_core.workflows.engine.WorkflowEngine` per definition version.

A plugin that declares a municipality contributes everything in that municipality's
namespace (``aalborg.ssp_consultant``); only the core's shared building blocks (and
items a plugin replaces on purpose with :func:`override`) have plain ids. Ids a
plugin renamed are declared as data (:class:`~ssp_core.domain.renames.RenamedId`), so
old histories keep reading and an old id given by a user names the new one.

The module is longer than most (about 850 lines) because every cross-reference
between kinds of contribution is checked here, in one method per family (district,
organisation, workflows, privacy, walks, activities, namespaces, renames), where
the ids they name are all at hand; each check is a few lines.
"""

from __future__ import annotations

import difflib
import logging
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Generic, Protocol, TypeVar

import attrs

from ssp_core.domain.access import ANY, Grant, Purpose
from ssp_core.domain.activities import ActivityKind, ActivityPlan, headcount_problem
from ssp_core.domain.cases import Case
from ssp_core.domain.concerns import ReferenceText, Situation, WorrySignCatalogue
from ssp_core.domain.disclosure import DisclosureProfile, DisclosureRule, LegalBasis
from ssp_core.domain.district import Municipality, PoliceDistrict, Reach
from ssp_core.domain.organisation import ActionGroup, Corps, InfoHouse, Partner, PartnerKind
from ssp_core.domain.people import AgeBand
from ssp_core.domain.renames import RENAMABLE_KINDS, IdRenames, RenamedId
from ssp_core.domain.retention import RetentionRule
from ssp_core.domain.roles import Role
from ssp_core.domain.strategy import Strategy
from ssp_core.domain.walks import FindingCategory, Locality, WalkPlan
from ssp_core.exceptions import ConfigError, DataError, PluginError, UnknownId
from ssp_core.i18n import _
from ssp_core.loading import reading_once, source_of
from ssp_core.plugins.manager import Contribution, PluginHost, PluginInfo
from ssp_core.workflows.definition import WorkflowDefinition, WorkflowKind
from ssp_core.workflows.engine import WorkflowEngine
from ssp_core.workflows.extension import WorkflowExtension, resolve_extensions
from ssp_core.workflows.guards import Guard
from ssp_core.workflows.validation import definition_problems


class OnWorkflow(Protocol):
    """Anything that names a workflow version, as an index row of a case does."""

    @property
    def workflow(self) -> str:
        """The workflow's id."""

    @property
    def workflow_version(self) -> int:
        """The version of the workflow."""


__all__ = ["KINDS", "Contributed", "ContributionKind", "Override", "Registry", "override"]

_log = logging.getLogger(__name__)

T = TypeVar("T")


@attrs.frozen
class Override(Generic[T]):
    """An item that replaces, on purpose, an item with the same id from another plugin."""

    item: T


def override(item: T) -> Override[T]:
    """Mark ``item`` as replacing another plugin's item with the same id."""
    return Override(item)


def _workflow_key(definition: WorkflowDefinition | WorkflowExtension) -> str:
    return definition.name


@attrs.frozen
class ContributionKind:
    """One kind of contribution: its name, its ``ssp_register_*`` hook, its type and its key."""

    name: str
    hook: str
    type: type[Any] | tuple[type[Any], ...]
    key: Callable[[Any], str]
    per_plugin: bool = False
    """Whether ids are the plugin's own: two plugins may each contribute one with the same id."""


NAMESPACED_KINDS: frozenset[str] = frozenset(
    {*RENAMABLE_KINDS, "workflow", "guard", "purpose", "legal basis"}
)
"""The kinds whose ids a municipality's plugin must put in its namespace (``aalborg.*``)."""


_MAX_KNOWN = 20
"""How many known ids an error about an unknown one lists."""

KINDS: tuple[ContributionKind, ...] = (
    ContributionKind(
        "police district", "ssp_register_police_districts", PoliceDistrict, lambda item: item.id
    ),
    ContributionKind(
        "municipality", "ssp_register_municipalities", Municipality, lambda item: item.id
    ),
    ContributionKind("role", "ssp_register_roles", Role, lambda item: item.id),
    ContributionKind(
        "partner kind", "ssp_register_partner_kinds", PartnerKind, lambda item: item.id
    ),
    ContributionKind("partner", "ssp_register_partners", Partner, lambda item: item.id),
    ContributionKind("corps", "ssp_register_corps", Corps, lambda item: item.id),
    ContributionKind("INFO house", "ssp_register_info_houses", InfoHouse, lambda item: item.id),
    ContributionKind(
        "action group", "ssp_register_action_groups", ActionGroup, lambda item: item.id
    ),
    ContributionKind(
        "worry-sign catalogue", "ssp_register_catalogues", WorrySignCatalogue, lambda item: item.id
    ),
    ContributionKind(
        "reference text", "ssp_register_reference_texts", ReferenceText, lambda item: item.id
    ),
    ContributionKind("situation", "ssp_register_situations", Situation, lambda item: item.id),
    ContributionKind("age band", "ssp_register_age_bands", AgeBand, lambda item: item.id),
    ContributionKind("strategy", "ssp_register_strategy", Strategy, lambda item: item.id),
    ContributionKind(
        "workflow",
        "ssp_register_workflows",
        (WorkflowDefinition, WorkflowExtension),
        _workflow_key,
    ),
    ContributionKind("guard", "ssp_register_guards", Guard, lambda item: item.id),
    ContributionKind("purpose", "ssp_register_purposes", Purpose, lambda item: item.id),
    ContributionKind("grant", "ssp_register_grants", Grant, lambda item: item.id),
    ContributionKind("legal basis", "ssp_register_legal_bases", LegalBasis, lambda item: item.id),
    ContributionKind(
        "disclosure profile",
        "ssp_register_disclosure_profiles",
        DisclosureProfile,
        lambda item: item.id,
        per_plugin=True,
    ),
    ContributionKind(
        "retention rule", "ssp_register_retention_rules", RetentionRule, lambda item: item.id
    ),
    ContributionKind(
        "finding category",
        "ssp_register_finding_categories",
        FindingCategory,
        lambda item: item.id,
    ),
    ContributionKind("locality", "ssp_register_localities", Locality, lambda item: item.id),
    ContributionKind("example walk", "ssp_register_example_walks", WalkPlan, lambda item: item.id),
    ContributionKind("renamed id", "ssp_register_renamed_ids", RenamedId, lambda item: item.id),
    ContributionKind(
        "activity kind", "ssp_register_activity_kinds", ActivityKind, lambda item: item.id
    ),
    ContributionKind(
        "example activity", "ssp_register_example_activities", ActivityPlan, lambda item: item.id
    ),
)
"""What plugins can contribute: one kind per ``ssp_register_*`` hook."""


class Contributed(Generic[T]):
    """Items of one kind by id, each with the plugin that contributed it."""

    __slots__ = ("_by", "_items", "_renamed", "kind", "overridden")

    def __init__(
        self,
        kind: str,
        items: Mapping[str, T],
        by: Mapping[str, str],
        *,
        overridden: Iterable[str] = (),
        renamed: Mapping[str, str] | None = None,
    ) -> None:
        self.kind = kind
        self._items = MappingProxyType(dict(items))
        self._by = MappingProxyType(dict(by))
        self.overridden = frozenset(overridden)
        """The ids whose item replaces another plugin's on purpose (:func:`override`)."""
        self._renamed = MappingProxyType(dict(renamed or {}))

    def __getitem__(self, item_id: str) -> T:
        try:
            return self._items[item_id]
        except KeyError:
            raise UnknownId(
                self.kind, item_id, list(self._items), renamed_to=self._renamed.get(item_id)
            ) from None

    def made(self, items: Mapping[str, Any]) -> Contributed[Any]:
        """Return ``items`` (some of these ids, each made into another item) by the same plugins."""
        return Contributed(
            self.kind,
            items,
            {key: self._by[key] for key in items},
            overridden=self.overridden & items.keys(),
            renamed=self._renamed,
        )

    def with_renamed(self, renamed: Mapping[str, str]) -> Contributed[T]:
        """Return the same items, whose lookups of an old id name its new one."""
        return Contributed(
            self.kind, self._items, self._by, overridden=self.overridden, renamed=renamed
        )

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items

    def __iter__(self) -> Any:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def get(self, item_id: str) -> T | None:
        """Return the item with ``item_id``, or ``None`` if none was contributed."""
        return self._items.get(item_id)

    def values(self) -> Iterable[T]:
        """Return the items, in the order they were contributed."""
        return self._items.values()

    def items(self) -> Iterable[tuple[str, T]]:
        """Return ``(id, item)`` pairs."""
        return self._items.items()

    def contributor(self, item_id: str) -> str:
        """Return the name of the plugin that contributed ``item_id``."""
        self[item_id]
        return self._by[item_id]


def _resolve(kind: ContributionKind, contributions: list[Contribution[Any]]) -> Contributed[Any]:
    plain: dict[str, list[Contribution[Any]]] = {}
    overrides: dict[str, list[Contribution[Any]]] = {}
    for contribution in contributions:
        if not isinstance(contribution.item, kind.type):
            raise PluginError(
                f"plugin {contribution.plugin!r} returned a {type(contribution.item).__name__} "
                f"from {kind.hook}; expected "
                + " or ".join(
                    t.__name__
                    for t in (kind.type if isinstance(kind.type, tuple) else (kind.type,))
                )
            )
        target = overrides if contribution.override else plain
        key = kind.key(contribution.item)
        if kind.per_plugin:
            key = f"{contribution.plugin}/{key}"
        target.setdefault(key, []).append(contribution)
    items: dict[str, Any] = {}
    by: dict[str, str] = {}
    overridden: list[str] = []
    for key in dict.fromkeys([*plain, *overrides]):
        for group in (plain.get(key, []), overrides.get(key, [])):
            if len(group) > 1:
                names = " and ".join(repr(c.plugin) for c in group)
                raise PluginError(
                    f"{kind.name} {key!r} is contributed by both {names}; give each plugin's "
                    "items ids in its own namespace (e.g. 'aalborg.mentor'). Only to replace "
                    "the other plugin's item on purpose, wrap yours in ssp_core.override(...)"
                )
        winner = (overrides.get(key) or plain[key])[0]
        items[key] = winner.item
        by[key] = winner.plugin
        if key in overrides:
            overridden.append(key)
    return Contributed(kind.name, items, by, overridden=overridden)


def _whose(
    kind: str, item_id: str, contributed: Contributed[Any], item: object, *, quote: bool = True
) -> str:
    """Name an item for a problem: its kind, id, plugin and (if loaded from one) its file."""
    source = source_of(item)
    where = f" ({source})" if source is not None else ""
    shown = repr(item_id) if quote else item_id
    return f"{kind} {shown} from plugin {contributed.contributor(item_id)!r}{where}"


def _ages(band: AgeBand) -> str:
    return f"{band.min_age}+" if band.max_age is None else f"{band.min_age}-{band.max_age}"


def _age_coverage(situation: str, cards: list[tuple[WorkflowDefinition, AgeBand]]) -> list[str]:
    """Say where the age bands of ``cards`` (one situation) overlap or leave ages uncovered."""
    cards = sorted(cards, key=lambda pair: (pair[1].min_age, pair[0].name))
    covers = ", ".join(f"{card.name} {band.id} {_ages(band)}" for card, band in cards)
    found: list[str] = []
    for i, (card, band) in enumerate(cards):
        for other, other_band in cards[i + 1 :]:
            low = other_band.min_age
            high = min(
                (a for a in (band.max_age, other_band.max_age) if a is not None), default=None
            )
            if band.max_age is None or band.max_age >= low:
                ages = f"{low}+" if high is None else f"{low}-{high}"
                found.append(
                    f"action cards {card.name} and {other.name} both apply to situation "
                    f"{situation!r} at ages {ages} (age bands {band.id!r} and "
                    f"{other_band.id!r}); give each age one card"
                )
    reached = 0
    for _card, band in cards:
        if band.min_age > reached:
            found.append(
                f"no action card applies to situation {situation!r} at ages "
                f"{reached}-{band.min_age - 1} (the cards: {covers})"
            )
        if band.max_age is None:
            return found
        reached = max(reached, band.max_age + 1)
    found.append(
        f"no action card applies to situation {situation!r} at ages {reached}+ (the cards: "
        f"{covers})"
    )
    return found


class Registry:
    """Everything the loaded plugins contribute, validated, with one engine per workflow version.

    Build it with :meth:`build` (or :func:`ssp_core.load_registry`). Each kind of
    contribution is a :class:`Contributed` mapping by id: :attr:`roles`,
    :attr:`partner_kinds`, :attr:`partners`, :attr:`corps`, :attr:`info_houses`,
    :attr:`action_groups`, :attr:`catalogues`, :attr:`reference_texts`,
    :attr:`situations`, :attr:`age_bands`, :attr:`strategies`, :attr:`workflows` (by
    ``id@version``), :attr:`guards`, and the privacy data: :attr:`purposes`,
    :attr:`grants`, :attr:`legal_bases`, :attr:`disclosure_profiles` (by partner kind)
    and :attr:`retention_rules`; and for safety work :attr:`finding_categories`,
    :attr:`localities` and :attr:`example_walks`; and for initiatives' activities
    :attr:`activity_kinds` and :attr:`example_activities`.
    """

    roles: Contributed[Role]
    partner_kinds: Contributed[PartnerKind]
    partners: Contributed[Partner]
    corps: Contributed[Corps]
    info_houses: Contributed[InfoHouse]
    action_groups: Contributed[ActionGroup]
    catalogues: Contributed[WorrySignCatalogue]
    reference_texts: Contributed[ReferenceText]
    situations: Contributed[Situation]
    age_bands: Contributed[AgeBand]
    strategies: Contributed[Strategy]
    workflows: Contributed[WorkflowDefinition]
    guards: Contributed[Guard]
    purposes: Contributed[Purpose]
    grants: Contributed[Grant]
    legal_bases: Contributed[LegalBasis]
    disclosure_profiles: Contributed[DisclosureProfile]
    retention_rules: Contributed[RetentionRule]
    finding_categories: Contributed[FindingCategory]
    localities: Contributed[Locality]
    example_walks: Contributed[WalkPlan]
    activity_kinds: Contributed[ActivityKind]
    example_activities: Contributed[ActivityPlan]
    municipalities: Contributed[Municipality]
    police_districts: Contributed[PoliceDistrict]
    renamed_ids: Contributed[RenamedId]
    id_renames: IdRenames

    def __init__(self, host: PluginHost, contributed: Mapping[str, Contributed[Any]]) -> None:
        self.host = host
        self.renamed_ids = contributed["renamed id"]
        self.id_renames = IdRenames(self.renamed_ids.values())
        contributed = {
            name: found.with_renamed(self.id_renames.of(name))
            if self.id_renames.of(name)
            else found
            for name, found in contributed.items()
        }
        self.roles = contributed["role"]
        self.partner_kinds = contributed["partner kind"]
        self.partners = contributed["partner"]
        self.corps = contributed["corps"]
        self.info_houses = contributed["INFO house"]
        self.action_groups = contributed["action group"]
        self.catalogues = contributed["worry-sign catalogue"]
        self.reference_texts = contributed["reference text"]
        self.situations = contributed["situation"]
        self.age_bands = contributed["age band"]
        self.strategies = contributed["strategy"]
        # Extensions are made into definitions first: all that follows sees definitions.
        made, self._unmade = resolve_extensions(dict(contributed["workflow"].items()))
        self._contributed_workflows = contributed["workflow"]
        self.workflows = contributed["workflow"].made(made)
        self.guards = contributed["guard"]
        self.purposes = contributed["purpose"]
        self.grants = contributed["grant"]
        self.legal_bases = contributed["legal basis"]
        self.disclosure_profiles = contributed["disclosure profile"]
        self.retention_rules = contributed["retention rule"]
        self.finding_categories = contributed["finding category"]
        self.localities = contributed["locality"]
        self.example_walks = contributed["example walk"]
        self.activity_kinds = contributed["activity kind"]
        self.example_activities = contributed["example activity"]
        self.municipalities = contributed["municipality"]
        self.police_districts = contributed["police district"]
        self._all = dict(contributed)
        self._homes: dict[str, str] = {}
        for mid in self.municipalities:
            self._homes.setdefault(self.municipalities.contributor(mid), mid)
        by_id: dict[str, list[WorkflowDefinition]] = {}
        for definition in self.workflows.values():
            by_id.setdefault(definition.id, []).append(definition)
        self._versions: dict[str, tuple[WorkflowDefinition, ...]] = {
            wid: tuple(sorted(found, key=lambda d: d.version)) for wid, found in by_id.items()
        }
        self._check()
        guards = dict(self.guards.items())
        self._engines: dict[tuple[str, int], WorkflowEngine] = {
            definition.key: WorkflowEngine(definition, guards)
            for definition in self.workflows.values()
        }

    @classmethod
    def build(cls, host: PluginHost) -> Registry:
        """Collect every contribution from ``host``, validate it, and return the registry.

        :raises PluginError: a hook failed, or two plugins contributed the same id.
        :raises ConfigError: contributed data is inconsistent (names the item and plugin).
        """
        # pluggy calls the plugin loaded last first; items (and clashes) are listed in load order
        started = time.perf_counter()
        loaded = {info.name: index for index, info in enumerate(host.plugins)}
        # a TOML file several hooks load from is parsed once; problems name its lines
        with reading_once():
            contributed = {
                kind.name: _resolve(
                    kind, sorted(host.contributions(kind.hook), key=lambda c: loaded[c.plugin])
                )
                for kind in KINDS
            }
            registry = cls(host, contributed)
        host.after_registry_loaded(registry=registry)
        _log.info(
            "registry built from %d plugin(s): %d workflow version(s), %d role(s), "
            "%d municipality(ies) in %.0f ms",
            len(host.plugins),
            len(registry.workflows),
            len(registry.roles),
            len(registry.municipalities),
            (time.perf_counter() - started) * 1000,
        )
        return registry

    # -- validation ----------------------------------------------------------------------

    def _check(self) -> None:
        problems = [
            *self._district_problems(),
            *self._organisation_problems(),
            *self._workflow_problems(),
            *self._card_problems(),
            *self._privacy_problems(),
            *self._walk_problems(),
            *self._activity_problems(),
            *self._namespace_problems(),
            *self._rename_problems(),
        ]
        if problems:
            raise ConfigError("invalid plugin data:\n  - " + "\n  - ".join(problems))

    def _unknown(self, kind: str, value: str) -> str:
        """Word a reference to an id of ``kind`` that is not there, with those that are."""
        known = sorted(self._versions) if kind == "workflow" else sorted(self._all[kind])
        close = difflib.get_close_matches(value, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        shown = ", ".join(known[:_MAX_KNOWN]) or "none"
        if len(known) > _MAX_KNOWN:
            shown += f" and {len(known) - _MAX_KNOWN} more"
        return f"unknown {kind} {value!r}{hint}; known: {shown}"

    @staticmethod
    def _named(kind: Contributed[Any], item_id: str, found: Iterable[str]) -> list[str]:
        return [f"{_whose(kind.kind, item_id, kind, kind[item_id])}: {p}" for p in found]

    def _district_problems(self) -> list[str]:
        problems: list[str] = []
        by_plugin: dict[str, list[str]] = {}
        for mid, municipality in self.municipalities.items():
            by_plugin.setdefault(self.municipalities.contributor(mid), []).append(mid)
            if municipality.police_district not in self.police_districts:
                problems += self._named(
                    self.municipalities,
                    mid,
                    [
                        (
                            f"unknown police district {municipality.police_district!r}; "
                            f"known: {', '.join(self.police_districts) or 'none'}"
                        )
                    ],
                )
        problems += [
            f"plugin {plugin!r} contributes {len(ids)} municipalities ({', '.join(ids)}); "
            "a plugin belongs to one municipality: make one plugin per municipality"
            for plugin, ids in by_plugin.items()
            if len(ids) > 1
        ]
        codes: dict[str, str] = {}
        for mid, municipality in self.municipalities.items():
            other = codes.setdefault(municipality.code, mid)
            if other != mid:
                problems += self._named(
                    self.municipalities,
                    mid,
                    [f"municipality code {municipality.code} is also {other!r}'s"],
                )
        return problems

    def _namespace_problems(self) -> list[str]:
        problems: list[str] = []
        for name in sorted(NAMESPACED_KINDS):
            found = self._all[name]
            for key in found:
                home = self._homes.get(found.contributor(key))
                item_id = found[key].id if name == "workflow" else key
                if home is None or key in found.overridden or item_id.startswith(f"{home}."):
                    continue
                hint = (
                    f"the id is not in the namespace of municipality {home!r}; name it "
                    f"{home}.{item_id}, and declare the old id as a RenamedId "
                    "(ssp_register_renamed_ids) if stored histories use it"
                )
                problems += self._named(found, key, [hint])
        return problems

    def _rename_problems(self) -> list[str]:
        problems: list[str] = []
        for key, rename in self.renamed_ids.items():
            plugin = self.renamed_ids.contributor(key)
            found: list[str] = []
            if rename.kind not in RENAMABLE_KINDS:
                found.append(
                    f"ids of kind {rename.kind!r} cannot be renamed; renamable: "
                    + ", ".join(sorted(RENAMABLE_KINDS))
                )
            else:
                kind = self._all[rename.kind]
                if rename.old in kind:
                    owner = kind.contributor(rename.old)
                    found.append(f"the old id is still contributed by plugin {owner!r}")
                if rename.new not in kind:
                    found.append(f"unknown {rename.kind} {rename.new!r} (the new id)")
                elif kind.contributor(rename.new) != plugin and rename.new not in kind.overridden:
                    found.append(
                        f"the new id is plugin {kind.contributor(rename.new)!r}'s; a plugin "
                        "renames only its own ids"
                    )
            problems += [f"renamed id {key!r} from plugin {plugin!r}: {p}" for p in found]
        return problems

    def _organisation_problems(self) -> list[str]:
        problems: list[str] = []
        workflow_ids = self._versions.keys()
        for pid, partner in self.partners.items():
            if partner.kind not in self.partner_kinds:
                problems += self._named(
                    self.partners, pid, [self._unknown("partner kind", partner.kind)]
                )
        for cid, corps in self.corps.items():
            if corps.track not in workflow_ids:
                problems += self._named(
                    self.corps, cid, ["its track names " + self._unknown("workflow", corps.track)]
                )
        for hid, house in self.info_houses.items():
            unknown = [p.role for p in house.staffing if p.role not in self.roles]
            problems += self._named(
                self.info_houses,
                hid,
                ["staffing names " + self._unknown("role", r) for r in unknown],
            )
        for cid, catalogue in self.catalogues.items():
            problems += self._named(self.catalogues, cid, catalogue.problems())
        for sid, strategy in self.strategies.items():
            found = strategy.problems()
            found.extend(
                f"initiative {i.id!r} names " + self._unknown("workflow", w)
                for i in strategy.initiatives
                for w in i.workflows
                if w not in workflow_ids
            )
            problems += self._named(self.strategies, sid, found)
        return problems

    def _privacy_problems(self) -> list[str]:
        problems: list[str] = []
        for gid, grant in self.grants.items():
            found = grant.problems()
            if grant.role not in self.roles:
                found.append(self._unknown("role", grant.role))
            found += [
                self._unknown("workflow", w)
                for w in grant.workflows
                if w != ANY and w not in self._versions
            ]
            found += [
                self._unknown("purpose", p)
                for p in grant.purposes
                if p != ANY and p not in self.purposes
            ]
            if (
                grant.reach is Reach.DISTRICT
                and grant.role in self.roles
                and self.role_home(grant.role) is None
            ):
                found.append(
                    f"reaches the police district, but role {grant.role!r} belongs to no "
                    "municipality (its plugin contributes none), so it has no district"
                )
            problems += self._named(self.grants, gid, found)
        for bid, basis in self.legal_bases.items():
            found = [
                self._unknown("purpose", p)
                for p in basis.purposes
                if p != ANY and p not in self.purposes
            ]
            for number, rule in enumerate(basis.rules, start=1):
                found += [
                    f"rule {number}: {problem}" for problem in self._rule_problems(basis, rule)
                ]
            problems += self._named(self.legal_bases, bid, found)
        for rid, role in self.roles.items():
            if role.acts_as is not None and role.acts_as not in self.partner_kinds:
                problems += self._named(
                    self.roles, rid, ["acts as " + self._unknown("partner kind", role.acts_as)]
                )
        for key, profile in self.disclosure_profiles.items():
            if profile.partner_kind not in self.partner_kinds:
                problems += self._named(
                    self.disclosure_profiles,
                    key,
                    [self._unknown("partner kind", profile.partner_kind)],
                )
        for rid, retention in self.retention_rules.items():
            versions = self._versions.get(retention.workflow)
            if versions is None:
                problems += self._named(
                    self.retention_rules, rid, [self._unknown("workflow", retention.workflow)]
                )
                continue
            finals = {state for d in versions for state in d.final_states}
            if retention.outcome is not None and retention.outcome not in finals:
                problems += self._named(
                    self.retention_rules,
                    rid,
                    [
                        (
                            f"outcome {retention.outcome!r} is not a final state of "
                            f"{retention.workflow}; final states: {', '.join(sorted(finals))}"
                        )
                    ],
                )
        return problems

    def _rule_problems(self, basis: LegalBasis, rule: DisclosureRule) -> list[str]:
        """Return what is wrong with one rule of a legal basis."""
        found = [
            self._unknown("partner kind", kind)
            for kind in dict.fromkeys([*rule.disclosers, *rule.recipients])
            if kind not in self.partner_kinds
        ]
        if not rule.disclosers or not rule.recipients or not rule.field_groups:
            found.append("a rule names disclosers, recipients and field groups")
        found += [
            f"unknown kind of case {kind!r}; known: {', '.join(WorkflowKind)}"
            for kind in rule.workflow_kinds
            if kind not in WorkflowKind.__members__.values()
        ]
        if rule.min_age is not None and rule.max_age is not None and rule.min_age > rule.max_age:
            found.append(f"min_age {rule.min_age} is above max_age {rule.max_age}")
        consent = rule.consent or basis.requires_consent
        civil = [
            kind
            for kind in rule.recipients
            if kind in self.partner_kinds and not self.partner_kinds[kind].authority
        ]
        if civil and not consent:
            found.append(
                f"civil-society recipients ({', '.join(civil)}) receive personal data only "
                "under the person's consent: set consent = true, or name authorities only"
            )
        return found

    def _walk_problems(self) -> list[str]:
        problems: list[str] = []
        for wid, walk in self.example_walks.items():
            found: list[str] = []
            if walk.locality not in self.localities:
                found.append(self._unknown("locality", walk.locality))
            found += [
                self._unknown("partner", p) for p in walk.participants if p not in self.partners
            ]
            categories = [*walk.topics, *(f.category for f in walk.findings)]
            found += [
                self._unknown("finding category", c)
                for c in dict.fromkeys(categories)
                if c not in self.finding_categories
            ]
            for number, finding in enumerate(walk.findings, start=1):
                if finding.responsible is not None and finding.responsible not in self.partners:
                    found.append(
                        f"finding {number} names " + self._unknown("partner", finding.responsible)
                    )
                if finding.outcome not in (None, "resolved", "declined"):
                    found.append(
                        f"finding {number}: outcome {finding.outcome!r} is not one of "
                        "resolved, declined"
                    )
                if finding.outcome == "resolved" and finding.responsible is None:
                    found.append(f"finding {number} is resolved but has no responsible partner")
                if finding.outcome == "declined" and not finding.reason:
                    found.append(f"finding {number} is declined without a reason")
            problems += self._named(self.example_walks, wid, found)
        return problems

    def _activity_problems(self) -> list[str]:
        problems: list[str] = []
        for aid, plan in self.example_activities.items():
            found: list[str] = []
            strategy = self.strategies.get(plan.strategy)
            if strategy is None:
                found.append(self._unknown("strategy", plan.strategy))
            elif plan.initiative not in [i.id for i in strategy.initiatives]:
                found.append(
                    f"strategy {plan.strategy!r} has no initiative {plan.initiative!r}; its "
                    f"initiatives: {', '.join(i.id for i in strategy.initiatives) or 'none'}"
                )
            if plan.kind not in self.activity_kinds:
                found.append(self._unknown("activity kind", plan.kind))
            found += [self._unknown("partner", p) for p in plan.partners if p not in self.partners]
            if plan.locality is not None and plan.locality not in self.localities:
                found.append(self._unknown("locality", plan.locality))
            problem = headcount_problem(plan.participants, plan.young_people)
            found += [problem] if problem is not None else []
            problems += self._named(self.example_activities, aid, found)
        return problems

    def _workflow_problems(self) -> list[str]:
        registered = self._contributed_workflows
        problems: list[str] = [
            f"{_whose('workflow', name, registered, registered[name], quote=False)}: {problem}"
            for name, found in self._unmade.items()
            for problem in found
        ]
        for key, definition in self.workflows.items():
            found = definition_problems(
                definition,
                known_guards=list(self.guards),
                # a template's roles stand for whoever a municipality renames them to
                known_roles=None if definition.template else list(self.roles),
            )
            applies = definition.applies_to
            if applies is not None and applies.situation not in self.situations:
                found.append("applies_to names " + self._unknown("situation", applies.situation))
            if applies is not None and applies.age_band not in self.age_bands:
                found.append("applies_to names " + self._unknown("age band", applies.age_band))
            named = _whose("workflow", key, registered, registered.get(key), quote=False)
            problems.extend(f"{named}: {problem}" for problem in found)
        return problems

    def _card_problems(self) -> list[str]:
        """Check that each municipality's cards for a situation give every age one card.

        Checked on the newest version of each action card, grouped as a concern picks
        its card (:meth:`select_card`): by the card's municipality, shared cards (of no
        municipality) a group of their own; in a deployment of at most one
        municipality, all cards together. In each group the age bands must not overlap
        and must leave no age from 0 up without a card.
        """
        groups: dict[tuple[str, str], list[tuple[WorkflowDefinition, AgeBand]]] = {}
        one = len(self.municipalities) <= 1  # then every card is the one municipality's
        only = self.only_municipality()
        for card in self.latest_workflows(WorkflowKind.ACTION_CARD):
            applies = card.applies_to
            band = None if applies is None else self.age_bands.get(applies.age_band)
            if applies is None or band is None or applies.situation not in self.situations:
                continue  # no card, or reported as an unknown situation or age band
            home = only if one else self.workflow_home(card.id)
            whose = "shared cards" if home is None else f"municipality {home!r}"
            groups.setdefault((whose, applies.situation), []).append((card, band))
        return [
            f"{whose}: {problem}"
            for (whose, situation), cards in sorted(groups.items())
            for problem in _age_coverage(situation, cards)
        ]

    # -- looking things up -----------------------------------------------------------------

    def home_of_plugin(self, plugin: str) -> str | None:
        """Return the municipality ``plugin`` contributes, or ``None`` (shared data)."""
        return self._homes.get(plugin)

    def home(self, contributed: Contributed[Any], item_id: str) -> str | None:
        """Return the municipality an item belongs to: its plugin's (``None``: shared)."""
        return self._homes.get(contributed.contributor(item_id))

    def role_home(self, role: str) -> str | None:
        """Return the municipality whose walls a role acts behind (``None``: no municipality).

        A role belongs to the municipality of the plugin that contributes it. In a
        deployment of one municipality, a role from a plugin that declares none (an
        add-on next to the municipality's plugin) acts for that one municipality; with
        several, such a role acts for none and reaches no municipality's cases.
        """
        if role not in self.roles:
            return None
        return self.home(self.roles, role) or self.only_municipality()

    def workflow_home(self, workflow_id: str) -> str | None:
        """Return the municipality a workflow belongs to (``None``: shared, e.g. the core's)."""
        versions = self._versions.get(workflow_id)
        if versions is None:
            raise UnknownId("workflow", workflow_id, sorted(self._versions))
        return self.home(self.workflows, versions[-1].name)

    def only_municipality(self) -> str | None:
        """Return the one municipality of a deployment of one (``None``: none, or several)."""
        if len(self.municipalities) != 1:
            return None
        (only,) = (m.id for m in self.municipalities.values())
        return only

    def district_of(self, municipality: str | None) -> str | None:
        """Return the police district of a municipality (``None`` for none or an unknown one)."""
        found = self.municipalities.get(municipality) if municipality is not None else None
        return found.police_district if found is not None else None

    def disclosure_profile(
        self, partner_kind: str, municipality: str | None
    ) -> DisclosureProfile | None:
        """Return the profile of ``partner_kind`` that ``municipality``'s data gives, if any.

        A municipality's own profile wins; profiles of plugins that belong to no
        municipality apply to every municipality that has none of its own.
        """
        own: DisclosureProfile | None = None
        shared: DisclosureProfile | None = None
        for key, profile in self.disclosure_profiles.items():
            if profile.partner_kind != partner_kind:
                continue
            home = self.home(self.disclosure_profiles, key)
            if home is None:
                shared = shared or profile
            elif home == municipality:
                own = profile
        return own or shared

    @property
    def plugins(self) -> tuple[PluginInfo, ...]:
        """Return the loaded plugins."""
        return self.host.plugins

    def contributions_of(self, plugin: str) -> dict[str, list[str]]:
        """Return, per kind, the ids ``plugin`` contributed (and that were not overridden)."""
        result: dict[str, list[str]] = {}
        for kind, contributed in self._all.items():
            ids = [item_id for item_id in contributed if contributed.contributor(item_id) == plugin]
            if ids:
                result[kind] = ids
        return result

    def items_of(self, plugin: str) -> list[tuple[str, str, Any]]:
        """Return ``(kind, id, item)`` of everything ``plugin`` contributed (not overridden).

        Workflows are the definitions made from what it registered (extensions applied).
        """
        return [
            (kind, item_id, contributed[item_id])
            for kind, contributed in self._all.items()
            for item_id in contributed
            if contributed.contributor(item_id) == plugin
        ]

    def workflow(self, workflow_id: str, version: int | None = None) -> WorkflowDefinition:
        """Return a workflow definition: the given version, or the newest."""
        versions = self._versions.get(workflow_id)
        if versions is None:
            raise UnknownId("workflow", workflow_id, sorted(self._versions))
        if version is None:
            return versions[-1]
        for definition in versions:
            if definition.version == version:
                return definition
        raise UnknownId(
            f"version of workflow {workflow_id}", str(version), [str(d.version) for d in versions]
        )

    def newer_base(self, definition: WorkflowDefinition) -> WorkflowDefinition | None:
        """Return the newest version of the workflow ``definition`` extends, if newer.

        An extension is pinned to the version it names: a newer version of a template
        changes nothing until the municipality registers a new version of its own
        workflow that names it. This says when there is one to consider.
        """
        if definition.extends is None:
            return None
        versions = self._versions.get(definition.extends.id, ())
        newest = versions[-1] if versions else None
        if newest is None or newest.version <= definition.extends.version:
            return None
        return newest

    def kind_of(self, workflow_id: str, version: int) -> WorkflowKind | None:
        """Return the kind of a workflow version, or ``None`` if no plugin registers it (any more).

        The one answer to "what kind of case is this index row?" (``row.workflow``,
        ``row.workflow_version``) for everything that lists cases of one kind.
        """
        try:
            return self.workflow(workflow_id, version).kind
        except UnknownId:
            return None

    def of_kind(
        self, kind: WorkflowKind, workflows: Collection[str] | None = None
    ) -> Callable[[OnWorkflow], bool]:
        """Return the test of an index row: a case of ``kind`` (on ``workflows``, if given)."""

        def keeps(row: OnWorkflow) -> bool:
            return self.kind_of(row.workflow, row.workflow_version) is kind and (
                workflows is None or row.workflow in workflows
            )

        return keeps

    def engine(self, workflow_id: str, version: int | None = None) -> WorkflowEngine:
        """Return the engine of a workflow definition version (the newest if not given)."""
        return self._engines[self.workflow(workflow_id, version).key]

    def engine_for(self, case: Case) -> WorkflowEngine:
        """Return the engine of the definition version ``case`` was opened on."""
        try:
            return self._engines[(case.workflow, case.workflow_version)]
        except KeyError:
            raise UnknownId(
                "workflow version", f"{case.workflow}@{case.workflow_version}", list(self.workflows)
            ) from None

    def latest_workflows(
        self, kind: WorkflowKind | None = None, *, templates: bool = False
    ) -> list[WorkflowDefinition]:
        """Return the newest version of each workflow, optionally of one kind, sorted by id.

        Templates (on which no case is opened) are left out unless ``templates``.
        """
        newest = (versions[-1] for _key, versions in sorted(self._versions.items()))
        return [
            d for d in newest if (kind is None or d.kind == kind) and (templates or not d.template)
        ]

    def _cards(self, situation: str, municipality: str | None) -> list[WorkflowDefinition]:
        """Return the newest cards for ``situation`` a concern of ``municipality`` chooses from."""
        self.situations[situation]
        cards = [
            d
            for d in self.latest_workflows(WorkflowKind.ACTION_CARD)
            if d.applies_to is not None and d.applies_to.situation == situation
        ]
        if municipality is None and len(self.municipalities) <= 1:
            own = cards  # one municipality, or none declared: every card is its
        else:
            own = [d for d in cards if self.workflow_home(d.id) == municipality]
        if not own and municipality is not None:
            own = [d for d in cards if self.workflow_home(d.id) is None]
        return own

    def select_card(
        self, situation: str, age: int, municipality: str | None = None
    ) -> WorkflowDefinition:
        """Pick the action card for a situation and the person's age (newest versions only).

        The card is picked among ``municipality``'s own cards; if it has none for the
        situation, among the shared ones (from plugins that belong to no municipality).
        Another municipality's cards are never picked. Without ``municipality``, in a
        deployment of at most one municipality, every card counts.
        """
        matches = [
            d
            for d in self._cards(situation, municipality)
            if d.applies_to is not None and self.age_bands[d.applies_to.age_band].contains(age)
        ]
        of = f" of municipality {municipality!r}" if municipality is not None else ""
        if not matches:
            raise DataError(f"no action card{of} applies to situation {situation!r} at age {age}")
        if len(matches) > 1:
            names = ", ".join(d.name for d in matches)
            raise ConfigError(
                f"several action cards{of} apply to situation {situation!r} at age {age}: {names}"
            )
        return matches[0]

    def card_misfit(
        self,
        card: WorkflowDefinition,
        age: int,
        *,
        situation: str | None = None,
        municipality: str | None = None,
    ) -> str | None:
        """Tell why action card ``card`` does not fit a person of ``age``; ``None`` if it does.

        The rule :meth:`select_card` applies, checked for a card named directly: the
        situation, if given, must be the card's, and ``age`` (on the concern date) must
        lie in the card's age band. The answer names the card's band and the card that
        applies instead (among ``municipality``'s), if one does; it never names the
        person. A workflow that is not an action card always fits.
        """
        applies = card.applies_to
        if card.kind is not WorkflowKind.ACTION_CARD or applies is None:
            return None
        if situation is not None and situation != applies.situation:
            self.situations[situation]
            try:
                chosen_name = self.select_card(situation, age, municipality).name
                other = _("; the card for it is {card}").format(card=chosen_name)
            except DataError:
                other = ""
            return _("action card {card} is for situation {wanted}, not {given}{other}").format(
                card=card.name, wanted=repr(applies.situation), given=repr(situation), other=other
            )
        band = self.age_bands[applies.age_band]
        if band.contains(age):
            return None
        upper = (
            _("and over")
            if band.max_age is None
            else _("to {max_age}").format(max_age=band.max_age)
        )
        try:
            chosen = self.select_card(applies.situation, age, municipality)
            other = _("; the card for age {age} is {card}").format(age=age, card=chosen.name)
        except DataError:
            other = _("; no card of situation {situation} applies at age {age}").format(
                situation=repr(applies.situation), age=age
            )
        return _(
            "action card {card} is for age band {band} ({min_age} {upper}), "
            "and the person is {age} on the concern date{other}"
        ).format(
            card=card.name,
            band=repr(band.id),
            min_age=band.min_age,
            upper=upper,
            age=age,
            other=other,
        )
