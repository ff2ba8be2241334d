"""Every text a person reads is translated: each message the code and the templates mark for
translation (extracted as makemessages would, with xgettext) has a Chinese translation, and
the translation functions keep the names the extraction knows."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils.translation.template import templatize

KEHU = Path(__file__).resolve().parents[2]
CATALOGUE = KEHU / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# The keywords makemessages hands to xgettext (besides gettext and _ it knows itself).
KEYWORDS = [
    "gettext_noop",
    "gettext_lazy",
    "ngettext_lazy:1,2",
    "pgettext:1c,2",
    "npgettext:1c,2,3",
    "pgettext_lazy:1c,2",
    "npgettext_lazy:1c,2,3",
    "ngettext:1,2",
]
EXTRACTED_NAMES = {"_", "gettext", "ngettext", "pgettext", "npgettext"} | {
    k.split(":")[0] for k in KEYWORDS
}


def source_files() -> list[Path]:
    return [
        path
        for path in sorted(KEHU.rglob("*"))
        if not {"tests", "migrations", "static", "locale"} & set(path.relative_to(KEHU).parts)
        and (
            path.suffix == ".py" or (path.suffix in (".html", ".txt") and "templates" in path.parts)
        )
    ]


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext is not installed")
def test_every_marked_message_has_a_chinese_translation(tmp_path: Path) -> None:
    inputs = []
    for path in source_files():
        if path.suffix == ".py":
            inputs.append(str(path))
            continue
        converted = tmp_path / (str(path.relative_to(KEHU)).replace("/", "__") + ".py")
        converted.write_text(templatize(path.read_text(), origin=str(path)))
        inputs.append(str(converted))
    template = tmp_path / "kehu.pot"
    subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--output", str(template)]
        + [f"--keyword={k}" for k in KEYWORDS]
        + inputs,
        check=True,
    )
    # msgcmp names each message of the template that the catalogue lacks or leaves
    # untranslated (empty or fuzzy) as an error.
    compared = subprocess.run(
        ["msgcmp", str(CATALOGUE), str(template)], capture_output=True, text=True, check=False
    )
    missing = [line for line in compared.stderr.splitlines() if "warning" not in line]
    assert compared.returncode == 0 and not missing, "\n".join(missing[:40])


def test_translation_functions_are_imported_under_names_the_extraction_knows() -> None:
    renamed = []
    for path in source_files():
        if path.suffix != ".py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                renamed += [
                    f"{path.relative_to(KEHU)}: {alias.name} as {alias.asname}"
                    for alias in node.names
                    if alias.asname and alias.asname not in EXTRACTED_NAMES
                ]
    assert not renamed, renamed
