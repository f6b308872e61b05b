"""Neutral reference texts: what "unrelated to any brand value" looks like to the embedding model.

Sentence embeddings never give zero similarity: two texts on unrelated subjects still score around 0.0-0.2
with all-MiniLM-L6-v2, and French text against English anchors sits at its own level. Placement measures
that floor for each value and red line on these references (mundane subjects: weather, scores, timetables,
software updates) and subtracts it, so that a topic no closer to a value than a weather report scores 0.

Each reference is a small topic of four sentences, so the floor is measured the way topics are scored
(centroid and representative items); each sentence alone gives the floor for single items (the brand's own
posts in the say-do gap). English and French, like the corpora Vigie watches, each tagged with its language:
an English-trained model puts any two French texts closer than two English ones, so a French topic is
measured against the French floor.
"""

from __future__ import annotations

REFERENCE_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "en",
        (
            "Light rain expected on Tuesday morning, clearing by the afternoon.",
            "Forecasters predict a cool weekend with winds from the north-west.",
            "Temperatures will stay close to seasonal averages this week.",
            "Fog patches in the valleys should lift before noon.",
        ),
    ),
    (
        "en",
        (
            "The home side won 2-1 after a late header in stoppage time.",
            "The striker scored twice as the league leaders extended their run.",
            "A goalless draw leaves both clubs in the middle of the table.",
            "The coach rotated the squad ahead of the cup quarter-final.",
        ),
    ),
    (
        "en",
        (
            "The grandmaster opened with the Sicilian defence and won in 41 moves.",
            "Round five of the chess open ended with three decisive games.",
            "A rook endgame decided the tie-break after four hours of play.",
            "The youngest player in the field drew against the top seed.",
        ),
    ),
    (
        "en",
        (
            "The comet will be visible to the naked eye just after sunset.",
            "Astronomers measured the orbit of a newly catalogued asteroid.",
            "The telescope captured a spiral galaxy forty million light years away.",
            "A partial lunar eclipse can be seen from western Europe tonight.",
        ),
    ),
    (
        "en",
        (
            "The index closed 0.4 percent higher after a quiet trading session.",
            "Bond yields edged down as investors awaited the central bank minutes.",
            "Shares of the chipmaker fell after quarterly results missed estimates.",
            "The currency held steady against the dollar in early trading.",
        ),
    ),
    (
        "en",
        (
            "Version 14.2 of the operating system fixes a bug in the settings menu.",
            "The update changes the layout of the notification panel.",
            "Developers released a patch for the login error reported last week.",
            "The new firmware adds support for two more keyboard layouts.",
        ),
    ),
    (
        "en",
        (
            "The 7:42 train will leave from platform 3 during the works.",
            "Timetables change on Sunday for the winter service.",
            "The bus route 18 is diverted around the square until Friday.",
            "Ticket offices will open one hour later on public holidays.",
        ),
    ),
    (
        "en",
        (
            "Today's crossword has a tricky clue in fourteen across.",
            "The puzzle editor explains how the cryptic grid was built.",
            "Readers sent in their solutions to last week's logic problem.",
            "A new sudoku variant uses diagonal regions.",
        ),
    ),
    (
        "en",
        (
            "The festival jury awarded its top prize to a courtroom drama.",
            "The director thanked the cast during the closing ceremony.",
            "Critics praised the cinematography of the opening film.",
            "The lead actor won the award for best performance.",
        ),
    ),
    (
        "en",
        (
            "The museum opens an exhibition of Roman coins and seals.",
            "Curators restored a bronze statue found in the harbour.",
            "The collection of medieval manuscripts goes on display in May.",
            "A lecture on ancient trade routes takes place on Thursday evening.",
        ),
    ),
    (
        "en",
        (
            "The maths olympiad team won two gold medals this year.",
            "The proof of the conjecture runs to eighty pages.",
            "Students solved six geometry problems in four and a half hours.",
            "The prize recognises work on prime number distribution.",
        ),
    ),
    (
        "fr",
        (
            "Averses attendues mardi matin, éclaircies l'après-midi.",
            "Les prévisionnistes annoncent un week-end frais avec du vent du nord.",
            "Les températures resteront proches des normales de saison.",
            "Des bancs de brouillard se lèveront en fin de matinée.",
        ),
    ),
    (
        "fr",
        (
            "L'équipe locale s'impose 24 à 17 après une fin de match serrée.",
            "Le demi d'ouverture a réussi cinq pénalités sur six.",
            "Le championnat reprend samedi après la trêve internationale.",
            "L'entraîneur a annoncé la composition pour le match de coupe.",
        ),
    ),
    (
        "fr",
        (
            "La version 3.8 du logiciel corrige un problème d'affichage.",
            "La mise à jour modifie le menu des paramètres.",
            "Les développeurs publient un correctif pour l'erreur de connexion.",
            "Le nouveau pilote prend en charge deux imprimantes de plus.",
        ),
    ),
    (
        "fr",
        (
            "Le musée présente une exposition de gravures du dix-septième siècle.",
            "Les conservateurs ont restauré un tableau de l'école flamande.",
            "Une conférence sur l'histoire de la cartographie aura lieu jeudi.",
            "Le catalogue de l'exposition est disponible en librairie.",
        ),
    ),
    (
        "fr",
        (
            "Le calendrier des examens du second semestre est publié.",
            "Les inscriptions au concours ouvrent le premier lundi du mois.",
            "Le jury rendra ses résultats à la fin de la semaine.",
            "Les épreuves écrites auront lieu dans le grand amphithéâtre.",
        ),
    ),
)
