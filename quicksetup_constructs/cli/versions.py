"""Package versions compared as rpm and dpkg compare them (decision 26).

- rpm: ``rpmvercmp``, as rpm's documentation describes it ("RPM version comparison",
  https://rpm-software-management.github.io/rpm/manual/dependencies.html and the
  ``rpmvercmp`` description): the strings are split into runs of digits and runs of letters,
  anything else only separating them; runs are compared in turn, digits as numbers (leading
  zeros ignored) and letters as text; a run of digits is newer than a run of letters; ``~``
  sorts before anything, even the end; ``^`` after the end but before anything else; when
  all runs are equal, the string with more runs left is newer.
- dpkg: Debian Policy 5.6.12, "Version"
  (https://www.debian.org/doc/debian-policy/ch-controlfields.html#version): alternately the
  longest leading part without digits, compared character by character with letters before
  non-letters and ``~`` before anything, even the end; then the longest leading run of digits,
  compared as numbers (empty is 0).

A full version is ``[epoch:]version[-release]``: epochs compared as numbers, then the versions,
then the releases (skipped when the threshold gives none).
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMES = ("rpm", "dpkg")


def rpmvercmp(a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` is older than, as new as, or newer than ``b`` (rpm)."""
    if a == b:
        return 0
    i = j = 0
    while i < len(a) or j < len(b):
        while i < len(a) and not _alnum(a[i]) and a[i] not in "~^":
            i += 1
        while j < len(b) and not _alnum(b[j]) and b[j] not in "~^":
            j += 1
        ca = a[i] if i < len(a) else ""
        cb = b[j] if j < len(b) else ""
        if ca == "~" or cb == "~":
            if ca != "~":
                return 1
            if cb != "~":
                return -1
            i, j = i + 1, j + 1
            continue
        if ca == "^" or cb == "^":
            if not ca:
                return -1
            if not cb:
                return 1
            if ca != "^":
                return 1
            if cb != "^":
                return -1
            i, j = i + 1, j + 1
            continue
        if not ca or not cb:
            break
        numeric = ca.isdigit()
        si, sj = i, j
        while i < len(a) and (a[i].isdigit() if numeric else _alpha(a[i])):
            i += 1
        while j < len(b) and (b[j].isdigit() if numeric else _alpha(b[j])):
            j += 1
        one, two = a[si:i], b[sj:j]
        if not two:
            return 1 if numeric else -1
        if numeric:
            one, two = one.lstrip("0"), two.lstrip("0")
            if len(one) != len(two):
                return 1 if len(one) > len(two) else -1
        if one != two:
            return 1 if one > two else -1
    if i >= len(a) and j >= len(b):
        return 0
    return -1 if i >= len(a) else 1


def _alpha(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _order(char: str) -> int:
    """dpkg's weight of a non-digit character: ``~`` first, then the end, letters, others."""
    if char == "~":
        return -1
    if not char or char.isdigit():
        return 0
    if _alpha(char):
        return ord(char)
    return ord(char) + 256


def dpkg_verrevcmp(a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` is older than, as new as, or newer than ``b`` (dpkg)."""
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ca = a[i] if i < len(a) and not a[i].isdigit() else ""
            cb = b[j] if j < len(b) and not b[j].isdigit() else ""
            if _order(ca) != _order(cb):
                return -1 if _order(ca) < _order(cb) else 1
            i += 1 if ca else 0
            j += 1 if cb else 0
        si, sj = i, j
        while i < len(a) and a[i].isdigit():
            i += 1
        while j < len(b) and b[j].isdigit():
            j += 1
        one, two = int(a[si:i] or 0), int(b[sj:j] or 0)
        if one != two:
            return -1 if one < two else 1
    return 0


@dataclass(frozen=True)
class Version:
    """``[epoch:]version[-release]``, its parts apart."""

    epoch: int
    version: str
    release: str | None

    @classmethod
    def parse(cls, text: str, *, epoch: str | None = None, release: str | None = None) -> Version:
        """``text``, with the inventory's ``epoch`` and ``release`` attributes when it has
        them (``AWS:Application``'s Epoch and Release): a release in ``text`` is what follows
        its last ``-``, an epoch what precedes its first ``:``."""
        head, colon, rest = text.partition(":")
        if colon and head.isdigit():
            text, epoch = rest, epoch or head
        if not release and "-" in text:
            text, _, release = text.rpartition("-")
        return cls(int(epoch) if epoch and epoch.isdigit() else 0, text, release or None)


def compare(a: Version, b: Version, scheme: str) -> int:
    """-1, 0 or 1 as ``a`` is older than, as new as, or newer than ``b``; releases are
    compared only when both have one."""
    parts = rpmvercmp if scheme == "rpm" else dpkg_verrevcmp
    if a.epoch != b.epoch:
        return -1 if a.epoch < b.epoch else 1
    order = parts(a.version, b.version)
    if order or a.release is None or b.release is None:
        return order
    return parts(a.release, b.release)
