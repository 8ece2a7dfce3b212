"""Reading one delivered CSV file: hash, encoding, header and records with line numbers."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ENCODINGS = ("utf-8-sig", "cp1252")


class FileRejected(Exception):
    """The whole file is refused; the message names the problem (the loader adds the file)."""


@dataclass(frozen=True)
class Record:
    line_number: int  # the physical line where the record starts (the header is line 1)
    fields: list[str]


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_encoding(path: Path) -> str:
    """UTF-8 (BOM optional) when the file decodes as such, else Windows-1252."""
    decoder_ok = True
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                decoder_ok = False
                break
        else:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                decoder_ok = False
    if decoder_ok:
        return "utf-8-sig"
    try:
        with path.open("r", encoding="cp1252", newline="") as handle:
            for _ in iter(lambda: handle.read(1 << 20), ""):
                pass
    except UnicodeDecodeError as error:
        raise FileRejected(
            f"filen går inte att läsa som UTF-8 eller Windows-1252 (byte {error.start})"
        ) from error
    return "cp1252"


def normalise_header(names: list[str]) -> list[str]:
    return [name.strip().lower() for name in names]


def open_records(path: Path, encoding: str) -> tuple[list[str], Iterator[Record]]:
    """The normalised header and an iterator over the records that follow it."""
    handle = path.open("r", encoding=encoding, newline="")
    reader = csv.reader(handle, delimiter=";", quotechar='"', strict=True)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise FileRejected("filen är tom (ingen rubrikrad)") from None
    except csv.Error as error:
        handle.close()
        raise FileRejected(f"rubrikraden kan inte tolkas: {error}") from error

    def records() -> Iterator[Record]:
        previous_line = reader.line_num
        with handle:
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    # An unbalanced quote swallows the rest of the file: refuse it whole.
                    raise FileRejected(
                        f"rad {previous_line + 1}: citattecken som inte avslutas ({error})"
                    ) from error
                start = previous_line + 1
                previous_line = reader.line_num
                if not fields or fields == [""]:
                    continue  # blank line
                yield Record(line_number=start, fields=fields)

    return normalise_header(header), records()


def rebuild_line(fields: list[str]) -> str:
    """The record as one `;`-separated line (for the rejects table, before masking)."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="").writerow(fields)
    return out.getvalue()
