"""What a delivery's header says: which of its columns are which contract columns.

File-level rules (the file is refused whole, with the expected column names): a header of one
column containing `,`, tab or `|` (wrong delimiter), a column named twice, a required column
missing. Header names are matched case-insensitively after trimming (textfile.normalise_header);
column order is free. Unknown header names and empty ones are ignored, with one warning each per
file; their content is never stored (a rejected line shows `*` in their place).
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.loaders.contract import ExportSpec, Kind
from orchestration.loaders.identifiers import mask, mask_digits
from orchestration.loaders.textfile import FileRejected, rebuild_line


@dataclass(frozen=True)
class Plan:
    """A header read against the contract: the file's width and which column is what.

    Files of one export with the same header share a plan, and are staged in one batch."""

    header: tuple[str, ...]
    width: int
    positions: dict[str, int]  # contract column → position in the file
    persons: tuple[tuple[str, int], ...]  # personnummer columns and their positions
    employees: tuple[tuple[str, int], ...]  # employee-number columns and their positions
    ignored: tuple[int, ...]  # positions of columns the contract does not know
    warnings: tuple[str, ...]  # one per kind of ignored column

    @property
    def identity_positions(self) -> set[int]:
        return {j for _, j in self.persons + self.employees}

    def masked_line(self, fields: list[str]) -> str:
        """A record as a masked line for the rejects table (identifiers and ignored columns
        hidden field by field, then anything like a personnummer)."""
        identities = self.identity_positions
        shown = [
            mask_digits(f) if j in identities else ("*" if j in self.ignored and f else f)
            for j, f in enumerate(fields)
        ]
        return mask(rebuild_line(shown))


def check_header(spec: ExportSpec, header: list[str]) -> list[str]:
    """Refuse a header the contract cannot use (FileRejected); else its warnings."""
    expected = ";".join(spec.column_names)
    optional = [c.name for c in spec.columns if not c.required]
    expected_text = f"Förväntade kolumner: {expected}" + (
        f" (valfria: {', '.join(optional)})" if optional else ""
    )
    if len(header) == 1 and any(sep in header[0] for sep in (",", "\t", "|")):
        raise FileRejected(
            "fel avgränsare: rubrikraden har en enda kolumn; filen ska vara semikolonseparerad. "
            + expected_text
        )
    named = [name for name in header if name]
    duplicates = sorted({name for name in named if named.count(name) > 1})
    if duplicates:
        raise FileRejected(
            f"kolumn(er) förekommer flera gånger i rubrikraden: {', '.join(duplicates)}. "
            + expected_text
        )
    missing = [name for name in spec.required_names if name not in header]
    if missing:
        raise FileRejected(f"saknar kolumn(er) {', '.join(missing)}. " + expected_text)
    warnings = []
    unknown = [name for name in named if name not in spec.column_names]
    if unknown:
        warnings.append(mask(f"okända kolumner ignoreras: {', '.join(unknown)}"))
    empty = [str(j + 1) for j, name in enumerate(header) if not name]
    if empty:
        warnings.append(f"kolumner utan rubrik ignoreras: nr {', '.join(empty)}")
    return warnings


def plan(spec: ExportSpec, header: list[str]) -> Plan:
    """The plan of a (normalised) header; FileRejected when the header is unusable."""
    warnings = check_header(spec, header)
    positions = {name: header.index(name) for name in spec.column_names if name in header}
    return Plan(
        header=tuple(header),
        width=len(header),
        positions=positions,
        persons=tuple(
            (c.name, positions[c.name]) for c in spec.columns if c.kind is Kind.PERSONNUMMER
        ),
        employees=tuple(
            (c.name, positions[c.name]) for c in spec.columns if c.kind is Kind.EMPLOYEE_NUMBER
        ),
        ignored=tuple(j for j, name in enumerate(header) if name not in spec.column_names),
        warnings=tuple(warnings),
    )
