"""Name and term lists: matched through case, spacing, punctuation, leetspeak and accents; whole words only."""

import pytest

from kinema.safety.names import canonical_words, default_matcher, default_terms, minor_terms


@pytest.mark.parametrize("text", [
    "Spider-Man swinging", "spider man swinging", "SPIDERMAN", "s p i d e r m a n", "Sp1d3r-M4n", "Spíder Mañ", "S.P.I.D.E.R.M.A.N",
    "ＳＰＩＤＥＲＭＡＮ",  # full-width letters
])
def test_character_name_found_however_written(text):
    hits = default_matcher().find(text)
    assert [(h.name, h.category) for h in hits] == [("Spider-Man", "ip")]


@pytest.mark.parametrize("text, name, category, kind", [
    ("t4yl0r sw!ft singing", "Taylor Swift", "likeness", "public figure"),
    ("Emmanuel   MACRON at a rally", "Emmanuel Macron", "likeness", "public figure"),
    ("a can of coca cola", "Coca-Cola", "ip", "brand"),
    ("in the style of Greg Rutkowski", "Greg Rutkowski", "ip", "living artist's style"),
    ("P1kachu in the rain", "Pikachu", "ip", "copyrighted character or franchise"),
    ("mickey m0use", "Mickey Mouse", "ip", "copyrighted character or franchise"),
])
def test_lists_and_categories(text, name, category, kind):
    hit = default_matcher().find(text)[0]
    assert (hit.name, hit.category, hit.kind) == (name, category, kind)


@pytest.mark.parametrize("text", [
    "a cartoon mouse of my own design", "a superhero I invented", "a combat mandate", "an apple on a table",
    "a black widow spider", "a king charles spaniel", "a doctor who helps patients", "a man named Jordan",
    "in the style of Van Gogh", "a big bird over the lake", "the planet Pluto", "a one piece swimsuit",
])
def test_ordinary_words_are_not_names(text):
    assert default_matcher().find(text) == []


def test_terms_match_whole_words_and_prefixes():
    terms = default_terms()
    assert ("violence", "decapitated") in terms.find("a man decapitated in a duel")
    assert terms.find("the D3C4P1T4T10N of a king")[0][0] == "violence"
    assert terms.find("a documentary about porcupines") == []  # "porn*" is a word prefix, not a substring
    assert [c for c, _ in terms.find("kill yourself now")] == ["self_harm"]
    assert minor_terms().find("a 12-year-old on a bike") and not minor_terms().find("a man on a bike")


def test_canonical_words_fold_what_they_should():
    # accents gone; l and ! fold to i (leetspeak uses 1, l, ! and | for i and l alike)
    assert canonical_words("Ça Va, ÉLAN-Vital!") == ["ca", "va", "eian", "vitaii"]
    assert canonical_words("Pokémon") == canonical_words("pokemon") == canonical_words("P0KEM0N")


@pytest.mark.parametrize("text", [
    "a 12-year-old on a bike", "a twelve year old girl", "two 9yo boys", "a 15 y/o", "aged 16, at the beach",
    "a 6 month old", "a fifth grader", "SEVENTEEN-YEAR-OLDS at a party", "a 13 yrs old", "a kindergartner",
])
def test_minor_ages_and_words_found_however_written(text):
    assert minor_terms().find(text)


@pytest.mark.parametrize("text", ["a 30 year old man", "aged 21", "a man on a bike", "a 45yo woman", "eighteen years old"])
def test_adult_ages_are_not_minors(text):
    assert minor_terms().find(text) == []
