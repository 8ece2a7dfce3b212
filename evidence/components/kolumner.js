// Column lists shared by the pages.
export const MANADER = ['jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];

/** Pivot columns for the months 1–12 (the query's month number column). */
export const manadsKolumner = MANADER.map((titel, i) => ({ nyckel: i + 1, titel }));
