"""Deterministic generator of the demo corpus: 12 bilingual RSS/Atom feeds with a planted ground truth.

The corpus exists so that the whole radar (collect, embed, cluster, track, score) can be exercised offline on
data whose answer is known: six stable background themes, two brand-value themes written mostly by the brand's
own blog, three emergences that start tiny and grow in the last weeks, and one burst that fades. Every text is
assembled from the phrase banks below, so titles vary while each theme keeps its own vocabulary (that is what
lets a sentence-embedding clustering find coherent topics).

Everything is driven by one ``random.Random(seed)`` consumed in a fixed order: the same seed gives
byte-identical files. The committed files in ``feeds/`` are the output for the default seed; regenerate them
with ``python -m radar.demo.corpus`` rather than editing them by hand (a test checks this).

Pure standard library on purpose: the demo must load where nothing heavy is installed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple
from xml.sax.saxutils import escape

FEEDS_DIR = Path(__file__).parent / "feeds"
DEFAULT_SEED = 7
START = date(2026, 8, 18)
END = date(2026, 11, 15)
SPAN_DAYS = (END - START).days + 1  # 90 days, both ends included

FeedFormat = Literal["rss", "atom"]
ThemeKind = Literal["background", "emergence", "burst"]

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
# Appended to a few re-posted links so that URL canonicalisation (dropping utm_*) has something to do.
TRACKING_QUERY = "?utm_source=newsletter&utm_medium=rss&utm_campaign=weekly"
EXACT_REPOSTS = 4
TRACKED_REPOSTS = 3


# ------------------------------------------------------------------------------------------------------------
# Data model
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoEntry:
    """One generated item, as it appears in one feed. ``duplicate_of`` is the guid of the original post."""

    guid: str
    url: str
    title: str
    text: str
    published: datetime
    theme: str
    feed: str
    lang: str
    author: str | None = None
    duplicate_of: str | None = None


@dataclass(frozen=True, slots=True)
class DemoFeed:
    """One feed file. Entries are newest first, as publishers usually serve them."""

    slug: str
    title: str
    lang: str
    format: FeedFormat
    owned: bool
    entries: list[DemoEntry]
    description: str = ""
    html_summaries: bool = False

    @property
    def site_url(self) -> str:
        return f"https://{self.slug}.example/"

    @property
    def filename(self) -> str:
        return f"{self.slug}.{self.format}.xml"


@dataclass(frozen=True, slots=True)
class Corpus:
    """The generated feeds plus what was planted in them."""

    seed: int
    feeds: list[DemoFeed]
    themes: dict[str, ThemeSpec] = field(default_factory=dict)

    def entries(self) -> list[DemoEntry]:
        """All entries of all feeds, oldest first (ties broken by feed and guid)."""
        every = [entry for feed in self.feeds for entry in feed.entries]
        return sorted(every, key=lambda e: (e.published, e.feed, e.guid))


class Phase(NamedTuple):
    """``items`` entries spread over days ``[start, end)``; ``origin_only`` keeps them in the theme's origin
    feeds (how an emergence starts before it spreads)."""

    start: int
    end: int
    items: int
    origin_only: bool = False


@dataclass(frozen=True, slots=True)
class PhraseBank:
    """Phrases of one theme in one language; templates use {who} {Who} {thing} {Thing} {place} {Place} {n}
    {pct} and, in French, {de_who} (``de`` with elision)."""

    who: tuple[str, ...]
    things: tuple[str, ...]
    titles: tuple[str, ...]
    leads: tuple[str, ...]
    facts: tuple[str, ...]
    closers: tuple[str, ...]
    n_range: tuple[int, int] = (3, 30)
    pct_range: tuple[int, int] = (12, 68)


@dataclass(frozen=True, slots=True)
class ThemeSpec:
    """A planted theme: its shape over time, the feeds that write about it and its phrase banks."""

    name: str
    kind: ThemeKind
    description: str
    phases: tuple[Phase, ...]
    feeds: tuple[tuple[str, float], ...]
    banks: Mapping[str, PhraseBank]
    origin: tuple[str, ...] = ()
    owned_banks: Mapping[str, PhraseBank] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FeedDef:
    """Static description of one demo feed (who publishes, in what language and format)."""

    slug: str
    title: str
    description: str
    lang: str
    format: FeedFormat
    section: str
    authors: tuple[str, ...] = ()
    author_rate: float = 0.0
    owned: bool = False
    html_summaries: bool = False


# ------------------------------------------------------------------------------------------------------------
# Feeds: six English, six French; six RSS 2.0, six Atom 1.0. The brand's own blog is French.
# ------------------------------------------------------------------------------------------------------------

BRAND = "Maison Verte"  # the fictional brand whose values the demo radar places topics against
OWNED_FEED = "maison-verte-blog"

FEEDS: tuple[FeedDef, ...] = (
    FeedDef(
        "city-pulse-weekly",
        "City Pulse Weekly",
        "What people in cities talk about, every week.",
        "en",
        "rss",
        "stories",
        ("Hannah Cole", "Marcus Reid", "Aisha Bello"),
        0.8,
    ),
    FeedDef(
        "greenline-digest",
        "Greenline Digest",
        "Everyday sustainability, energy and food.",
        "en",
        "atom",
        "digest",
        ("Priya Natarajan", "Leo Fairfax"),
        0.6,
        html_summaries=True,
    ),
    FeedDef(
        "workshift-review",
        "Workshift Review",
        "How work is changing, desk by desk.",
        "en",
        "rss",
        "articles",
        ("Tom Albright", "Ruth Calder", "Sam Okafor"),
        0.9,
    ),
    FeedDef(
        "screen-and-play",
        "Screen & Play",
        "Streaming, games and the way we use our screens.",
        "en",
        "atom",
        "posts",
        ("Nina Holm", "Jonah Wells"),
        0.5,
    ),
    FeedDef(
        "thrift-and-thread",
        "Thrift & Thread",
        "Clothes, resale and the fashion economy.",
        "en",
        "rss",
        "style",
        ("Erin Maddox", "Felix Grant"),
        0.7,
        html_summaries=True,
    ),
    FeedDef(
        "kitchen-ledger",
        "The Kitchen Ledger",
        "Home cooking, food prices and where food comes from.",
        "en",
        "atom",
        "recipes-and-news",
        ("Aisha Bello", "Tom Albright"),
        0.4,
    ),
    FeedDef(
        "terre-et-table",
        "Terre et Table",
        "Cuisine du quotidien, produits de saison et producteurs.",
        "fr",
        "rss",
        "articles",
        ("Camille Roux", "Julien Morel"),
        0.7,
        html_summaries=True,
    ),
    FeedDef(
        "velo-cite-mag",
        "Vélo Cité Mag",
        "Le magazine des mobilités douces en ville.",
        "fr",
        "atom",
        "actu",
        ("Inès Benali", "Thomas Perrin", "Hugo Lambert"),
        0.8,
    ),
    FeedDef(
        "le-bureau-hybride",
        "Le Bureau Hybride",
        "Télétravail, organisation et nouvelles façons de travailler.",
        "fr",
        "rss",
        "billets",
        ("Lucie Garnier", "Antoine Lefort"),
        0.9,
    ),
    FeedDef(
        "foyer-et-energie",
        "Foyer & Énergie",
        "Factures, rénovation et vie quotidienne à la maison.",
        "fr",
        "atom",
        "conseils",
        ("Claire Dumas", "Yanis Haddad"),
        0.5,
        html_summaries=True,
    ),
    FeedDef(
        "culture-en-veille",
        "Culture en veille",
        "Tendances, écrans, mode et modes de vie.",
        "fr",
        "rss",
        "tendances",
        ("Sofia Marchetti", "Manon Vidal", "Élise Caron"),
        0.6,
    ),
    FeedDef(
        OWNED_FEED,
        "Le journal de Maison Verte",
        "Nos producteurs, nos engagements, nos saisons.",
        "fr",
        "atom",
        "journal",
        ("L'équipe Maison Verte", "Margaux, cheffe de produit"),
        1.0,
        owned=True,
        html_summaries=True,
    ),
)
FEEDS_BY_SLUG: dict[str, FeedDef] = {feed.slug: feed for feed in FEEDS}


# ------------------------------------------------------------------------------------------------------------
# Phrase banks. Places are shared by every theme of a language; French places carry their preposition so that
# templates never need to agree "à"/"au" with a noun.
# ------------------------------------------------------------------------------------------------------------

PLACES: dict[str, tuple[str, ...]] = {
    "en": (
        "Leeds",
        "Bristol",
        "Rotterdam",
        "Montreal",
        "Melbourne",
        "Copenhagen",
        "Glasgow",
        "Portland",
        "Dublin",
        "Manchester",
        "Toronto",
        "Edinburgh",
    ),
    "fr": (
        "à Lyon",
        "à Nantes",
        "à Bordeaux",
        "à Lille",
        "à Grenoble",
        "à Rennes",
        "à Strasbourg",
        "à Montpellier",
        "à Bruxelles",
        "à Québec",
        "à Toulouse",
        "à Genève",
    ),
}

CYCLING_EN = PhraseBank(
    who=(
        "commuters",
        "parents with cargo bikes",
        "delivery riders",
        "city planners",
        "students",
        "shop owners",
        "older residents",
        "night-shift workers",
    ),
    things=(
        "protected bike lanes",
        "cargo bikes",
        "e-bike subsidies",
        "secure bike parking",
        "bike-share docks",
        "school streets",
        "winter cycling gear",
        "cycle superhighways",
        "traffic-calmed junctions",
    ),
    titles=(
        "{Who} in {place} ask for more {thing}",
        "How {place} is rethinking {thing}",
        "Bike counts up {pct}% in {place} after a year of new lanes",
        "What {n} days of riding to work taught {who}",
        "Debate over {thing} splits {who} in {place}",
        "Bike commuting in {place}: {who} weigh in on {thing}",
        "Why {who} in {place} keep choosing the bike over the car",
        "{place} adds {n} km of protected cycle lanes before winter",
        "{Thing}: what {who} in {place} really think",
    ),
    leads=(
        "Riders in {place} say investment in {thing} has made daily trips by bike feel safer.",
        "A new count shows bike traffic in {place} rose by {pct}% over a year, with {who} leading the shift.",
        "{Who} describe how switching to the bike changed their commute, their budget and their mood.",
        "Local officials in {place} plan {n} kilometres of new cycle routes and more {thing}.",
        "The debate over {thing} in {place} pits {who} against drivers worried about parking.",
        "Cycling to work is no longer a niche habit in {place}, where {who} now ride in all weathers.",
    ),
    facts=(
        "Bike shops report waiting lists for cargo models and e-bike servicing.",
        "Planners say the busiest routes now carry more bikes than cars at rush hour.",
        "Theft and insurance remain the top concerns of new cyclists.",
        "Several employers now offer showers, lockers and a mileage allowance for cycling.",
        "Groups of neighbours organise bike buses to ride children to school together.",
        "About {pct}% of people surveyed said a protected lane would make them ride more often.",
    ),
    closers=(
        "Campaigners expect ridership to keep climbing once the network is connected.",
        "The next test will be keeping lanes clear of snow and parked vans this winter.",
        "Shopkeepers want footfall data before more streets are redesigned.",
        "For many riders, the bike has simply become the fastest way across town.",
    ),
    n_range=(3, 40),
)

CYCLING_FR = PhraseBank(
    who=(
        "cyclistes du quotidien",
        "parents à vélo-cargo",
        "livreurs à vélo",
        "urbanistes",
        "étudiants",
        "commerçants",
        "retraités",
        "salariés en horaires décalés",
    ),
    things=(
        "les pistes cyclables protégées",
        "le vélo-cargo",
        "la prime au vélo électrique",
        "les parkings vélos sécurisés",
        "les stations de vélos en libre-service",
        "les rues scolaires",
        "l'équipement pour rouler l'hiver",
        "le réseau express vélo",
        "les carrefours apaisés",
    ),
    titles=(
        "{Place}, les {who} réclament {thing}",
        "Vélo {place} : les {who} misent sur {thing}",
        "Le trafic cycliste progresse de {pct} % {place}",
        "Ce que {n} jours de vélotaf ont appris aux {who}",
        "{Thing} : le débat s'anime chez les {who}",
        "{Place}, {n} km de pistes cyclables en plus avant l'hiver",
        "Pourquoi les {who} préfèrent le vélo à la voiture {place}",
        "Vélotaf : les {who} racontent leur quotidien {place}",
    ),
    leads=(
        "{Place}, les cyclistes saluent {thing} et se disent plus en sécurité sur leurs trajets.",
        "Un nouveau comptage montre une hausse de {pct} % du trafic vélo {place}, portée par les {who}.",
        "Des {who} racontent comment le passage au vélo a changé leurs trajets, leur budget et leur humeur.",
        "La municipalité prévoit {n} kilomètres de nouveaux itinéraires cyclables et mise sur {thing}.",
        "{Place}, les {who} défendent {thing} face aux automobilistes inquiets pour le stationnement.",
        "Aller au travail à vélo n'est plus une habitude marginale {place}, où les {who} roulent par tous "
        "les temps.",
    ),
    facts=(
        "Les vélocistes signalent des listes d'attente pour les vélos-cargos et l'entretien des vélos "
        "électriques.",
        "Aux heures de pointe, certains axes voient passer plus de vélos que de voitures.",
        "Le vol et l'assurance restent les premières inquiétudes des nouveaux cyclistes.",
        "Plusieurs employeurs proposent désormais douches, casiers et forfait mobilités durables.",
        "Des parents organisent des « vélobus » pour accompagner les enfants à l'école.",
        "Selon une enquête, {pct} % des répondants rouleraient davantage avec une piste protégée.",
    ),
    closers=(
        "Les associations s'attendent à une nouvelle hausse une fois le réseau relié.",
        "Le prochain défi : garder les pistes dégagées cet hiver.",
        "Les commerçants demandent des chiffres de fréquentation avant d'autres aménagements.",
        "Pour beaucoup, le vélo est tout simplement devenu le moyen le plus rapide de traverser la ville.",
    ),
    n_range=(3, 40),
)

PLANT_EN = PhraseBank(
    who=(
        "home cooks",
        "students on a budget",
        "young parents",
        "canteen chefs",
        "flexitarians",
        "food bloggers",
        "school cooks",
    ),
    things=(
        "lentil stews",
        "chickpea curries",
        "tofu scrambles",
        "mushroom ragouts",
        "bean burgers",
        "seasonal vegetable bowls",
        "tempeh skewers",
        "split-pea soups",
    ),
    titles=(
        "{n} ways {who} are cooking {thing} this week",
        "Why {who} in {place} are cooking more {thing}",
        "Plant-based on a budget: {who} share their go-to {thing}",
        "Canteens in {place} put {thing} on the menu {n} days a month",
        "Meat-free week {n}: what {who} learned from cooking {thing}",
        "{Thing} are the new comfort food for {who}",
        "Vegetarian dinners up {pct}% among {who} in {place}",
    ),
    leads=(
        "More {who} are swapping meat for pulses, and {thing} have become a weekly staple.",
        "A survey in {place} finds {pct}% of households now cook at least one plant-based dinner a week.",
        "{Who} say cooking {thing} cuts their grocery bill without giving up flavour.",
        "School and office canteens in {place} are adding {thing} to rotating vegetarian menus.",
        "Food writers note that {who} now look for recipes built on beans, grains and seasonal vegetables.",
        "Plant-based cooking has moved from specialty shops to everyday kitchens, led by {who}.",
    ),
    facts=(
        "Sales of dried lentils and chickpeas grew faster than those of meat substitutes.",
        "Recipe sites report that searches for one-pot vegetarian meals peak on Sunday evenings.",
        "Nutritionists advise pairing pulses with whole grains for a complete protein.",
        "Batch cooking at the weekend helps busy households keep vegetarian meals on weeknights.",
        "Chefs say spices, miso and roasted vegetables do most of the work.",
        "Households report saving around {pct}% on their weekly food shop.",
    ),
    closers=(
        "Many cooks describe themselves as flexitarian rather than vegetarian.",
        "Growers of local pulses hope the habit outlasts the current food prices.",
        "The next frontier, chefs say, is making vegetables the star of festive meals.",
    ),
    n_range=(3, 15),
)

PLANT_FR = PhraseBank(
    who=(
        "cuisiniers amateurs",
        "étudiants fauchés",
        "jeunes parents",
        "chefs de cantine",
        "flexitariens",
        "blogueurs culinaires",
        "familles nombreuses",
    ),
    things=(
        "le dahl de lentilles",
        "le curry de pois chiches",
        "le tofu brouillé",
        "le ragoût de champignons",
        "les galettes de haricots",
        "les bols de légumes de saison",
        "les brochettes de tempeh",
        "la soupe de pois cassés",
    ),
    titles=(
        "{n} idées de repas végétariens pour les {who}",
        "Pourquoi les {who} cuisinent davantage de légumineuses {place}",
        "Cuisine végétale : les {who} adoptent {thing}",
        "Petit budget : les {who} ne jurent que par {thing}",
        "Cantines {place} : {thing} au menu {n} jours par mois",
        "Semaine sans viande n° {n} : ce que les {who} ont appris",
        "{Thing}, nouveau plat réconfort des {who}",
        "Le dîner végétarien gagne {pct} % chez les {who} {place}",
    ),
    leads=(
        "De plus en plus {de_who} remplacent la viande par des légumineuses et remettent {thing} au menu de "
        "la semaine.",
        "Selon une enquête menée {place}, {pct} % des foyers cuisinent au moins un dîner végétal par "
        "semaine.",
        "Les {who} expliquent que cuisiner {thing} allège le ticket de caisse sans sacrifier le goût.",
        "Les cantines scolaires et d'entreprise {place} ajoutent {thing} à leurs menus végétariens.",
        "Les auteurs culinaires constatent que les {who} recherchent des recettes à base de haricots, de "
        "céréales et de légumes de saison.",
        "La cuisine végétale a quitté les magasins spécialisés pour les cuisines du quotidien, portée par "
        "les {who}.",
    ),
    facts=(
        "Les ventes de lentilles et de pois chiches secs progressent plus vite que celles des substituts de "
        "viande.",
        "Les sites de recettes voient les recherches de plats végétariens mijotés culminer le dimanche soir.",
        "Les nutritionnistes conseillent d'associer légumineuses et céréales complètes.",
        "Cuisiner en grande quantité le week-end aide les familles à tenir les repas végétariens en semaine.",
        "Pour les chefs, les épices, le miso et les légumes rôtis font l'essentiel du travail.",
        "Les foyers interrogés disent économiser environ {pct} % sur leurs courses hebdomadaires.",
    ),
    closers=(
        "Beaucoup se disent flexitariens plutôt que végétariens.",
        "Les producteurs de légumineuses locales espèrent que l'habitude durera au-delà de l'inflation.",
        "Prochaine étape selon les chefs : faire des légumes les vedettes des repas de fête.",
    ),
    n_range=(3, 15),
)

HYBRID_EN = PhraseBank(
    who=(
        "office workers",
        "team managers",
        "HR directors",
        "young graduates",
        "commuting parents",
        "freelancers",
        "IT staff",
    ),
    things=(
        "hot-desking",
        "badge-tracked office days",
        "home-office allowances",
        "no-meeting days",
        "coworking passes",
        "desk booking apps",
        "hybrid team rituals",
        "quiet rooms at the office",
    ),
    titles=(
        "{Who} in {place} push back on {thing}",
        "Three days in the office: how {who} in {place} really split the week",
        "Hybrid work check-in: {who} rethink {thing}",
        "{pct}% of {who} would change jobs to keep their remote days",
        "Companies in {place} cut office space by {pct}% and bet on {thing}",
        "The hidden costs of {thing}, according to {who}",
        "Managers in {place} test {thing} to bring teams together",
        "{n} rules {who} follow to make hybrid work actually work",
    ),
    leads=(
        "Two or three days at home has become the norm for {who} in {place}, but the debate over {thing} is "
        "far from settled.",
        "A poll of {who} shows {pct}% value flexibility over a pay rise.",
        "Employers in {place} are trimming floor space and introducing {thing} to match lower attendance.",
        "{Who} describe the balancing act between quiet focus at home and meetings in the office.",
        "Attendance data from {place} shows offices are busiest midweek and nearly empty on Fridays.",
        "HR teams say the shift to hybrid schedules, including {thing}, has changed how they hire and "
        "onboard staff.",
    ),
    facts=(
        "Onboarding new hires remotely remains the hardest part, managers say.",
        "Some firms now pay a monthly allowance for chairs, screens and internet at home.",
        "Commuting costs are a major reason employees defend their home days.",
        "Unions ask for a clear right to disconnect outside working hours.",
        "Coworking spaces near train stations report rising weekday bookings.",
        "About {pct}% of meetings now include at least one remote participant.",
    ),
    closers=(
        "Few companies expect a full return to five office days.",
        "The next round of negotiations will focus on who pays for the home office.",
        "For many teams, the office is becoming a place to meet rather than to work alone.",
    ),
    n_range=(3, 12),
)

HYBRID_FR = PhraseBank(
    who=(
        "salariés de bureau",
        "managers d'équipe",
        "DRH",
        "jeunes diplômés",
        "parents navetteurs",
        "indépendants",
        "informaticiens",
    ),
    things=(
        "le flex office",
        "le badge de présence",
        "l'indemnité de télétravail",
        "les journées sans réunion",
        "les abonnements de coworking",
        "les applis de réservation de bureaux",
        "les rituels d'équipe hybrides",
        "les bulles de concentration",
    ),
    titles=(
        "{Place}, les {who} contestent {thing}",
        "Trois jours au bureau : comment les {who} organisent vraiment leur semaine {place}",
        "Travail hybride : les {who} repensent {thing}",
        "{pct} % des {who} changeraient d'emploi pour garder le télétravail",
        "Les entreprises {place} réduisent leurs bureaux de {pct} % et misent sur {thing}",
        "Ce que coûte vraiment {thing}, selon les {who}",
        "Des managers {place} testent {thing} pour ressouder les équipes",
        "{n} règles des {who} pour réussir le travail hybride",
    ),
    leads=(
        "Deux ou trois jours de télétravail sont devenus la norme pour les {who} {place}, mais le débat sur "
        "{thing} reste ouvert.",
        "Un sondage auprès des {who} indique que {pct} % préfèrent la flexibilité à une augmentation.",
        "Les employeurs {place} réduisent leurs surfaces et introduisent {thing} face à une présence en "
        "baisse.",
        "Les {who} décrivent l'équilibre délicat entre concentration à la maison et réunions au bureau.",
        "Les données de présence {place} montrent des bureaux pleins en milieu de semaine et presque vides "
        "le vendredi.",
        "Les équipes RH estiment que le passage à l'hybride, avec {thing}, a changé leur façon de recruter "
        "et d'intégrer.",
    ),
    facts=(
        "L'intégration des nouvelles recrues à distance reste le point le plus difficile, selon les "
        "managers.",
        "Certaines entreprises versent une indemnité mensuelle pour l'équipement à domicile.",
        "Le coût des trajets explique en grande partie l'attachement aux jours de télétravail.",
        "Les syndicats réclament un véritable droit à la déconnexion.",
        "Les espaces de coworking proches des gares voient leurs réservations augmenter en semaine.",
        "Environ {pct} % des réunions comptent désormais au moins un participant à distance.",
    ),
    closers=(
        "Peu d'entreprises envisagent un retour au bureau cinq jours sur cinq.",
        "Les prochaines négociations porteront sur la prise en charge des frais du bureau à domicile.",
        "Le bureau devient un lieu de rencontre plus qu'un lieu de travail solitaire.",
    ),
    n_range=(3, 12),
)

STREAMING_EN = PhraseBank(
    who=(
        "teenagers",
        "casual gamers",
        "cord-cutting families",
        "binge-watchers",
        "retro game collectors",
        "esports fans",
        "couch co-op players",
    ),
    things=(
        "streaming subscriptions",
        "ad-supported plans",
        "cloud gaming",
        "mobile puzzle games",
        "watch parties",
        "weekly episode releases",
        "handheld consoles",
        "cosy farming games",
    ),
    titles=(
        "{Who} spend {n} hours a week on {thing}, survey finds",
        "Is {thing} the new normal for {who}?",
        "Why {who} in {place} are switching to {thing}",
        "Subscription fatigue: {pct}% of {who} cancelled a service this year",
        "The comeback of {thing} among {who}",
        "Weekend report: {who} turn to {thing} as nights draw in",
        "{Thing} and the new living-room habits of {who}",
        "Gaming cafés in {place} bet on {thing}",
    ),
    leads=(
        "{Who} say they now rotate subscriptions, signing up for one series and cancelling after the finale.",
        "A study in {place} finds {who} spend about {n} hours a week on {thing}.",
        "Price rises have pushed {pct}% of households toward ad-supported plans or shared accounts.",
        "Game makers see {who} returning to {thing} and shorter play sessions.",
        "Watch parties and group chats turn each new episode into a shared event for {who}.",
        "In {place}, cinemas and gaming cafés court {who} with evenings built around {thing}.",
    ),
    facts=(
        "Analysts say the average household now pays for fewer services than two years ago.",
        "Free ad-supported channels gained viewers among older audiences.",
        "Handheld consoles and phones account for most new gaming hours.",
        "Platforms are cracking down on password sharing across households.",
        "Cosy, low-pressure games are among the best sellers of the season.",
        "Viewers increasingly wait for a full season before starting a series.",
    ),
    closers=(
        "Platforms are expected to bundle services to keep subscribers from leaving.",
        "The living room is still where most viewing happens, even as phones gain ground.",
        "Parents remain divided over how much gaming is too much.",
    ),
    n_range=(3, 14),
)

STREAMING_FR = PhraseBank(
    who=(
        "adolescents",
        "joueurs occasionnels",
        "familles sans box TV",
        "amateurs de séries",
        "collectionneurs de jeux rétro",
        "fans d'e-sport",
        "joueurs en coopération",
    ),
    things=(
        "les abonnements de streaming",
        "les offres avec publicité",
        "le cloud gaming",
        "les jeux de puzzle sur mobile",
        "les soirées de visionnage",
        "les séries en épisodes hebdomadaires",
        "les consoles portables",
        "les jeux de ferme cosy",
    ),
    titles=(
        "Les {who} passent {n} heures par semaine sur {thing}, selon une étude",
        "{Thing} : la nouvelle norme pour les {who} ?",
        "Pourquoi les {who} {place} se tournent vers {thing}",
        "Lassitude des abonnements : {pct} % des {who} ont résilié un service cette année",
        "Retour en grâce chez les {who} : {thing}",
        "Week-end : les {who} misent sur {thing} à l'approche de l'hiver",
        "{Thing} et les nouvelles habitudes de salon des {who}",
        "Les cafés-jeux {place} parient sur {thing}",
    ),
    leads=(
        "Les {who} font tourner leurs abonnements : ils s'inscrivent pour une série et résilient après le "
        "dernier épisode.",
        "Une étude menée {place} estime que les {who} passent environ {n} heures par semaine devant les "
        "écrans, entre séries et jeux.",
        "Les hausses de prix ont poussé {pct} % des foyers vers les offres avec publicité ou les comptes "
        "partagés.",
        "Les éditeurs voient les {who} revenir vers {thing} et des sessions de jeu plus courtes.",
        "Soirées de visionnage et groupes de discussion transforment chaque épisode en événement partagé "
        "pour les {who}.",
        "{Place}, cinémas et cafés-jeux attirent les {who} avec des soirées consacrées aux séries et aux "
        "jeux.",
    ),
    facts=(
        "Selon les analystes, les foyers paient aujourd'hui moins de services qu'il y a deux ans.",
        "Les chaînes gratuites financées par la publicité gagnent des téléspectateurs plus âgés.",
        "Consoles portables et téléphones concentrent l'essentiel des nouvelles heures de jeu.",
        "Les plateformes luttent contre le partage de mots de passe entre foyers.",
        "Les jeux cosy et sans pression figurent parmi les meilleures ventes de la saison.",
        "Les spectateurs attendent de plus en plus la saison complète avant de commencer une série.",
    ),
    closers=(
        "Les plateformes devraient multiplier les offres groupées pour retenir leurs abonnés.",
        "Le salon reste le lieu principal du visionnage, même si le téléphone gagne du terrain.",
        "Les parents restent partagés sur le temps de jeu raisonnable.",
    ),
    n_range=(3, 14),
)

THRIFT_EN = PhraseBank(
    who=(
        "students",
        "vintage hunters",
        "young professionals",
        "resellers",
        "parents of toddlers",
        "fashion influencers",
        "charity shop volunteers",
    ),
    things=(
        "second-hand jeans",
        "pre-loved designer bags",
        "clothing swaps",
        "ultra-cheap online hauls",
        "vintage markets",
        "capsule wardrobes",
        "second-hand winter coats",
        "upcycled jackets",
    ),
    titles=(
        "{Who} in {place} turn to {thing} as prices climb",
        "Fast fashion or thrift: what {who} in {place} are really buying",
        "{n} items a season: how {who} built a wardrobe from {thing}",
        "Resale apps report {pct}% more listings from {who}",
        "The weekend ritual of {who}: {thing}",
        "Charity shops in {place} see record demand for {thing}",
        "Are ultra-cheap hauls losing their shine among {who}?",
        "Thrift flips: {who} share their best finds from {place}",
    ),
    leads=(
        "{Who} say rising prices and concern about waste push them toward {thing}.",
        "Listings on resale apps rose {pct}% this year, driven by {who} clearing out their wardrobes.",
        "In {place}, charity shops and vintage markets report queues on Saturday mornings.",
        "Ultra-cheap online fashion still sells in huge volumes, but {who} increasingly mix it with {thing}.",
        "A survey of {who} finds they bought about {n} new garments last year, fewer than before.",
        "Stylists promote {thing} as a way to look good without a new purchase every week.",
    ),
    facts=(
        "Garment quality has become the main complaint about very low-priced fashion.",
        "Clothing swaps in libraries and community centres draw growing crowds.",
        "Resellers say denim, wool coats and sportswear sell fastest.",
        "Some retailers now run their own take-back and resale programmes.",
        "Textile collection points are filling faster than sorting centres can handle.",
        "Buyers say they check fabric labels more than they did two years ago.",
    ),
    closers=(
        "Second-hand is no longer a niche choice but an everyday habit for many shoppers.",
        "Fast-fashion platforms still dominate volumes, and the tension is unlikely to ease soon.",
        "Charities hope the boom in resale does not crowd out donations.",
    ),
    n_range=(5, 30),
)

THRIFT_FR = PhraseBank(
    who=(
        "étudiants",
        "chineurs de vintage",
        "jeunes actifs",
        "revendeurs",
        "parents de jeunes enfants",
        "influenceuses mode",
        "bénévoles de friperies solidaires",
    ),
    things=(
        "les jeans de seconde main",
        "les sacs de créateurs d'occasion",
        "les trocs de vêtements",
        "les commandes à très bas prix",
        "les braderies vintage",
        "la garde-robe capsule",
        "les manteaux d'hiver d'occasion",
        "les vestes upcyclées",
    ),
    titles=(
        "{Place}, les {who} se tournent vers {thing} face à la hausse des prix",
        "Fast fashion ou friperie : ce qu'achètent vraiment les {who} {place}",
        "{n} pièces par saison : la garde-robe des {who} passe par {thing}",
        "Les applis de revente enregistrent {pct} % d'annonces en plus chez les {who}",
        "Le rituel du samedi des {who} : {thing}",
        "Les friperies {place} voient la demande exploser pour {thing}",
        "Les commandes à très bas prix perdent-elles de leur éclat chez les {who} ?",
        "Bonnes affaires : les {who} partagent leurs trouvailles {place}",
    ),
    leads=(
        "Les {who} expliquent que la hausse des prix et le refus du gaspillage les poussent vers {thing}.",
        "Les annonces sur les applis de revente ont progressé de {pct} % cette année, portées par les {who} "
        "qui vident leurs placards.",
        "{Place}, friperies et braderies vintage voient des files d'attente dès le samedi matin.",
        "La mode en ligne à très bas prix se vend toujours en masse, mais les {who} la combinent de plus en "
        "plus avec {thing}.",
        "Une enquête auprès des {who} montre qu'ils ont acheté environ {n} vêtements neufs l'an dernier, "
        "moins qu'avant.",
        "Les stylistes présentent {thing} comme un moyen d'être élégant sans acheter chaque semaine.",
    ),
    facts=(
        "La qualité des vêtements devient la première critique adressée à la mode très bon marché.",
        "Les trocs de vêtements en médiathèque et en maison de quartier attirent de plus en plus de monde.",
        "Selon les revendeurs, le denim, les manteaux en laine et les vêtements de sport partent le plus "
        "vite.",
        "Certaines enseignes organisent désormais leur propre reprise et revente.",
        "Les points de collecte textile se remplissent plus vite que les centres de tri ne peuvent suivre.",
        "Les acheteurs disent lire les étiquettes de composition plus qu'il y a deux ans.",
    ),
    closers=(
        "L'occasion n'est plus un choix de niche mais une habitude du quotidien.",
        "Les plateformes de fast fashion dominent encore les volumes, et la tension n'est pas près de "
        "retomber.",
        "Les associations espèrent que l'essor de la revente ne tarira pas les dons.",
    ),
    n_range=(5, 30),
)

ENERGY_EN = PhraseBank(
    who=(
        "renters",
        "homeowners",
        "pensioners",
        "young families",
        "landlords",
        "energy advisers",
        "students in shared flats",
    ),
    things=(
        "heat pumps",
        "smart thermostats",
        "loft insulation",
        "rooftop solar panels",
        "time-of-use tariffs",
        "draught-proofing kits",
        "external wall insulation",
        "double glazing",
    ),
    titles=(
        "{Who} in {place} look to {thing} to cut winter costs",
        "Energy bills: {pct}% of {who} plan to heat fewer rooms this winter",
        "{n} small fixes {who} use to lower their energy bill",
        "Worth it or not? {Who} run the numbers on {thing}",
        "Waiting lists grow for {thing} in {place}",
        "Tariff changes leave {who} confused about {thing}",
        "Household energy: what {who} in {place} changed this year",
        "Grants for {thing} draw record applications in {place}",
    ),
    leads=(
        "With prices still high, {who} in {place} are turning to {thing} to keep bills under control.",
        "A survey of {who} finds {pct}% plan to lower the thermostat by at least one degree this winter.",
        "Energy advisers in {place} say demand for {thing} has doubled since spring.",
        "{Who} describe weekly routines of reading meters and shifting laundry to off-peak hours.",
        "Local grants cover part of the cost of {thing}, but installers are booked weeks ahead.",
        "Consumer groups in {place} warn that standing charges hit low-use households hardest.",
    ),
    facts=(
        "Installers report waiting times of several weeks for insulation and heat pumps.",
        "Smart meters help some households spot appliances that waste power.",
        "Renters often cannot make upgrades and depend on landlords to act.",
        "Running the washing machine and charging devices off-peak saves a noticeable amount.",
        "Advisers recommend sealing draughts before investing in expensive equipment.",
        "About {pct}% of households say they now track their consumption weekly.",
    ),
    closers=(
        "Energy charities expect calls for help to peak in January.",
        "The debate over who pays for renovation, tenants or owners, is far from over.",
        "For many families, the heating bill remains the biggest worry of the season.",
    ),
    n_range=(3, 12),
)

ENERGY_FR = PhraseBank(
    who=(
        "locataires",
        "propriétaires",
        "retraités",
        "jeunes familles",
        "bailleurs",
        "conseillers énergie",
        "colocataires étudiants",
    ),
    things=(
        "les pompes à chaleur",
        "les thermostats connectés",
        "l'isolation des combles",
        "les panneaux solaires sur le toit",
        "les offres heures creuses",
        "les kits anti-courants d'air",
        "l'isolation des murs par l'extérieur",
        "le double vitrage",
    ),
    titles=(
        "{Place}, les {who} misent sur {thing} pour alléger l'hiver",
        "Factures d'énergie : {pct} % des {who} chaufferont moins de pièces cet hiver",
        "{n} petits gestes des {who} pour réduire la facture",
        "Rentable ou pas ? Les {who} font leurs calculs sur {thing}",
        "Les délais s'allongent pour {thing} {place}",
        "Tarifs : les {who} s'interrogent sur {thing}",
        "Énergie à la maison : ce que les {who} ont changé cette année {place}",
        "Les aides pour {thing} battent des records de demandes {place}",
    ),
    leads=(
        "Avec des prix toujours élevés, les {who} {place} comptent sur {thing} pour garder la facture sous "
        "contrôle.",
        "Une enquête auprès des {who} montre que {pct} % prévoient de baisser le chauffage d'au moins un "
        "degré cet hiver.",
        "{Place}, les conseillers énergie constatent que la demande pour {thing} a doublé depuis le "
        "printemps.",
        "Les {who} décrivent leurs routines : relever le compteur, décaler les lessives aux heures creuses.",
        "Les aides locales couvrent une partie du coût, mais les artisans sont réservés des semaines à "
        "l'avance.",
        "Les associations de consommateurs {place} alertent sur le poids de l'abonnement pour les petits "
        "consommateurs.",
    ),
    facts=(
        "Les artisans évoquent plusieurs semaines d'attente pour l'isolation et les pompes à chaleur.",
        "Les compteurs communicants aident certains foyers à repérer les appareils énergivores.",
        "Les locataires ne peuvent souvent pas engager de travaux et dépendent de leur bailleur.",
        "Lancer lave-linge et recharges aux heures creuses permet des économies visibles.",
        "Les conseillers recommandent de traiter les courants d'air avant d'investir dans des équipements "
        "coûteux.",
        "Environ {pct} % des foyers disent suivre désormais leur consommation chaque semaine.",
    ),
    closers=(
        "Les associations s'attendent à un pic de demandes d'aide en janvier.",
        "Le débat sur qui paie la rénovation, locataire ou propriétaire, reste entier.",
        "Pour beaucoup de familles, le chauffage reste la principale inquiétude de la saison.",
    ),
    n_range=(3, 12),
)

LOCAL_EN = PhraseBank(
    who=(
        "market gardeners",
        "neighbourhood grocers",
        "dairy farmers",
        "restaurant owners",
        "food co-op members",
        "bakers",
        "orchard growers",
    ),
    things=(
        "short supply chains",
        "farm-to-shop deliveries",
        "regional flour",
        "seasonal vegetable boxes",
        "a 150-km sourcing radius",
        "farmers' markets",
        "local cheese",
        "heritage apple varieties",
    ),
    titles=(
        "How {who} near {place} keep {thing} alive",
        "Local sourcing: {who} defend {thing}",
        "{n} producers, one shop: inside a {place} food co-op",
        "Shoppers in {place} pay up to {pct}% more for {thing}, and say it is worth it",
        "Meet the {who} behind {thing}",
        "Why {who} are betting on {thing}",
        "Short supply chains: {who} near {place} look back on the season",
    ),
    leads=(
        "{Who} near {place} are building their business around {thing}, which they say means fairer prices "
        "and closer ties with customers.",
        "Demand for {thing} in {place} has grown steadily, with {pct}% of shoppers checking origin labels.",
        "A visit to {n} farms around {place} shows how {who} organise weekly deliveries to city shops.",
        "Restaurants in {place} now list the farms behind their dishes, from {thing} to bread.",
        "{Who} admit local supply is harder in winter but say customers accept seasonal menus.",
    ),
    facts=(
        "Shorter transport distances cut costs only when deliveries are pooled.",
        "Producers prefer stable contracts to one-off orders from large retailers.",
        "Seasonal menus mean fewer tomatoes in winter and more root vegetables.",
        "Traceability labels showing the farm and the distance travelled are becoming common.",
        "Co-ops share trucks and cold rooms to make small volumes viable.",
    ),
    closers=(
        "Buying local, producers say, is as much about relationships as about kilometres.",
        "The challenge is scaling up without losing the direct link with growers.",
    ),
    n_range=(4, 40),
)

LOCAL_FR = PhraseBank(
    who=(
        "maraîchers",
        "épiciers de quartier",
        "éleveurs laitiers",
        "restaurateurs",
        "membres de coopératives alimentaires",
        "boulangers",
        "arboriculteurs",
    ),
    things=(
        "les circuits courts",
        "les livraisons directes de la ferme",
        "la farine de la région",
        "les paniers de légumes de saison",
        "les producteurs à moins de 150 km",
        "les marchés de producteurs",
        "les fromages fermiers",
        "les variétés anciennes de pommes",
    ),
    titles=(
        "Comment les {who} font vivre {thing} {place}",
        "Approvisionnement local : les {who} défendent {thing}",
        "{n} producteurs, une boutique : plongée dans une coopérative {place}",
        "{Place}, les clients paient jusqu'à {pct} % plus cher pour {thing} et l'assument",
        "Rencontre avec les {who} qui misent sur {thing}",
        "Pourquoi les {who} parient sur {thing}",
        "Circuits courts : les {who} {place} racontent leur saison",
    ),
    leads=(
        "Les {who} {place} misent sur {thing}, synonymes de prix plus justes et de lien direct avec les "
        "clients.",
        "{Place}, la demande pour {thing} progresse, et {pct} % des clients vérifient désormais l'origine "
        "des produits.",
        "Une tournée de {n} fermes autour de la ville montre comment les {who} organisent leurs livraisons "
        "hebdomadaires.",
        "Les restaurants {place} affichent désormais les fermes qui fournissent leurs plats.",
        "Les {who} reconnaissent que le local est plus difficile l'hiver, mais les clients acceptent les "
        "menus de saison.",
    ),
    facts=(
        "Raccourcir les distances ne réduit les coûts que si les livraisons sont mutualisées.",
        "Les producteurs préfèrent des contrats stables aux commandes ponctuelles de la grande distribution.",
        "Les menus de saison signifient moins de tomates l'hiver et davantage de légumes racines.",
        "Les étiquettes indiquant la ferme et la distance parcourue se généralisent.",
        "Les coopératives partagent camions et chambres froides pour rendre viables de petits volumes.",
    ),
    closers=(
        "Acheter local, disent les producteurs, c'est autant une affaire de relations que de kilomètres.",
        "Le défi : grandir sans perdre le lien direct avec les producteurs.",
    ),
    n_range=(4, 40),
)

# The brand speaks in the first person plural about its own sourcing: same vocabulary, its own voice.
LOCAL_FR_OWNED = PhraseBank(
    who=("maraîchers partenaires", "fromagers", "meuniers", "arboriculteurs", "éleveurs", "apiculteurs"),
    things=(
        "nos producteurs à moins de 150 km",
        "la farine de meule de la vallée",
        "nos paniers de saison",
        "les pommes de variétés anciennes",
        "le fromage de chèvre fermier",
        "le miel de printemps",
        "les légumes racines de l'hiver",
        "nos livraisons directes de la ferme",
    ),
    titles=(
        "Portrait : nos {who} et {thing}",
        "Dans les coulisses de Maison Verte : {thing}",
        "Pourquoi nous choisissons {thing}",
        "{n} kilomètres seulement entre nos {who} et votre assiette",
        "Carnet de saison : nos {who} nous ouvrent leurs portes",
        "Approvisionnement local : nos engagements expliqués par nos {who}",
        "Nouveau chez Maison Verte : {thing}",
        "Rencontre avec nos {who} {place}",
    ),
    leads=(
        "Chez Maison Verte, nous travaillons directement avec des {who} installés à moins de 150 km de nos "
        "boutiques.",
        "Cette semaine, nous partons à la rencontre de nos {who} pour vous faire découvrir {thing}.",
        "Nous avons choisi {thing} pour garder un lien direct avec celles et ceux qui produisent.",
        "Près de {pct} % de nos produits frais viennent désormais de fermes de la région.",
        "Nos {who} nous expliquent comment la saison a façonné ce que vous trouverez en rayon.",
    ),
    facts=(
        "Chaque étiquette indique la ferme d'origine et la distance parcourue.",
        "Nous payons nos producteurs sur des contrats annuels pour leur donner de la visibilité.",
        "Nos livraisons sont mutualisées pour limiter les trajets.",
        "Les menus de nos cafés suivent le calendrier des récoltes.",
    ),
    closers=(
        "Venez les rencontrer lors de notre prochain marché en boutique.",
        "Merci à tous nos partenaires pour cette belle saison.",
    ),
    n_range=(8, 150),
    pct_range=(55, 85),
)

PACKAGING_EN = PhraseBank(
    who=(
        "grocery chains",
        "packaging designers",
        "zero-waste shoppers",
        "cosmetics brands",
        "recycling officers",
        "small food brands",
    ),
    things=(
        "compostable packaging",
        "refill stations",
        "deposit-return jars",
        "recycled cardboard",
        "plastic-free shelves",
        "carbon labels",
        "bulk aisles",
    ),
    titles=(
        "{Who} test {thing} in {place}",
        "Beyond the label: {who} weigh the evidence on {thing}",
        "Shoppers in {place} embrace {thing}, but habits lag",
        "{pct}% of {who} plan to switch to {thing} by next year",
        "Packaging claims under scrutiny as {who} roll out {thing}",
        "{n} months of {thing}: what {who} in {place} learned",
    ),
    leads=(
        "{Who} in {place} are rolling out {thing}, hoping to cut single-use plastic.",
        "Recycling officers warn that new packaging only helps if collection systems can handle it.",
        "A study of {n} supermarkets found that {pct}% of shoppers notice packaging claims on the shelf.",
        "{Who} say customers like {thing} but rarely change routines without a price incentive.",
        "Environmental labels are multiplying, and consumers in {place} struggle to compare them.",
    ),
    facts=(
        "Regulators ask brands to back any eco claim with verifiable data.",
        "Compostable materials often end up in general waste when local facilities are missing.",
        "Refill schemes work best for staples like rice, pasta and detergent.",
        "Deposit schemes for glass jars are returning in several regions.",
        "Consumer groups call for a single, standard environmental score.",
    ),
    closers=(
        "Brands that overstate their efforts risk a backlash from better-informed customers.",
        "The packaging debate is shifting from recycling to reuse.",
    ),
    n_range=(3, 18),
)

PACKAGING_FR = PhraseBank(
    who=(
        "enseignes de distribution",
        "designers d'emballages",
        "adeptes du zéro déchet",
        "marques de cosmétiques",
        "agents du tri",
        "petites marques alimentaires",
    ),
    things=(
        "les emballages compostables",
        "les stations de recharge",
        "les bocaux consignés",
        "le carton recyclé",
        "les rayons sans plastique",
        "l'affichage carbone",
        "le vrac",
    ),
    titles=(
        "Les {who} testent {thing} {place}",
        "Au-delà de l'étiquette : les {who} évaluent {thing}",
        "{Place}, les clients adoptent {thing}, mais les habitudes résistent",
        "{pct} % des {who} prévoient d'adopter {thing} d'ici l'an prochain",
        "Allégations écologiques : les {who} sous surveillance avec {thing}",
        "Bilan après {n} mois : les {who} {place} tirent les leçons du vrac",
    ),
    leads=(
        "Les {who} {place} déploient {thing} pour réduire le plastique à usage unique.",
        "Les agents du tri rappellent qu'un nouvel emballage n'a d'intérêt que si la collecte suit.",
        "Une étude portant sur {n} supermarchés montre que {pct} % des clients remarquent les allégations "
        "sur les emballages.",
        "Les {who} constatent que les clients apprécient {thing} mais changent rarement leurs habitudes sans "
        "incitation sur le prix.",
        "Les labels environnementaux se multiplient, et les consommateurs {place} peinent à les comparer.",
    ),
    facts=(
        "Les autorités demandent aux marques de justifier toute allégation « éco » par des données "
        "vérifiables.",
        "Faute d'installations adaptées, les emballages compostables finissent souvent avec les ordures "
        "ménagères.",
        "La recharge fonctionne surtout pour les produits de base : riz, pâtes, lessive.",
        "La consigne des bocaux en verre fait son retour dans plusieurs régions.",
        "Les associations de consommateurs réclament un score environnemental unique.",
    ),
    closers=(
        "Les marques qui exagèrent leurs efforts s'exposent à la défiance de clients mieux informés.",
        "Le débat se déplace du recyclage vers le réemploi.",
    ),
    n_range=(3, 18),
)

# The brand's sustainability claims, in its own voice: this is the value it will be measured against.
PACKAGING_FR_OWNED = PhraseBank(
    who=("équipes logistiques", "clients fidèles", "fournisseurs d'emballages", "équipes en boutique"),
    things=(
        "nos bocaux consignés",
        "nos sacs en papier recyclé",
        "le rayon vrac",
        "notre bilan carbone annuel",
        "nos emballages compostables",
        "la fin du plastique en caisse",
    ),
    titles=(
        "Nos engagements : {thing}",
        "Objectif zéro plastique : où en est Maison Verte après {n} mois ?",
        "{pct} % d'emballages réutilisables : notre bilan du trimestre",
        "Comment nos {who} font vivre {thing}",
        "Notre démarche durable, étape {n} : {thing}",
        "Ce que nous avons appris en lançant {thing}",
    ),
    leads=(
        "Depuis le printemps, nous avons remplacé une grande partie de nos emballages par {thing}.",
        "Chaque trimestre, nous publions les chiffres de notre démarche durable : {pct} % de nos emballages "
        "sont désormais réutilisables ou compostables.",
        "Nos {who} nous racontent comment ils vivent l'arrivée du vrac et de la consigne.",
        "Nous voulons des engagements vérifiables : chaque allégation écologique est appuyée par des "
        "chiffres.",
    ),
    facts=(
        "Nos bocaux consignés sont lavés par une entreprise d'insertion locale.",
        "Le bilan carbone de l'année est vérifié par un cabinet indépendant.",
        "Plus de {n} 000 sacs plastiques ont été évités en boutique cette année.",
    ),
    closers=(
        "Rapportez vos bocaux en boutique : chaque retour compte.",
        "Nous vous tiendrons informés des prochaines étapes.",
    ),
    n_range=(2, 12),
    pct_range=(40, 80),
)

REPAIR_EN = PhraseBank(
    who=(
        "volunteer fixers",
        "retired electricians",
        "students",
        "tinkerers",
        "librarians",
        "parents",
        "small repair shops",
    ),
    things=(
        "repair cafés",
        "spare parts",
        "repairability scores",
        "second-life smartphones",
        "toaster and lamp repairs",
        "right-to-repair rules",
        "tool libraries",
        "battery replacements",
        "refurbished laptops",
    ),
    titles=(
        "{Who} in {place} open a monthly repair café",
        "Right to repair: why {who} want easier access to {thing}",
        "{n} broken items fixed in one afternoon at a {place} repair café",
        "Keep it longer: {who} discover {thing}",
        "Repair cafés spread to {n} neighbourhoods in {place}",
        "The repair bonus: {pct}% more appliances brought back to life in {place}",
        "From soldering irons to sewing kits: {who} and {thing}",
        "Why {who} in {place} are holding on to their phones for longer",
    ),
    leads=(
        "Once a month, {who} in {place} gather with screwdrivers and soldering irons to fix what others "
        "would throw away.",
        "A repair café in {place} says volunteers fixed {n} items in a single session, from lamps to "
        "laptops.",
        "New right-to-repair rules require makers to sell spare parts for years after a product is sold.",
        "{Who} say keeping a device longer is now a point of pride rather than a sign of thrift.",
        "Repairability scores on shop shelves are nudging buyers in {place} toward models that can be opened "
        "and fixed.",
        "Interest in {thing} has grown as {who} look for ways to keep devices working longer.",
    ),
    facts=(
        "Organisers say about two thirds of the items brought in leave working again.",
        "Battery swaps and cracked screens are the most common phone repairs.",
        "Tool libraries lend drills, sewing machines and multimeters for a small yearly fee.",
        "Some cities now pay part of the bill when residents fix an appliance instead of replacing it.",
        "Manufacturers are starting to publish repair manuals and sell parts directly.",
        "Volunteers teach visitors to diagnose faults themselves rather than just fixing things for them.",
    ),
    closers=(
        "Organisers expect the movement to keep growing as more neighbourhoods host sessions.",
        "For many visitors, the real goal is learning to repair rather than buying new.",
        "The waiting list for the next session is already full.",
    ),
    n_range=(6, 45),
)

REPAIR_FR = PhraseBank(
    who=(
        "bénévoles réparateurs",
        "électriciens retraités",
        "étudiants",
        "bricoleurs",
        "bibliothécaires",
        "parents",
        "petits ateliers de réparation",
    ),
    things=(
        "les repair cafés",
        "les pièces détachées",
        "l'indice de réparabilité",
        "les smartphones reconditionnés",
        "la réparation de grille-pain et de lampes",
        "le droit à la réparation",
        "les outilthèques",
        "le changement de batterie",
        "les ordinateurs reconditionnés",
    ),
    titles=(
        "{Place}, des {who} lancent un repair café mensuel",
        "Droit à la réparation : les {who} défendent {thing}",
        "{n} objets réparés en un après-midi dans un repair café {place}",
        "Garder plus longtemps : les {who} misent sur {thing}",
        "Les repair cafés essaiment dans {n} quartiers {place}",
        "Bonus réparation : {pct} % d'appareils réparés en plus {place}",
        "Du fer à souder à la machine à coudre : les {who} et {thing}",
        "Pourquoi les {who} {place} gardent leur téléphone plus longtemps",
    ),
    leads=(
        "Une fois par mois, des {who} {place} se retrouvent avec tournevis et fers à souder pour réparer ce "
        "que d'autres jetteraient.",
        "Un repair café {place} annonce {n} objets réparés en une seule séance, de la lampe à l'ordinateur "
        "portable.",
        "Les nouvelles règles sur le droit à la réparation obligent les fabricants à fournir des pièces "
        "détachées pendant des années.",
        "Les {who} estiment que garder un appareil longtemps est devenu une fierté plutôt qu'une contrainte.",
        "L'indice de réparabilité affiché en magasin oriente les acheteurs {place} vers des modèles "
        "démontables.",
        "L'intérêt pour {thing} grandit à mesure que les {who} cherchent à faire durer leurs appareils.",
    ),
    facts=(
        "Selon les organisateurs, environ deux tiers des objets apportés repartent en état de marche.",
        "Changements de batterie et écrans fissurés sont les réparations de téléphone les plus courantes.",
        "Les outilthèques prêtent perceuses, machines à coudre et multimètres pour une petite cotisation "
        "annuelle.",
        "Le bonus réparation prend en charge une partie de la facture quand on fait réparer plutôt que "
        "remplacer.",
        "Des fabricants commencent à publier leurs manuels de réparation et à vendre des pièces en direct.",
        "Les bénévoles apprennent aux visiteurs à diagnostiquer eux-mêmes les pannes.",
    ),
    closers=(
        "Les organisateurs s'attendent à ce que le mouvement continue de s'étendre.",
        "Pour beaucoup, l'enjeu est d'apprendre à réparer plutôt que de racheter.",
        "Les prochaines séances affichent déjà complet.",
    ),
    n_range=(6, 45),
)

DUMBPHONE_EN = PhraseBank(
    who=(
        "teenagers",
        "young professionals",
        "parents",
        "university students",
        "writers",
        "startup founders",
        "retirees",
    ),
    things=(
        "basic flip phones",
        "screen-free evenings",
        "notification-free weekends",
        "phone lockers at school",
        "minimalist handsets",
        "app-free commutes",
        "digital detox challenges",
        "offline clubs",
    ),
    titles=(
        "{Who} in {place} trade smartphones for {thing}",
        "The dumbphone revival: why {who} in {place} are going offline on purpose",
        "{n} days with a flip phone: what {who} learned",
        "Digital sobriety: {pct}% of {who} want to spend less time on their phone",
        "Offline clubs in {place} meet to read, talk and leave phones at the door",
        "{Thing}: how {who} are cutting screen time",
        "Schools in {place} test {thing}",
        "Less scrolling, more living: {who} try {thing}",
    ),
    leads=(
        "A growing number of {who} in {place} are swapping their smartphones for {thing} to reclaim their "
        "attention.",
        "Sales of basic handsets that only call and text rose {pct}% this year, sellers say.",
        "{Who} describe the first days without apps as disorienting, then surprisingly calm.",
        "In {place}, offline clubs invite members to leave phones in a box for an evening of reading and "
        "conversation.",
        "Digital sobriety has moved from niche blogs to mainstream conversation, with {who} trying {thing}.",
        "After {n} days without a smartphone, {who} report sleeping better and reading more.",
    ),
    facts=(
        "Many keep a smartphone at home for banking and maps but leave it behind when they go out.",
        "Makers of minimalist phones say demand is outpacing production.",
        "Parents' groups pledge to delay giving children smartphones until secondary school.",
        "Screen-time dashboards show the average user unlocks a phone dozens of times a day.",
        "Some workplaces now ban phones from meetings to improve focus.",
        "Users say the hardest apps to give up are messaging and maps, not social media.",
    ),
    closers=(
        "Supporters see it as a return to intentional technology rather than a rejection of it.",
        "Sellers expect demand for simple phones to peak around the holidays.",
        "Whether the habit lasts beyond the novelty remains to be seen.",
    ),
    n_range=(7, 60),
)

DUMBPHONE_FR = PhraseBank(
    who=(
        "adolescents",
        "jeunes actifs",
        "parents",
        "étudiants",
        "écrivains",
        "fondateurs de start-up",
        "retraités",
    ),
    things=(
        "les téléphones à clapet",
        "les soirées sans écran",
        "les week-ends sans notifications",
        "les casiers à téléphones au collège",
        "les téléphones minimalistes",
        "les trajets sans applis",
        "les défis de détox numérique",
        "les clubs hors ligne",
    ),
    titles=(
        "{Place}, les {who} troquent leur smartphone contre {thing}",
        "Le retour des « dumbphones » : pourquoi les {who} {place} se déconnectent volontairement",
        "{n} jours avec un téléphone à clapet : ce qu'ont appris les {who}",
        "Sobriété numérique : {pct} % des {who} veulent moins utiliser leur téléphone",
        "Des clubs hors ligne {place} : on lit, on discute, le téléphone reste à l'entrée",
        "{Thing} : comment les {who} réduisent leur temps d'écran",
        "Des collèges {place} expérimentent {thing}",
        "Moins scroller, mieux vivre : les {who} testent {thing}",
    ),
    leads=(
        "De plus en plus {de_who} {place} remplacent leur smartphone par {thing} pour retrouver leur "
        "attention.",
        "Les ventes de téléphones basiques, qui ne servent qu'à appeler et envoyer des SMS, ont bondi de "
        "{pct} % cette année.",
        "Les {who} décrivent des premiers jours sans applis déroutants, puis étonnamment apaisants.",
        "{Place}, des clubs hors ligne invitent leurs membres à déposer leur téléphone dans une boîte le "
        "temps d'une soirée de lecture.",
        "La sobriété numérique sort des blogs spécialisés : les {who} testent {thing}.",
        "Après {n} jours sans smartphone, les {who} disent mieux dormir et lire davantage.",
    ),
    facts=(
        "Beaucoup gardent un smartphone à la maison pour la banque et les cartes, mais sortent sans.",
        "Les fabricants de téléphones minimalistes disent peiner à suivre la demande.",
        "Des collectifs de parents s'engagent à retarder le premier smartphone jusqu'au lycée.",
        "Les tableaux de bord du temps d'écran révèlent des dizaines de déverrouillages par jour.",
        "Certaines entreprises bannissent le téléphone des réunions pour favoriser la concentration.",
        "Les applis les plus difficiles à lâcher sont la messagerie et les cartes, pas les réseaux sociaux.",
    ),
    closers=(
        "Pour ses adeptes, il s'agit d'un usage choisi de la technologie, pas d'un rejet.",
        "Les vendeurs s'attendent à un pic de demande pendant les fêtes.",
        "Reste à savoir si l'habitude survivra à l'effet de nouveauté.",
    ),
    n_range=(7, 60),
)

FOURDAY_EN = PhraseBank(
    who=(
        "employees",
        "small business owners",
        "nurses",
        "software teams",
        "council workers",
        "young parents",
        "economists",
    ),
    things=(
        "a 32-hour week",
        "four-day week pilots",
        "compressed schedules",
        "three-day weekends",
        "Friday-off rotas",
        "output-based targets",
        "reduced-hours contracts",
    ),
    titles=(
        "{Who} in {place} trial a four-day week",
        "Four-day week pilot in {place}: {pct}% of firms say they will keep it",
        "{n} companies, one experiment: {who} test {thing}",
        "Is the four-day week ready for {who} in {place}?",
        "How {who} in {place} fit five days of work into four",
        "Four days on, three off: {who} report on {thing}",
        "Unions in {place} put the four-day week on the table",
        "Burnout and {thing}: what {who} found after six months",
    ),
    leads=(
        "{Who} in {place} are testing {thing}, keeping full pay while cutting a day of work.",
        "Results from a pilot with {n} companies show {pct}% of participants want to continue.",
        "{Who} say the four-day week forced them to cut useless meetings and protect focus time.",
        "The four-day week, once a fringe idea, now appears in job ads and union demands in {place}.",
        "Employers experimenting with {thing} report fewer sick days and easier hiring.",
        "Critics warn that squeezing the hours into four days can raise stress for {who}.",
    ),
    facts=(
        "Most pilots keep pay unchanged and set clear output targets instead of hours.",
        "Hospitals and schools find the model harder to apply than offices.",
        "Some firms rotate the day off so that customers are served all week.",
        "Researchers measure productivity, sick leave and staff turnover before and after.",
        "The extra day is mostly spent on family, errands and rest, surveys show.",
        "Job seekers increasingly filter listings by working-time arrangements.",
    ),
    closers=(
        "More trials are planned for the new year.",
        "The debate is moving from whether it works to how to make it work in every sector.",
        "Supporters hope public employers will follow the private pilots.",
    ),
    n_range=(12, 80),
)

FOURDAY_FR = PhraseBank(
    who=(
        "salariés",
        "patrons de PME",
        "infirmiers",
        "équipes de développeurs",
        "agents territoriaux",
        "jeunes parents",
        "économistes",
    ),
    things=(
        "la semaine de 32 heures",
        "les expérimentations de semaine de quatre jours",
        "les horaires compressés",
        "les week-ends de trois jours",
        "les vendredis libres par roulement",
        "les objectifs de résultats",
        "les contrats à temps réduit",
    ),
    titles=(
        "{Place}, des {who} testent la semaine de quatre jours",
        "Semaine de quatre jours {place} : {pct} % des entreprises pilotes veulent la garder",
        "{n} entreprises, une expérience : les {who} testent {thing}",
        "La semaine de quatre jours est-elle faite pour les {who} {place} ?",
        "Comment les {who} {place} font tenir cinq jours de travail en quatre",
        "Quatre jours travaillés, trois de repos : les {who} témoignent sur {thing}",
        "Les syndicats {place} mettent la semaine de quatre jours sur la table",
        "Épuisement professionnel et {thing} : le bilan des {who} après six mois",
    ),
    leads=(
        "Des {who} {place} expérimentent {thing}, avec un salaire maintenu et un jour de travail en moins.",
        "Les résultats d'une expérimentation menée dans {n} entreprises montrent que {pct} % des "
        "participants veulent continuer.",
        "Les {who} expliquent que la semaine de quatre jours les a obligés à supprimer les réunions "
        "inutiles.",
        "Autrefois marginale, la semaine de quatre jours apparaît désormais dans les offres d'emploi et les "
        "revendications syndicales {place}.",
        "Les employeurs qui testent {thing} constatent moins d'arrêts maladie et des recrutements plus "
        "faciles.",
        "Des critiques préviennent que compresser les horaires sur quatre jours peut accroître le stress des "
        "{who}.",
    ),
    facts=(
        "La plupart des expérimentations maintiennent le salaire et fixent des objectifs de résultats plutôt "
        "que d'heures.",
        "Hôpitaux et écoles peinent davantage que les bureaux à appliquer le modèle.",
        "Certaines entreprises font tourner le jour de repos pour servir les clients toute la semaine.",
        "Les chercheurs mesurent productivité, absentéisme et départs avant et après.",
        "Le jour libéré sert surtout à la famille, aux démarches et au repos, selon les enquêtes.",
        "Les candidats filtrent de plus en plus les offres selon l'organisation du temps de travail.",
    ),
    closers=(
        "De nouvelles expérimentations sont prévues pour janvier.",
        "Le débat ne porte plus sur l'efficacité mais sur la manière de l'étendre à tous les secteurs.",
        "Les partisans espèrent que le secteur public suivra.",
    ),
    n_range=(12, 80),
)

# A fictional brand and collection, so that the burst has its own unmistakable vocabulary.
SCANDAL_EN = PhraseBank(
    who=(
        "shoppers",
        "climate activists",
        "fashion influencers",
        "consumer lawyers",
        "investors",
        "former employees",
        "sustainability researchers",
    ),
    things=(
        'the "Terra Pure" line',
        'the "100% recycled" label',
        "Norvane's eco labels",
        "the brand's influencer campaign",
        "the forest-themed advertising",
        'the "carbon-neutral" tagline',
    ),
    titles=(
        'Norvane\'s "Terra Pure" collection accused of greenwashing in {place}',
        "Lab tests find only {pct}% recycled fibre in Norvane's eco line",
        "{Who} call for a boycott of Norvane after greenwashing report",
        "Norvane pulls {n} products as the greenwashing row grows",
        "Influencers delete posts promoting {thing}",
        "Regulator in {place} opens inquiry into {thing}",
        "Norvane chief apologises over {thing}",
        "What the Norvane greenwashing scandal means for {who}",
        "Greenwashing storm: {who} in {place} return Norvane clothes",
    ),
    leads=(
        'An NGO report says Norvane\'s "Terra Pure" collection contains only {pct}% recycled material '
        "despite being sold as fully recycled.",
        "{Who} flooded social media with criticism of Norvane after lab tests contradicted {thing}.",
        "Norvane has withdrawn {n} items from its eco range while it reviews its claims.",
        "The greenwashing row around Norvane has spread from fashion blogs to the evening news in {place}.",
        "{Who} say the Norvane case shows why eco labels need independent checks.",
        'In {place}, shoppers queued to return Norvane garments bought from the "Terra Pure" line.',
    ),
    facts=(
        "The brand had promoted the line with forest imagery and carbon-neutral claims.",
        "Consumer lawyers say misleading environmental claims can lead to heavy fines.",
        "Several influencers said they had not been told how the fabric was sourced.",
        "Norvane's share price fell sharply after the report was published.",
        "The NGO tested {n} garments bought in different countries.",
    ),
    closers=(
        "The brand promises an independent audit within weeks.",
        "Critics say an apology is not enough without changes to its supply chain.",
        "Other fashion retailers are watching the case closely.",
    ),
    n_range=(6, 40),
    pct_range=(4, 18),
)

SCANDAL_FR = PhraseBank(
    who=(
        "consommateurs",
        "militants pour le climat",
        "influenceuses mode",
        "avocats spécialisés",
        "investisseurs",
        "anciens salariés",
        "chercheurs en développement durable",
    ),
    things=(
        "la ligne « Terra Pure »",
        "l'étiquette « 100 % recyclé »",
        "les labels écologiques de Norvane",
        "la campagne d'influenceurs de la marque",
        "la publicité aux images de forêt",
        "le slogan « neutre en carbone »",
    ),
    titles=(
        "La collection « Terra Pure » de Norvane accusée d'écoblanchiment {place}",
        "Des tests révèlent seulement {pct} % de fibres recyclées dans la ligne écolo de Norvane",
        "Les {who} appellent au boycott de Norvane après un rapport sur le greenwashing",
        "Norvane retire {n} produits, la polémique sur le greenwashing enfle",
        "Des influenceuses suppriment leurs publications sur {thing}",
        "Le régulateur se penche sur {thing}",
        "Le PDG de Norvane s'excuse : {thing} au cœur de la tempête",
        "Ce que le scandale de greenwashing Norvane change pour les {who}",
        "Tempête de greenwashing : {place}, les {who} rapportent leurs vêtements Norvane",
    ),
    leads=(
        "Selon le rapport d'une ONG, la collection « Terra Pure » de Norvane ne contient que {pct} % de "
        "matières recyclées, alors qu'elle était vendue comme entièrement recyclée.",
        "Les {who} ont inondé les réseaux sociaux de critiques après que des tests ont contredit {thing}.",
        "Norvane a retiré {n} articles de sa gamme écologique le temps de revoir ses allégations.",
        "La polémique sur le greenwashing de Norvane est passée des blogs de mode aux journaux télévisés.",
        "Pour les {who}, l'affaire Norvane montre que les labels écologiques ont besoin de contrôles "
        "indépendants.",
        "{Place}, des clients ont fait la queue pour rapporter des vêtements de la ligne « Terra Pure ».",
    ),
    facts=(
        "La marque avait promu la ligne avec des images de forêts et des promesses de neutralité carbone.",
        "Les avocats rappellent que les allégations environnementales trompeuses peuvent coûter de lourdes "
        "amendes.",
        "Plusieurs influenceuses affirment ne pas avoir été informées de l'origine des tissus.",
        "L'action Norvane a nettement reculé après la publication du rapport.",
        "L'ONG a testé {n} vêtements achetés dans différents pays.",
    ),
    closers=(
        "La marque promet un audit indépendant dans les prochaines semaines.",
        "Pour ses détracteurs, des excuses ne suffiront pas sans changement dans la chaîne "
        "d'approvisionnement.",
        "D'autres enseignes de mode suivent l'affaire de près.",
    ),
    n_range=(6, 40),
    pct_range=(4, 18),
)


# ------------------------------------------------------------------------------------------------------------
# Themes: their shape over the 90 days (day 0 = START, day 89 = END) and who writes about them.
# ------------------------------------------------------------------------------------------------------------

BACKGROUND = (Phase(0, SPAN_DAYS, 55),)
# Emergences: a trickle in two "origin" feeds for two months, then growth and spread to many feeds. The last
# 21 days (days 69-89) hold several times what the first 30 days hold.
REPAIR_PHASES = (Phase(0, 30, 5, True), Phase(30, 55, 7, True), Phase(55, 69, 9), Phase(69, SPAN_DAYS, 23))
DUMBPHONE_PHASES = (Phase(0, 30, 4, True), Phase(30, 55, 6, True), Phase(55, 69, 8), Phase(69, SPAN_DAYS, 22))
FOURDAY_PHASES = (Phase(0, 30, 3, True), Phase(30, 55, 5, True), Phase(55, 69, 8), Phase(69, SPAN_DAYS, 22))
# The burst: first reports on day 45 (Oct 2, 44 days before the end), the storm over the next days, then a
# few echoes and one late mention.
BURST_PHASES = (Phase(45, 46, 3), Phase(46, 50, 24), Phase(50, 52, 6), Phase(52, 58, 3), Phase(70, 71, 1))

THEMES: dict[str, ThemeSpec] = {
    spec.name: spec
    for spec in (
        ThemeSpec(
            "urban-cycling",
            "background",
            "Everyday urban cycling: bike lanes, cargo bikes, commuting by bike.",
            BACKGROUND,
            (
                ("city-pulse-weekly", 2.5),
                ("greenline-digest", 1.5),
                ("velo-cite-mag", 6),
                ("culture-en-veille", 1),
            ),
            {"en": CYCLING_EN, "fr": CYCLING_FR},
        ),
        ThemeSpec(
            "plant-based-cooking",
            "background",
            "Plant-based and flexitarian home cooking on a budget.",
            BACKGROUND,
            (
                ("kitchen-ledger", 4.5),
                ("greenline-digest", 1),
                ("city-pulse-weekly", 0.5),
                ("terre-et-table", 4),
                (OWNED_FEED, 0.8),
                ("foyer-et-energie", 0.5),
            ),
            {"en": PLANT_EN, "fr": PLANT_FR},
        ),
        ThemeSpec(
            "hybrid-work",
            "background",
            "Hybrid and remote work: office days, hot-desking, home-office costs.",
            BACKGROUND,
            (
                ("workshift-review", 4),
                ("screen-and-play", 0.5),
                ("city-pulse-weekly", 0.5),
                ("le-bureau-hybride", 4),
                ("culture-en-veille", 0.5),
            ),
            {"en": HYBRID_EN, "fr": HYBRID_FR},
        ),
        ThemeSpec(
            "streaming-gaming",
            "background",
            "Streaming subscriptions and gaming habits at home.",
            BACKGROUND,
            (
                ("screen-and-play", 4),
                ("city-pulse-weekly", 1.5),
                ("culture-en-veille", 3),
                ("le-bureau-hybride", 0.5),
            ),
            {"en": STREAMING_EN, "fr": STREAMING_FR},
        ),
        ThemeSpec(
            "thrift-fashion",
            "background",
            "Second-hand clothing, resale apps and fast fashion habits.",
            BACKGROUND,
            (
                ("thrift-and-thread", 4),
                ("city-pulse-weekly", 1),
                ("culture-en-veille", 2.5),
                ("foyer-et-energie", 1),
            ),
            {"en": THRIFT_EN, "fr": THRIFT_FR},
        ),
        ThemeSpec(
            "energy-bills",
            "background",
            "Household energy bills, insulation and heating costs.",
            BACKGROUND,
            (
                ("greenline-digest", 3),
                ("kitchen-ledger", 0.5),
                ("city-pulse-weekly", 0.5),
                ("foyer-et-energie", 4),
                ("velo-cite-mag", 0.5),
            ),
            {"en": ENERGY_EN, "fr": ENERGY_FR},
        ),
        ThemeSpec(
            "local-sourcing",
            "background",
            "Local sourcing and short food supply chains; one of the brand's declared values, written about "
            "mostly by the brand's own blog.",
            (Phase(0, SPAN_DAYS, 36),),
            ((OWNED_FEED, 6), ("terre-et-table", 1.5), ("kitchen-ledger", 1.5), ("greenline-digest", 1)),
            {"en": LOCAL_EN, "fr": LOCAL_FR},
            owned_banks={"fr": LOCAL_FR_OWNED},
        ),
        ThemeSpec(
            "eco-packaging",
            "background",
            "Sustainable packaging and environmental claims (refill, deposit, compostable); the brand's "
            "second declared value, written about mostly by the brand's own blog.",
            (Phase(0, SPAN_DAYS, 24),),
            ((OWNED_FEED, 5), ("greenline-digest", 1.5), ("thrift-and-thread", 1), ("foyer-et-energie", 1)),
            {"en": PACKAGING_EN, "fr": PACKAGING_FR},
            owned_banks={"fr": PACKAGING_FR_OWNED},
        ),
        ThemeSpec(
            "repair-culture",
            "emergence",
            "Repair cafés, right to repair and keeping devices longer: a trickle, then strong growth in the "
            "last weeks.",
            REPAIR_PHASES,
            (
                ("greenline-digest", 1.5),
                ("foyer-et-energie", 1.5),
                ("city-pulse-weekly", 1.5),
                ("screen-and-play", 1),
                ("thrift-and-thread", 1),
                ("culture-en-veille", 1.5),
                (OWNED_FEED, 0.6),
                ("velo-cite-mag", 0.5),
            ),
            {"en": REPAIR_EN, "fr": REPAIR_FR},
            origin=("greenline-digest", "foyer-et-energie"),
        ),
        ThemeSpec(
            "dumbphones",
            "emergence",
            "Dumbphones and digital sobriety: going offline on purpose, minimal phones, screen-free time.",
            DUMBPHONE_PHASES,
            (
                ("screen-and-play", 1.5),
                ("culture-en-veille", 1.5),
                ("city-pulse-weekly", 1.5),
                ("workshift-review", 1),
                ("le-bureau-hybride", 1),
            ),
            {"en": DUMBPHONE_EN, "fr": DUMBPHONE_FR},
            origin=("screen-and-play", "culture-en-veille"),
        ),
        ThemeSpec(
            "four-day-week",
            "emergence",
            "The four-day work week (semaine de quatre jours): pilots, unions, employers.",
            FOURDAY_PHASES,
            (
                ("workshift-review", 1.5),
                ("le-bureau-hybride", 1.5),
                ("city-pulse-weekly", 1.5),
                ("culture-en-veille", 1.5),
                ("foyer-et-energie", 0.7),
                ("screen-and-play", 0.5),
            ),
            {"en": FOURDAY_EN, "fr": FOURDAY_FR},
            origin=("workshift-review", "le-bureau-hybride"),
        ),
        ThemeSpec(
            "greenwashing-scandal",
            "burst",
            "A one-week viral spike: fashion brand Norvane's 'Terra Pure' eco collection exposed as "
            "greenwashing, then almost nothing.",
            BURST_PHASES,
            (
                ("thrift-and-thread", 3),
                ("city-pulse-weekly", 2),
                ("greenline-digest", 1.5),
                ("culture-en-veille", 3),
                ("foyer-et-energie", 1),
            ),
            {"en": SCANDAL_EN, "fr": SCANDAL_FR},
        ),
    )
}


# ------------------------------------------------------------------------------------------------------------
# Generation
# ------------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Draft:
    """An entry before guids are assigned (guids follow the chronological order within each feed)."""

    feed: str
    theme: str
    title: str
    text: str
    url: str
    published: datetime
    author: str | None
    original: _Draft | None = None
    guid: str = ""


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _de(noun_phrase: str) -> str:
    """French ``de`` before a noun phrase, elided before a vowel (``d'étudiants``)."""
    return ("d'" if noun_phrase[:1].lower() in "aeiouyéèêàâîôû" else "de ") + noun_phrase


def slugify(text: str, limit: int = 64) -> str:
    """ASCII, lowercase, hyphen-separated; cut on a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_text).split()
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or "item"


def _spread_days(rng: random.Random, phase: Phase) -> list[int]:
    """Stratified days: one per equal slice of the phase, so volumes are even without clumping by chance."""
    width = (phase.end - phase.start) / phase.items
    return [phase.start + int((i + rng.random()) * width) for i in range(phase.items)]


def _pick_feed(rng: random.Random, theme: ThemeSpec, phase: Phase) -> str:
    pairs = [(slug, w) for slug, w in theme.feeds if not phase.origin_only or slug in theme.origin]
    return rng.choices([slug for slug, _ in pairs], weights=[w for _, w in pairs])[0]


def _bank_for(theme: ThemeSpec, feed: FeedDef) -> PhraseBank:
    if feed.owned and feed.lang in theme.owned_banks:
        return theme.owned_banks[feed.lang]
    return theme.banks[feed.lang]


def _fill(rng: random.Random, bank: PhraseBank, lang: str) -> dict[str, str]:
    who = rng.choice(bank.who)
    thing = rng.choice(bank.things)
    place = rng.choice(PLACES[lang])
    return {
        "who": who,
        "Who": _cap(who),
        "de_who": _de(who),
        "thing": thing,
        "Thing": _cap(thing),
        "place": place,
        "Place": _cap(place),
        "n": str(rng.randint(*bank.n_range)),
        "pct": str(rng.randint(*bank.pct_range)),
    }


def _write_text(rng: random.Random, bank: PhraseBank, lang: str, used_titles: set[str]) -> tuple[str, str]:
    """A title never used before in the corpus, and a 1-3 sentence summary sharing its slots."""
    for _ in range(200):
        slots = _fill(rng, bank, lang)
        title = rng.choice(bank.titles).format(**slots)
        if title not in used_titles:
            break
    else:  # pragma: no cover - the banks are large enough; this guards future edits that shrink them
        raise RuntimeError(f"phrase bank too small to give a new title (last: {title!r})")
    used_titles.add(title)
    sentences = [rng.choice(bank.leads).format(**slots)]
    if rng.random() < 0.7:
        sentences.append(rng.choice(bank.facts).format(**slots))
    if rng.random() < 0.4:
        sentences.append(rng.choice(bank.closers).format(**slots))
    return title, " ".join(sentences)


def _publish_time(rng: random.Random, day: int) -> datetime:
    start = datetime(START.year, START.month, START.day, tzinfo=UTC)
    return start + timedelta(days=day, hours=rng.randint(6, 22), minutes=rng.randrange(60))


def _unique_url(feed: FeedDef, published: datetime, title: str, used_urls: set[str]) -> str:
    base = f"https://{feed.slug}.example/{feed.section}/{published:%Y/%m}/{slugify(title)}"
    url, k = base, 2
    while url in used_urls:
        url, k = f"{base}-{k}", k + 1
    used_urls.add(url)
    return url


def _draft_theme(
    rng: random.Random, theme: ThemeSpec, used_titles: set[str], used_urls: set[str]
) -> list[_Draft]:
    drafts: list[_Draft] = []
    for phase in theme.phases:
        for day in _spread_days(rng, phase):
            feed = FEEDS_BY_SLUG[_pick_feed(rng, theme, phase)]
            title, text = _write_text(rng, _bank_for(theme, feed), feed.lang, used_titles)
            published = _publish_time(rng, day)
            author = rng.choice(feed.authors) if feed.authors and rng.random() < feed.author_rate else None
            url = _unique_url(feed, published, title, used_urls)
            drafts.append(_Draft(feed.slug, theme.name, title, text, url, published, author))
    return drafts


def _reposts(rng: random.Random, drafts: list[_Draft]) -> list[_Draft]:
    """Copies of a few posts in a second feed of the same language: some with the very same link, some with
    a tracking query appended. Only background themes and late emergence posts are re-shared, so the planted
    shapes stay as designed; the copy lands a few hours later, still inside the span."""
    last_day = datetime(END.year, END.month, END.day, tzinfo=UTC) - timedelta(days=2)
    late = datetime(2026, 10, 1, tzinfo=UTC)

    def shareable(d: _Draft) -> bool:
        kind = THEMES[d.theme].kind
        return kind == "background" or (kind == "emergence" and d.published >= late)

    eligible = [
        d for d in drafts if d.published < last_day and not FEEDS_BY_SLUG[d.feed].owned and shareable(d)
    ]
    chosen = rng.sample(eligible, EXACT_REPOSTS + TRACKED_REPOSTS)
    copies: list[_Draft] = []
    for index, original in enumerate(chosen):
        targets = _repost_targets(original)
        url = original.url if index < EXACT_REPOSTS else original.url + TRACKING_QUERY
        published = original.published + timedelta(hours=rng.randint(2, 30))
        feed = rng.choice(targets)
        copy = _Draft(feed, original.theme, original.title, original.text, url, published, None, original)
        copies.append(copy)
    return copies


def _repost_targets(original: _Draft) -> list[str]:
    """Feeds that could plausibly re-share a post: same language, not the author, not the brand's blog;
    preferably feeds that cover the same theme."""
    lang = FEEDS_BY_SLUG[original.feed].lang
    others = [f.slug for f in FEEDS if f.lang == lang and f.slug != original.feed and not f.owned]
    covering = {slug for slug, _ in THEMES[original.theme].feeds}
    return [slug for slug in others if slug in covering] or others


def _assign_guids(drafts: list[_Draft]) -> None:
    """Guids are tag URIs numbered in publication order within each feed."""
    by_feed: dict[str, list[_Draft]] = {}
    for draft in sorted(drafts, key=lambda d: (d.published, d.url)):
        by_feed.setdefault(draft.feed, []).append(draft)
    for slug, items in by_feed.items():
        for number, draft in enumerate(items, start=1):
            draft.guid = f"tag:{slug}.example,{START.year}:post-{number:04d}"


def _to_entry(draft: _Draft) -> DemoEntry:
    return DemoEntry(
        guid=draft.guid,
        url=draft.url,
        title=draft.title,
        text=draft.text,
        published=draft.published,
        theme=draft.theme,
        feed=draft.feed,
        lang=FEEDS_BY_SLUG[draft.feed].lang,
        author=draft.author,
        duplicate_of=draft.original.guid if draft.original else None,
    )


def generate(seed: int = DEFAULT_SEED) -> Corpus:
    """Build the whole corpus in memory; the same seed always gives the same corpus."""
    rng = random.Random(seed)
    used_titles: set[str] = set()
    used_urls: set[str] = set()
    drafts: list[_Draft] = []
    for theme in THEMES.values():  # dict order is fixed, so the random stream is consumed in a fixed order
        drafts.extend(_draft_theme(rng, theme, used_titles, used_urls))
    drafts.extend(_reposts(rng, drafts))
    _assign_guids(drafts)
    feeds = []
    for spec in FEEDS:
        mine = [_to_entry(d) for d in drafts if d.feed == spec.slug]
        mine.sort(key=lambda e: (e.published, e.guid), reverse=True)
        feeds.append(
            DemoFeed(
                slug=spec.slug,
                title=spec.title,
                lang=spec.lang,
                format=spec.format,
                owned=spec.owned,
                entries=mine,
                description=spec.description,
                html_summaries=spec.html_summaries,
            )
        )
    return Corpus(seed=seed, feeds=feeds, themes=dict(THEMES))


# ------------------------------------------------------------------------------------------------------------
# Serialisation: RSS 2.0, Atom 1.0, the index, the ground truth and the backtest JSONL.
# ------------------------------------------------------------------------------------------------------------


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _summary(feed: DemoFeed, entry: DemoEntry) -> str:
    # Light HTML on some feeds so collectors have markup to strip; the text itself is escaped first.
    return f"<p>{escape(entry.text)}</p>" if feed.html_summaries else entry.text


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = text
    return child


def _rss_document(feed: DemoFeed) -> ET.Element:
    # Namespace declarations are plain attributes and prefixed tags are literal names: this keeps
    # ElementTree's global prefix registry untouched and the output byte-stable.
    root = ET.Element("rss", {"version": "2.0", "xmlns:dc": DC_NS})
    channel = _sub(root, "channel")
    _sub(channel, "title", feed.title)
    _sub(channel, "link", feed.site_url)
    _sub(channel, "description", feed.description)
    _sub(channel, "language", feed.lang)
    if feed.entries:
        _sub(channel, "lastBuildDate", format_datetime(feed.entries[0].published, usegmt=True))
    for entry in feed.entries:
        item = _sub(channel, "item")
        _sub(item, "title", entry.title)
        _sub(item, "link", entry.url)
        _sub(item, "guid", entry.guid, isPermaLink="false")
        _sub(item, "pubDate", format_datetime(entry.published, usegmt=True))
        if entry.author:
            _sub(item, "dc:creator", entry.author)
        _sub(item, "description", _summary(feed, entry))
    return root


def _atom_document(feed: DemoFeed) -> ET.Element:
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": feed.lang})
    _sub(root, "title", feed.title)
    _sub(root, "subtitle", feed.description)
    _sub(root, "id", feed.site_url)
    _sub(root, "link", rel="alternate", type="text/html", href=feed.site_url)
    _sub(root, "link", rel="self", type="application/atom+xml", href=f"{feed.site_url}{feed.filename}")
    if feed.entries:
        _sub(root, "updated", _rfc3339(feed.entries[0].published))
    author = _sub(root, "author")  # feed-level author makes entries without one valid Atom
    _sub(author, "name", f"{feed.title}")
    for entry in feed.entries:
        node = _sub(root, "entry")
        _sub(node, "title", entry.title)
        _sub(node, "link", rel="alternate", type="text/html", href=entry.url)
        _sub(node, "id", entry.guid)
        _sub(node, "published", _rfc3339(entry.published))
        _sub(node, "updated", _rfc3339(entry.published))
        if entry.author:
            _sub(_sub(node, "author"), "name", entry.author)
        _sub(node, "summary", _summary(feed, entry), type="html" if feed.html_summaries else "text")
    return root


def render_feed(feed: DemoFeed) -> bytes:
    """The feed document as UTF-8 bytes, indented, with an XML declaration."""
    root = _rss_document(feed) if feed.format == "rss" else _atom_document(feed)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def truth(corpus: Corpus) -> dict[str, Any]:
    """What was planted: each theme's kind, languages and description, and the theme of every item."""
    entries = corpus.entries()
    themes: dict[str, Any] = {}
    for name, spec in corpus.themes.items():
        langs = sorted({e.lang for e in entries if e.theme == name})
        themes[name] = {"kind": spec.kind, "lang": langs, "description": spec.description}
    items = [
        {
            "feed": e.feed,
            "guid": e.guid,
            "url": e.url,
            "theme": e.theme,
            "published_at": _iso(e.published),
            "duplicate_of": e.duplicate_of,
        }
        for e in entries
    ]
    return {
        "seed": corpus.seed,
        "start": START.isoformat(),
        "end": END.isoformat(),
        "themes": themes,
        "items": items,
    }


def index(corpus: Corpus) -> dict[str, Any]:
    """The list of feed files, read back by :func:`feed_specs` without regenerating anything."""
    feeds = [
        {
            "slug": f.slug,
            "filename": f.filename,
            "title": f.title,
            "lang": f.lang,
            "format": f.format,
            "owned": f.owned,
            "items": len(f.entries),
        }
        for f in corpus.feeds
    ]
    return {"seed": corpus.seed, "start": START.isoformat(), "end": END.isoformat(), "feeds": feeds}


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def write_feeds(corpus: Corpus, out_dir: Path) -> list[Path]:
    """Write every feed file, ``index.json`` and ``truth.json`` into ``out_dir``; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for feed in corpus.feeds:
        path = out_dir / feed.filename
        path.write_bytes(render_feed(feed))
        written.append(path)
    for name, data in (("index.json", index(corpus)), ("truth.json", truth(corpus))):
        path = out_dir / name
        path.write_bytes(_json_bytes(data))
        written.append(path)
    return written


def feed_specs(base_url: str, feeds_dir: Path = FEEDS_DIR) -> list[dict[str, Any]]:
    """Source definitions for the bundled feeds served under ``base_url`` (e.g. a local static server)."""
    listing = json.loads((feeds_dir / "index.json").read_text(encoding="utf-8"))
    base = base_url.rstrip("/")
    return [
        {
            "name": f["slug"],
            "url": f"{base}/{f['filename']}",
            "lang": f["lang"],
            "owned": f["owned"],
            "kind": "feed",
        }
        for f in listing["feeds"]
    ]


def to_jsonl(corpus: Corpus) -> Iterator[str]:
    """One JSON object per item (no trailing newline), oldest first, in the backtest input format."""
    for e in corpus.entries():
        record = {
            "id": e.guid,
            "published_at": _iso(e.published),
            "title": e.title,
            "text": e.text,
            "url": e.url,
            "source": e.feed,
            "lang": e.lang,
            "author": e.author,
        }
        yield json.dumps(record, ensure_ascii=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m radar.demo.corpus", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=FEEDS_DIR, help="folder for the feed files (default: bundled)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: 7)")
    parser.add_argument("--jsonl", type=Path, default=None, help="also write the items as JSONL to this file")
    parser.add_argument("--no-feeds", action="store_true", help="do not write the feed files")
    args = parser.parse_args(argv)
    corpus = generate(args.seed)
    if not args.no_feeds:
        paths = write_feeds(corpus, args.out)
        sys.stdout.write(f"wrote {len(paths)} files ({len(corpus.entries())} items) to {args.out}\n")
    if args.jsonl is not None:
        args.jsonl.parent.mkdir(parents=True, exist_ok=True)
        args.jsonl.write_text("".join(line + "\n" for line in to_jsonl(corpus)), encoding="utf-8")
        sys.stdout.write(f"wrote {len(corpus.entries())} JSONL lines to {args.jsonl}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
