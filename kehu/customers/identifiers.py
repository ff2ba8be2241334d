"""Chinese identification numbers (CUS-10): the unified social credit code (GB 32100), the
legacy organisation code (GB 11714) and the resident ID number (GB 11643).

python-stdnum computes the check characters; its own validators are stricter than the
standards (`cn.uscc` wants eight digits after the first two characters, so codes whose
registration authority is a letter are refused, and `cn.ric` refuses birthplaces missing
from its bundled table), so the rules are applied here and only the arithmetic is borrowed.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc

from kehu.infra.normalize import compact_code

# GB 32100: the alphabet leaves out I, O, Z, S and V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_PATTERN = re.compile(rf"^[{USCC_ALPHABET}]{{2}}\d{{6}}[{USCC_ALPHABET}]{{10}}$")
ORG_CODE_PATTERN = re.compile(r"^[0-9A-Z]{8}[0-9X]$")
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
RIC_PATTERN = re.compile(r"^\d{17}[\dX]$")
# Province-level codes of GB/T 2260 (first two digits of an ID number's birthplace).
PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}  # fmt: skip


def org_code_check(first8: str) -> str:
    """GB 11714 check character of an organisation code's first eight characters."""
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def clean_credit_code(value: str) -> str:
    """The normalised 18-character code, or ValidationError saying what is wrong."""
    code = compact_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d.")
            % {"n": len(code)},
            code="credit_code_length",
        )
    if not USCC_PATTERN.match(code):
        raise ValidationError(
            _(
                "This is not a unified social credit code: it may only contain digits and the "
                "capital letters of GB 32100 (no I, O, Z, S or V), with digits in places 3–8."
            ),
            code="credit_code_format",
        )
    if uscc.calc_check_digit(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character of this credit code is wrong; compare it with the licence."),
            code="credit_code_checksum",
        )
    return code


def clean_org_code(value: str) -> str:
    """A legacy organisation code (9 characters, e.g. 12345678-9 → 123456789)."""
    code = compact_code(value)
    if not ORG_CODE_PATTERN.match(code):
        raise ValidationError(
            _("An organisation code has 8 digits or capital letters and a check character."),
            code="org_code_format",
        )
    if org_code_check(code[:8]) != code[8]:
        raise ValidationError(
            _("The check character of this organisation code is wrong."), code="org_code_checksum"
        )
    return code


def clean_id_number(value: str) -> str:
    """A second-generation resident ID number (18 characters, GB 11643)."""
    number = compact_code(value)
    if not RIC_PATTERN.match(number):
        raise ValidationError(
            _("A resident ID number has 17 digits and a last digit or X."), code="id_format"
        )
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The first two digits of this ID number are not a province code."),
            code="id_region",
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth > datetime.date.today() or birth.year < 1890:
        raise ValidationError(
            _("The birth date inside this ID number (digits 7–14) is not a real date."),
            code="id_birth_date",
        )
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError(
            _("The check digit of this ID number is wrong; please compare it with the ID card."),
            code="id_checksum",
        )
    return number


def birth_date_of(id_number: str) -> datetime.date:
    return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def gender_of(id_number: str) -> str:
    """GB 11643: the 17th digit is odd for men, even for women."""
    return "male" if int(id_number[16]) % 2 else "female"


def make_credit_code(body17: str) -> str:
    """Complete 17 characters with their check character (demo data, tests)."""
    return body17 + uscc.calc_check_digit(body17)


def make_id_number(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")
