"""brand.toml is refused at load with the file, the key and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from radar.errors import ConfigError
from radar.settings import load_config

VALUE = '[[profile.values]]\nname = "{name}"\ndescription = "d"\n'


@pytest.mark.parametrize(
    ("brand", "key", "message"),
    [
        (
            '[[profile]]\nname = "p"\n' + VALUE.format(name="Eco") + VALUE.format(name="eco"),
            "profile[0].values",
            "value name 'eco' is used twice",
        ),
        (
            '[[profile]]\nname = "p"\n' + VALUE.format(name="A") + 'examples = ["ok", " "]\n',
            "profile[0].values[0].examples",
            "phrase [1] is empty",
        ),
        (
            '[[profile]]\nname = "p"\n[[profile.values]]\nname = "A"\ndescription = "  "\n',
            "profile[0].values[0].description",
            "blank",
        ),
        (
            '[[profile]]\nname = "p"\n'
            + VALUE.format(name="A")
            + '[[profile.red_lines]]\nname = "a"\ndescription = "x"\n',
            "profile[0].red_lines",
            "has the name of a value",
        ),
        ('[[profile]]\nname = "My Brand"\n' + VALUE.format(name="A"), "profile[0].name", "lower-case"),
        (
            '[[profile]]\nname = "p"\n'
            + VALUE.format(name="A")
            + '[[profile]]\nname = "p"\n'
            + VALUE.format(name="A"),
            "profile",
            "profile name 'p' is used twice",
        ),
        (
            '[[profile]]\nname = "p"\n[[profile.values]]\nname = "A"\ndescription = "d"\nopposite = ["x"]\n',
            "profile[0].values[0].opposite",
            "unknown key",
        ),
    ],
)
def test_bad_brand_files_are_refused(home: Path, brand: str, key: str, message: str) -> None:
    (home / "config" / "brand.toml").write_text(brand, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(home, {})
    assert caught.value.key == key and message in caught.value.message
    assert caught.value.file is not None and caught.value.file.endswith("brand.toml")


def test_the_default_profile_loads_with_opposites(home: Path) -> None:
    from radar.config_files import default_config_text

    (home / "config" / "brand.toml").write_text(default_config_text("brand.toml"), encoding="utf-8")
    profile = load_config(home, {}).profiles[0]
    sustainability = profile.values[0]
    assert profile.name == "maison-verte" and sustainability.opposites and sustainability.weight == 3
    assert [line.name for line in profile.red_lines] == ["Greenwashing"]
