"""Reading one delivered CSV file: hash, encoding, header and records with physical line numbers.

- Encoding: UTF-8 (a BOM is dropped) when the whole file decodes as UTF-8, else Windows-1252
  (a UTF-8 BOM in front of a Windows-1252 body is dropped too). A file with NUL bytes (UTF-16,
  a binary file) or bytes that Windows-1252 leaves undefined is refused whole.
- Records: `;`-separated, RFC 4180 quoting. `line_number` is the physical line where the record
  starts (the header is line 1 unless blank lines precede it), also after multi-line quoted
  fields and with CRLF line endings. Blank lines, and lines whose fields are all empty or
  whitespace (`;;;;`, what spreadsheets write below the data), are not records.
- A quoting error inside one record (`"ab"c`) or a field longer than the csv module's limit
  (131 072 characters) makes that record a row-level reject and reading continues on the next
  line; a quote that is never closed swallows the rest of the file, which
  is then refused whole.
- A UTF-8 file with no quote character and no carriage return other than in CRLF is *plain*:
  every physical line is one record, split on `;`. The loader then reads it with DuckDB instead
  of this module's record iterator (same records, same line numbers; see `staging.py`).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BOM = codecs.BOM_UTF8
CHUNK = 1 << 20


class FileRejected(Exception):
    """The whole file is refused; the message names the problem (the loader adds the file)."""


@dataclass(frozen=True)
class FileFacts:
    content_hash: str
    encoding: str  # utf-8 | utf-8-bom | windows-1252 | None when undecodable
    problem: str | None = None  # why the file cannot be read at all
    plain: bool = False  # UTF-8, no quote character, no lone carriage return: a record a line


@dataclass(frozen=True)
class Record:
    line_number: int  # the physical line where the record starts
    fields: list[str] | None  # None when the record could not be parsed (see `error`)
    error: str | None = None
    raw: str | None = None  # the physical line of an unparseable record (unmasked)


def inspect_file(path: Path) -> FileFacts:
    """Content hash and encoding in one pass (a second one only for the Windows-1252 check)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    has_nul = False
    has_quote = False
    lone_cr = False
    previous_cr = False  # the previous chunk ended with a carriage return
    with path.open("rb") as handle:
        first = True
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            if first and chunk.startswith(BOM):
                chunk = chunk[len(BOM) :]
            first = False
            has_nul = has_nul or b"\x00" in chunk
            has_quote = has_quote or b'"' in chunk
            if previous_cr and not chunk.startswith(b"\n"):
                lone_cr = True
            if not lone_cr and b"\r" in chunk:  # most files have no carriage return at all
                lone_cr = chunk.count(b"\r") - chunk.count(b"\r\n") > int(chunk.endswith(b"\r"))
            previous_cr = chunk.endswith(b"\r")
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
        if utf8_ok:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_ok = False
    content_hash = digest.hexdigest()
    if has_nul:
        return FileFacts(
            content_hash,
            None,
            "filen innehåller NUL-tecken (troligen UTF-16 eller en binärfil); "
            "den ska vara text i UTF-8 eller Windows-1252",
        )
    lone_cr = lone_cr or previous_cr  # a carriage return as the file's last byte
    if utf8_ok:
        with path.open("rb") as handle:
            encoding = "utf-8-bom" if handle.read(len(BOM)) == BOM else "utf-8"
        return FileFacts(content_hash, encoding, plain=not (has_quote or lone_cr))
    decoder = codecs.getincrementaldecoder("cp1252")()
    offset = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return FileFacts(
                    content_hash,
                    None,
                    "filen går inte att läsa som UTF-8 eller Windows-1252 "
                    f"(byte {offset + error.start} är 0x{chunk[error.start]:02X})",
                )
            offset += len(chunk)
    return FileFacts(content_hash, "windows-1252")


def _text_stream(path: Path, encoding: str) -> io.TextIOBase:
    handle = path.open("rb")
    if handle.read(len(BOM)) != BOM:
        handle.seek(0)
    codec = "cp1252" if encoding == "windows-1252" else "utf-8"
    return io.TextIOWrapper(handle, encoding=codec, newline="")


def normalise_header(names: list[str]) -> list[str]:
    return [name.strip().lower() for name in names]


def _is_blank(fields: list[str]) -> bool:
    return all(not f.strip() for f in fields)


class _Lines:
    """The file's lines, remembering the last one (the raw text of an unparseable record)."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self._stream = stream
        self.last = ""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        self.last = next(self._stream)
        return self.last


def _read_header(reader: Iterator[list[str]]) -> list[str]:
    """The first non-blank row of `reader`, normalised (the file is refused without one)."""
    try:
        for row in reader:
            if not _is_blank(row):
                return normalise_header(row)
    except csv.Error as error:
        raise FileRejected(f"rubrikraden kan inte tolkas ({error})") from error
    raise FileRejected("filen är tom (ingen rubrikrad)")


def read_header(path: Path, encoding: str) -> tuple[list[str], int]:
    """The normalised header and its line number (as `open_records`, without the records)."""
    with _text_stream(path, encoding) as stream:
        reader = csv.reader(stream, delimiter=";", quotechar='"', strict=True)
        return _read_header(reader), reader.line_num


def open_records(path: Path, encoding: str) -> tuple[list[str], int, Iterator[Record]]:
    """The normalised header, its line number, and an iterator over the records after it."""
    stream = _text_stream(path, encoding)
    lines = _Lines(stream)
    reader = csv.reader(lines, delimiter=";", quotechar='"', strict=True)
    try:
        header = _read_header(reader)
    except FileRejected:
        stream.close()
        raise
    header_line = reader.line_num

    def records() -> Iterator[Record]:
        previous_line = reader.line_num
        with stream:
            while True:
                start = previous_line + 1
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    if reader.line_num == previous_line or "unexpected end of data" in str(error):
                        raise FileRejected(
                            f"citattecken som inte avslutas från rad {start}; "
                            "resten av filen kan inte läsas"
                        ) from error
                    previous_line = reader.line_num
                    reason = (
                        f"ett fält är längre än {csv.field_size_limit()} tecken"
                        if "field limit" in str(error)
                        else "felaktig citering: text efter ett avslutande citattecken"
                    )
                    yield Record(start, None, reason, lines.last.rstrip("\r\n")[:1000])
                    continue
                previous_line = reader.line_num
                if _is_blank(fields):
                    continue
                yield Record(start, fields)

    return header, header_line, records()


def rebuild_line(fields: list[str]) -> str:
    """The record as one `;`-separated line (for the rejects table, before masking)."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="").writerow(fields)
    return out.getvalue()
