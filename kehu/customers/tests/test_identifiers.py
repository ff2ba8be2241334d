"""Chinese identifiers and what people type (CUS-10): credit codes (GB 32100, letter
registration authorities included), organisation codes (GB 11714), resident ID numbers
(GB 11643), phones, amounts and dates — pure functions, no database."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from stdnum.cn import ric, uscc

from kehu.customers import identifiers
from kehu.customers.identifiers import (
    birth_date_of,
    clean_credit_code,
    clean_id_number,
    clean_org_code,
    gender_of,
    make_credit_code,
    make_id_number,
    org_code_check,
)
from kehu.infra.normalize import (
    clean_text,
    compact_code,
    halfwidth,
    normalize_phone,
    parse_amount,
    parse_date,
    phone_digits,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def fullwidth(text: str) -> str:
    """ASCII letters and digits as an IME in full-width mode types them."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def error_code(check: Callable[[str], str], value: str) -> str | None:
    try:
        check(value)
    except ValidationError as error:
        return error.code
    return None


def error_message(check: Callable[[str], str], value: str) -> str:
    with pytest.raises(ValidationError) as raised:
        check(value)
    return str(raised.value.messages[0])


# --- unified social credit code (GB 32100) -----------------------------------------------

REAL_CODES = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_are_accepted(code: str) -> None:
    assert clean_credit_code(code) == code


@pytest.mark.parametrize("authority", ["N2", "Y1", "A1", "G1", "51", "11"])
def test_letter_registration_authorities_are_accepted(authority: str) -> None:
    """python-stdnum refuses codes whose registration authority is a letter; we must not."""
    code = make_credit_code(f"{authority}110108MA0000001")
    if authority[0].isalpha():
        assert not uscc.is_valid(code)  # the reason the rules are our own
    assert clean_credit_code(code) == code


def test_credit_code_is_normalised_from_full_width_spaces_hyphens_and_lower_case() -> None:
    code = "91110000600037341L"
    typed = [
        fullwidth(code),
        " 9111 0000 6000 3734 1L ",
        "91110000-60003734-1l",
        "９１１１００００　６０００３７３４１ｌ",  # full-width digits with an ideographic space
        "\t91110000600037341L\n",
    ]
    for value in typed:
        assert clean_credit_code(value) == code, value


def test_credit_code_with_a_wrong_check_character_is_refused() -> None:
    code = "91110000600037341L"
    for wrong in "0123456789ABCDEFGHJKMNPQRTUWXY":
        if wrong != "L":
            assert error_code(clean_credit_code, code[:17] + wrong) == "credit_code_checksum"


@pytest.mark.parametrize(
    "value, length",
    [("91110000600037341", 17), ("91110000600037341LL", 19), ("9111", 4), ("", 0)],
)
def test_credit_code_of_the_wrong_length_is_refused(value: str, length: int) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        clean_credit_code(value)
    assert raised.value.code == "credit_code_length"
    assert f"this one has {length}" in raised.value.messages[0]


@pytest.mark.parametrize("letter", list("IOZSV"))
@pytest.mark.parametrize("position", [0, 1, 8, 12, 16, 17])
def test_letters_outside_the_gb32100_alphabet_are_refused(letter: str, position: int) -> None:
    code = list("91110000600037341L")
    code[position] = letter
    assert error_code(clean_credit_code, "".join(code)) == "credit_code_format"


def test_letters_in_the_region_part_are_refused() -> None:
    body = "91A10000600037341"  # place 3 must be a digit
    assert error_code(clean_credit_code, make_credit_code(body)) == "credit_code_format"


def test_credit_code_error_is_in_chinese_for_zh_hans() -> None:
    with translation.override("en"):
        english = error_message(clean_credit_code, "91110000600037340L")
    with translation.override("zh-hans"):
        chinese = error_message(clean_credit_code, "91110000600037340L")
    if chinese == english:
        pytest.skip("the Chinese catalog has no translation of this message yet")
    assert CJK.search(chinese), chinese
    assert "校验" in chinese


# --- organisation code (GB 11714) --------------------------------------------------------


def test_organisation_code_check_character() -> None:
    # The organisation code inside a real credit code (places 9–17).
    assert org_code_check("60003734") == "1"
    assert org_code_check("M000100Y") == "4"
    assert clean_org_code("60003734-1") == "600037341"
    assert clean_org_code(" ６０００３７３４－１ ") == "600037341"
    assert clean_org_code("m000100y-4") == "M000100Y4"


def test_organisation_code_check_character_can_be_x_or_0() -> None:
    found: dict[str, str] = {}
    for n in range(2000):
        body = f"{n:08d}"
        found.setdefault(org_code_check(body), body)
        if {"X", "0"} <= set(found):
            break
    assert clean_org_code(found["X"] + "X") == found["X"] + "X"
    assert clean_org_code(found["0"] + "0") == found["0"] + "0"


@pytest.mark.parametrize(
    "value, code",
    [
        ("60003734-2", "org_code_checksum"),
        ("6000373-1", "org_code_format"),
        ("600037341-1", "org_code_format"),
        ("60003734-Y", "org_code_format"),
        ("6000373#-1", "org_code_format"),
    ],
)
def test_invalid_organisation_codes(value: str, code: str) -> None:
    assert error_code(clean_org_code, value) == code


# --- resident ID number (GB 11643) -------------------------------------------------------

SAMPLE_ID = "11010519491231002X"  # the standard's example: a woman born 1949-12-31


def test_valid_id_numbers_and_their_normalisation() -> None:
    assert clean_id_number(SAMPLE_ID) == SAMPLE_ID
    assert clean_id_number("11010519491231002x") == SAMPLE_ID
    assert clean_id_number("110105 19491231 002X") == SAMPLE_ID
    assert clean_id_number(fullwidth("11010519491231002x")) == SAMPLE_ID


def test_birth_date_and_gender_are_derived() -> None:
    assert birth_date_of(SAMPLE_ID) == datetime.date(1949, 12, 31)
    assert gender_of(SAMPLE_ID) == "female"
    man = make_id_number("44030519800229123")  # a leap day; 17th digit 3 is odd
    assert clean_id_number(man) == man
    assert birth_date_of(man) == datetime.date(1980, 2, 29)
    assert gender_of(man) == "male"


def test_new_region_codes_are_accepted_when_the_province_exists() -> None:
    """The birthplace is checked by province only: a county code missing from a bundled
    table (stdnum's cn.ric) must not refuse a real person."""
    number = make_id_number("33038320000101123")  # 龙港市 (浙江), a county-level city of 2019
    assert not ric.is_valid(number)  # python-stdnum's table lags
    assert clean_id_number(number) == number


@pytest.mark.parametrize(
    "value, code",
    [
        ("11010519491231002", "id_format"),  # 17 characters
        ("11010519491231002X1", "id_format"),
        ("1101051949123100XX", "id_format"),
        ("11010519491231002Y", "id_format"),
        ("99010519491231002X", "id_region"),
        ("00010519491231002X", "id_region"),
        ("110105194913310021", "id_birth_date"),  # month 13
        ("110105202302300021", "id_birth_date"),  # 30 February
        ("110105188012310021", "id_birth_date"),  # before 1890
        ("110105194912310021", "id_checksum"),
    ],
)
def test_invalid_id_numbers(value: str, code: str) -> None:
    assert error_code(clean_id_number, value) == code


def test_a_birth_date_in_the_future_is_refused() -> None:
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    number = make_id_number(f"110105{tomorrow:%Y%m%d}001")
    assert error_code(clean_id_number, number) == "id_birth_date"


def test_generated_numbers_are_valid() -> None:
    assert clean_id_number(make_id_number("11010819850615123")).endswith(
        make_id_number("11010819850615123")[-1]
    )
    assert {"11", "31", "44", "65", "71", "81", "82"} <= identifiers.PROVINCE_CODES


# --- normalisation ------------------------------------------------------------------------


def test_halfwidth_compact_and_clean_text() -> None:
    assert halfwidth("  ＡＢＣ１２３　") == "ABC123"
    assert compact_code(" ａｂ-１２ 3 ") == "AB123"
    # Chinese punctuation stays (names exactly as on the licence), runs of spaces collapse.
    assert clean_text("  北京   华夏，科技  ") == "北京 华夏，科技"
    assert clean_text("华夏科技（北京）有限公司") == "华夏科技（北京）有限公司"
    assert clean_text("Ｈｕａｘｉａ　Ｔｅｃｈ　２号") == "Huaxia Tech 2号"


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("(010) 6234 5678", "010-62345678"),
        ("（010）62345678", "010-62345678"),
        ("0755-86013388", "0755-86013388"),
        ("+86 755 8601 3388", "0755-86013388"),
        ("0755-8601-3388", "0755-86013388"),
        ("010-62345678转8001", "010-62345678-8001"),
        ("010-62345678-8001", "010-62345678-8001"),
        ("010-62345678 转 8001", "010-62345678-8001"),
        ("021-54321234分机12", "021-54321234-12"),
        ("+852 2123 4567", "+85221234567"),
        ("+1 650 253 0000", "+16502530000"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_phone_numbers_are_normalised(typed: str, stored: str) -> None:
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "stored", ["13812345678", "010-62345678", "0755-86013388", "010-62345678-8001", "+85221234567"]
)
def test_a_normalised_phone_normalises_to_itself(stored: str) -> None:
    """What is stored comes back in the edit form: it must pass the same check again."""
    assert normalize_phone(stored) == stored


@pytest.mark.parametrize(
    "typed", ["12345", "62345678", "1381234567", "138123456789", "phone", "010-1234", "+86 0"]
)
def test_invalid_phone_numbers_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        normalize_phone(typed)
    assert raised.value.code == "invalid_phone"


def test_phone_digits() -> None:
    assert phone_digits("010-6234 5678") == "01062345678"
    assert phone_digits("") == ""


@pytest.mark.parametrize(
    "typed, amount",
    [
        ("5000000", Decimal("5000000.00")),
        ("500万", Decimal("5000000.00")),
        ("500万元", Decimal("5000000.00")),
        ("1.2亿", Decimal("120000000.00")),
        ("1,000万元", Decimal("10000000.00")),
        ("1，000万", Decimal("10000000.00")),
        ("￥3,000.50", Decimal("3000.50")),
        ("¥3000.5", Decimal("3000.50")),
        ("RMB 100", Decimal("100.00")),
        ("5千", Decimal("5000.00")),
        ("３００万", Decimal("3000000.00")),
        ("500 万 元", Decimal("5000000.00")),
        ("100人民币", Decimal("100.00")),
        ("", None),
    ],
)
def test_chinese_amounts(typed: str, amount: Decimal | None) -> None:
    assert parse_amount(typed) == amount


@pytest.mark.parametrize("typed", ["abc", "1.2.3万", "100美元", "万", "5百万x"])
def test_invalid_amounts(typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_amount(typed)
    assert raised.value.code == "invalid_amount"


@pytest.mark.parametrize(
    "typed",
    [
        "2023年5月1日",
        "2023年5月1号",
        "2023年05月01日",
        "２０２３年５月１日",
        "2023-05-01",
        "2023.5.1",
        "2023/05/01",
        "20230501",
        " 2023 年 5 月 1 日 ",
    ],
)
def test_chinese_dates(typed: str) -> None:
    assert parse_date(typed) == datetime.date(2023, 5, 1)


def test_date_passthrough_and_blank() -> None:
    day = datetime.date(2020, 1, 2)
    assert parse_date(day) is day
    assert parse_date(None) is None
    assert parse_date("  ") is None


@pytest.mark.parametrize(
    "typed", ["2023-02-30", "2023年13月1日", "2023年5月", "yesterday", "05/01/2023", "2023-5"]
)
def test_invalid_dates(typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_date(typed)
    assert raised.value.code == "invalid_date"
