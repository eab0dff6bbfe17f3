"""Regenerate jwt_secrets_wordlist.txt: weak JWT secrets of the kind found in real apps.

Deterministic (no randomness, no download): a few hundred base words written for this
course, each in the variants people actually use (Capitalized, l33t, "my…", "…key", …).
Run: python data/make_wordlist.py
"""

from pathlib import Path

_WORDS = """
secret password passw0rd admin administrator root toor letmein welcome changeme default
qwerty asdf zxcv abc abcdef iloveyou monkey dragon master shadow sunshine princess football
baseball soccer hockey batman superman starwars pokemon naruto matrix trustno1 hello world
hunter freedom whatever ninja mustang access flower cheese computer internet server token
jwt jsonwebtoken session cookie auth login signin signup user users account accounts guest
test testing tester demo sample example temp tmp local localhost dev develop development
staging stage prod production release debug backend frontend api apikey service services
app application web website portal dashboard console panel system sysadmin superuser
manager support office company business startup project project1 main master2 private public
hidden secure security safe vault key keys passphrase phrase mykey supersecret topsecret
confidential classified internal intranet network cloud docker kubernetes k8s jenkins github
gitlab bitbucket spring springboot django flask express node nodejs react angular vue
laravel rails ruby python java javascript typescript golang rust kotlin swift php perl
mysql postgres mongodb redis oracle sqlserver sqlite database data backup storage bucket
random nonce salt pepper hash hmac sha256 signature signing sign verify crypto cipher
blue red green yellow orange purple black white silver golden gold diamond crystal
summer winter spring2 autumn monday friday sunday january march april june july august
october november december morning evening night midnight today tomorrow yesterday
apple banana cherry lemon mango orange2 peach grape melon kiwi coffee tea pizza burger
tiger lion eagle falcon shark wolf bear panda koala rabbit turtle phoenix unicorn
rocket galaxy planet star moon sun earth ocean river mountain forest island desert
seoul busan korea kimchi bibimbap hangul sarang saranghae annyeong fighting daebak
love lovely happy smile angel heaven devil ghost zombie wizard knight king queen prince
alpha beta gamma delta omega sigma zeta theta lambda kappa epsilon
one two three four five six seven eight nine ten hundred thousand million
"""
BASE = _WORDS.split()

LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"})


def variants(word: str) -> list[str]:
    out = [
        word,
        word.capitalize(),
        word.upper(),
        word.translate(LEET),
        f"my{word}",
        f"{word}key",
        f"{word}secret",
        f"{word}_secret",
        f"{word}-secret",
        f"secret_{word}",
        f"{word}pass",
        f"{word}jwt",
        f"jwt_{word}",
        f"{word}_dev",
        f"{word}_prod",
        f"{word}{word}",
        f"the{word}",
        word[::-1],
        f"{word}!",
        f"{word}123",
    ]
    return out


def build() -> list[str]:
    seen, words = set(), []
    for base in BASE:
        for w in variants(base):
            if w not in seen:
                seen.add(w)
                words.append(w)
    return words


if __name__ == "__main__":
    words = build()
    path = Path(__file__).with_name("jwt_secrets_wordlist.txt")
    path.write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"{path.name}: {len(words)} words")
