"""Function words left out of topic keywords (English from scikit-learn, French written here)."""

from __future__ import annotations

FRENCH = frozenset(
    """
    a à afin ai aie aient aies ait alors as au aucun aucune aujourd aujourd'hui auprès aussi autre autres aux
    avait avant avec avez avoir avons ayant bien c ça car ce ceci cela celle celles celui cependant certains
    ces cet cette ceux chaque chez ci comme comment contre d dans de déjà depuis des deux devant doit donc
    dont du elle elles en encore entre es est et étaient était été être eu eux fait faire fois font hors ici
    il ils j je jusqu jusque l la là le les leur leurs lors lui m ma mais me même mes moi moins mon n ne ni
    non nos notre nous on ont or ou où par parce pas peu peut plus pour pourquoi qu quand que quel quelle
    quelles quels qui quoi s sa sans se selon ses si sien son sont sous souvent sur t ta te tes toi ton
    toujours tous tout toute toutes très tu un une vers voici voilà vos votre vous y ces cet chez après
    avant-hier hier demain encore selon lors ainsi tant trop plusieurs quelques désormais puis enfin
    """.split()
)

EXTRA_ENGLISH = frozenset(
    """
    new says said just like get got also one two three year years week weeks day days people
    make makes made way ways still even really many much more most new now use used using
    """.split()
)


TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}(?:-[^\W\d_]+)*\b"


def stop_words() -> list[str]:
    """The stop list, tokenised as the documents are (so "aujourd'hui" also drops "hui")."""
    import re

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = set(ENGLISH_STOP_WORDS) | FRENCH | EXTRA_ENGLISH
    tokens = {token for word in words for token in re.findall(TOKEN_PATTERN, word)}
    return sorted(words | tokens)
