"""tools/vocabulary.py: each rule flags a typical mistake and leaves the correct line alone."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tools"))
import vocabulary  # noqa: E402

sys.path.pop(0)
TERMS = vocabulary.load_glossary()


def rules(markdown: str) -> list[str]:
    return [rule for rule, _, _ in vocabulary.check_markdown(markdown, TERMS)]


def output_rules(text: str) -> list[str]:
    return [rule for rule, _, _ in vocabulary.check_output(text, TERMS)]


# --------------------------------------------------------------------------- the glossary itself


def test_glossary_covers_the_course():
    korean = {t.korean for t in TERMS}
    assert 40 <= len(TERMS) <= 90
    for must in (
        "세션 ID",
        "무상태",
        "비연결성",
        "폐기 목록",
        "유휴 만료",
        "절대 만료",
        "스티키 세션",
        "해시 슬롯",
    ):
        assert must in korean
    assert all(t.english for t in TERMS)


def test_no_banned_word_is_an_approved_term():
    approved = {t.korean for t in TERMS}
    for term in TERMS:
        for bad in term.banned:
            assert bad not in approved, bad
            assert not any(bad in good for good in approved), (bad, term.korean)


def test_every_term_row_is_parsed_with_its_banned_words():
    denylist = next(t for t in TERMS if t.korean == "폐기 목록")
    assert denylist.english == "denylist"
    assert "거부 목록" in denylist.banned


# --------------------------------------------------------------------------- 용어


@pytest.mark.parametrize(
    "bad, good",
    [
        ("로그아웃하면 jti를 거부 목록에 넣습니다.", "로그아웃하면 jti를 폐기 목록에 넣습니다."),
        ("고정 세션은 서버가 죽으면 끝납니다.", "스티키 세션은 서버가 죽으면 끝납니다."),
        ("refresh 토큰을 회전합니다.", "리프레시 토큰을 회전합니다."),
    ],
)
def test_banned_terms(bad, good):
    assert rules(bad) == ["용어"]
    assert rules(good) == []


def test_banned_terms_inside_code_are_fine():
    assert rules("변수 이름은 `refresh 토큰`처럼 백틱 안에 있으면 괜찮습니다.") == []
    assert rules("```python\n# 고정 세션\n```\n코드 블록은 읽지 않습니다.") == []


@pytest.mark.parametrize(
    "line, flagged",
    [
        ("해시를 저장합니다.", True),
        ("작은 해시는 압축해서 저장합니다.", True),
        ("비밀번호 해시를 저장합니다.", False),
        ("Redis 해시 자료형 하나에 세션을 둡니다.", False),
        ("키는 해시 슬롯 16384개로 나뉩니다.", False),
        ("SHA-256 해시는 빠릅니다.", False),
        ("단어를 하나씩 해시합니다.", False),
        ("사용자와 시각의 해시는 추측할 수 있습니다.", False),
    ],
)
def test_hash_alone_is_ambiguous(line, flagged):
    assert (rules(line) == ["용어"]) is flagged


# --------------------------------------------------------------------------- 문체


@pytest.mark.parametrize(
    "bad",
    [
        "쿠키는 모든 요청에 실린다.",
        "- 예측할 수 없어야 한다: 암호학적으로 안전한 난수를 씁니다.",
        "### 3.3 보안: 쿠키는 바꿀 수 있다 — 서명이 있으면 알아챕니다",
        "HTTP는 무상태 프로토콜이다.",
        "서버를 죽여 보면서요.",
        "다른 서버로 다시 보내겠지요.",
        "그렇죠?",
    ],
)
def test_register_flags_handa_and_haeyo(bad):
    assert rules(bad) == ["문체"]


@pytest.mark.parametrize(
    "good",
    [
        "쿠키는 모든 요청에 실립니다.",
        "요청마다 쿠키가 실립니다. 세션보다 가볍습니다.",
        "공격자가 있다고 합시다. 그다음을 봅니다.",
        "서버가 잊는다는 뜻입니다.",
        "계약(요청이 필요한 상태를 모두 담는다)이라는 말입니다.",
        "답안을 고치다 요점을 빠뜨리면 다시 봅니다.",
        "여기서 멈추세요. 어느 쪽일까요?",
        "세션 저장소가 필요합니다. 이것이 중요.",
        '흔한 답변은 "쿠키는 클라이언트에 저장된다."입니다.',
        "| 쿠키 | 클라이언트에 있다 |",
        "`assert x  # 같다.`는 코드입니다.",
    ],
)
def test_register_leaves_hamnida_alone(good):
    assert rules(good) == []


# --------------------------------------------------------------------------- 라벨, 진짜


def test_experiment_label():
    assert rules("무엇을 확인하나: 두 요청의 상태 코드.") == ["라벨"]
    assert rules("무엇을 보나: 두 요청의 상태 코드.") == ["라벨"]
    assert rules("볼 것: 두 요청의 상태 코드.") == []
    assert rules("무엇을 확인하나요? 상태 코드를 봅니다.") == []


def test_jinjja():
    assert rules("진짜 Redis를 띄웁니다.") == ["진짜"]
    assert output_rules("진짜 서버가 답했습니다") == ["진짜"]
    assert rules("실제 Redis를 띄웁니다. 가짜 결과는 만들지 않습니다.") == []


# --------------------------------------------------------------------------- 조사


@pytest.mark.parametrize(
    "token, sound",
    [
        ("s1", "rieul"),
        ("b3", "consonant"),
        ("v2", "vowel"),
        ("10", "consonant"),
        ("127.0.0.1", "rieul"),
        ("JWT", "vowel"),
        ("URL", "rieul"),
        ("JSON", "consonant"),
        ("scrypt", "vowel"),
        ("Redis", "vowel"),
        ("Flask", "vowel"),
        ("token", "consonant"),
        ("cookie", "vowel"),
        ("None", "consonant"),
        ("HttpOnly", "vowel"),
        ("PyJWT", "vowel"),
        ("GET", "consonant"),
        ("IP", "vowel"),
        ("CSPRNG", None),
        ("HPACK", None),
        ("secret", None),
        ("private", None),
        ("route", "vowel"),
        ("Control", "rieul"),
        ("SameSite", "vowel"),
        ("me", None),
    ],
)
def test_final_sound(token, sound):
    assert vocabulary.final_sound(token) == sound


@pytest.mark.parametrize(
    "bad, fix",
    [
        ("서버 s1가 사라졌습니다.", "s1이"),
        ("scrypt은 느립니다.", "scrypt는"),
        ("JWT을 보냅니다.", "JWT를"),
        ("URL를 엽니다.", "URL을"),
        ("로그인한 `s1`으로 돌아갑니다.", "s1로"),
        ("요청 10로 나눕니다.", "10으로"),
        ("Redis과 비교합니다.", "Redis와"),
    ],
)
def test_particles_that_do_not_fit(bad, fix):
    found = vocabulary.check_markdown(bad, TERMS)
    assert [rule for rule, _, _ in found] == ["조사"]
    assert f"'{fix}'" in found[0][1]


@pytest.mark.parametrize(
    "good",
    [
        "서버 s1이 사라졌습니다.",
        "scrypt는 느립니다. JSON은 읽기 쉽습니다. URL을 엽니다.",
        "`s1`로 돌아갑니다. 127.0.0.1로 보냅니다. 요청 10으로 나눕니다.",
        "Redis와 비교합니다. CSPRNG로 만듭니다. `/me`를 부릅니다.",
        "세션(session)은 서버에 있습니다.",
        "HTTP/1.1은 연결을 재사용합니다.",
    ],
)
def test_particles_that_fit(good):
    assert rules(good) == []


# --------------------------------------------------------------------------- notebooks


def test_check_notebook_reads_markdown_and_outputs_but_not_code(tmp_path):
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["무엇을 보나: 상태 코드.\n"], "metadata": {}},
            {
                "cell_type": "code",
                "source": ["print('진짜')  # 코드는 읽지 않습니다"],
                "metadata": {},
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": ["서버 s1가 사라졌습니다\n"]},
                    {
                        "output_type": "display_data",
                        "data": {"text/html": ["<b>고정 세션</b>"], "text/plain": ["고정 세션"]},
                        "metadata": {},
                    },
                ],
            },
            {"cell_type": "markdown", "source": ["볼 것: 실제 Redis가 답합니다."], "metadata": {}},
        ]
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    found = vocabulary.check_notebook(path, TERMS)
    assert [(f.cell, f.where, f.rule) for f in found] == [
        (0, "markdown", "라벨"),
        (1, "output", "조사"),
        (1, "output", "용어"),  # text/plain and text/html say the same: reported once
    ]
    assert "c1" in vocabulary.report(path, found) and vocabulary.main([str(path)]) == 1


def test_clean_notebook_exits_zero(tmp_path, capsys):
    nb = {"cells": [{"cell_type": "markdown", "source": ["볼 것: 실제 Redis가 답합니다."], "metadata": {}}]}
    path = tmp_path / "clean.ipynb"
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    assert vocabulary.main([str(path)]) == 0
    assert "문제 없음" in capsys.readouterr().out
