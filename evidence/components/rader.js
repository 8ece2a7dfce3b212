// One query's rows for several tables and charts, so that a page runs one query where it would
// otherwise run one per table or chart: every query costs three statements (DESCRIBE, COUNT and
// the query) per prerendered page at build time, and again in the browser.
//
// Call `rader` in the markup or in a `$:` statement: the page's query variable changes when its
// rows arrive (in the browser) and has them already when the page is rendered at build time.
import { Query } from '@evidence-dev/sdk/usql';

/** A query that is never run: the loading state of rows whose query has not answered yet. */
const LADDAR = Query.create('select 1 where false', () => [], {
	id: 'rader-laddar',
	noResolve: true,
	disableCache: true,
	autoScore: false
});

/**
 * The rows of `data` (a page query) that `filter` keeps (it also gets all the rows), sorted by
 * `sort` (a stable sort of the query's order), made by `map`, with Evidence's column types (charts read them): the query's, or
 * `kolumner` ([name, 'string' | 'number' | 'date' | 'boolean']) for the columns `map` makes.
 * While the query is loading: a query that never loads (`LADDAR`), so that a component shows
 * its loading state, never the query's own rows and columns; when it has failed: the query, so
 * that the component shows the error.
 * @param {unknown} data
 * @param {{
 *   filter?: (row: Record<string, any>, all: Record<string, any>[]) => boolean,
 *   map?: (row: Record<string, any>) => Record<string, any>,
 *   sort?: (a: Record<string, any>, b: Record<string, any>) => number,
 *   kolumner?: [string, string][]
 * }} [urval]
 */
export function rader(data, { filter, map, sort, kolumner } = {}) {
	if (!data) return [];
	if (Query.isQuery(data) && data.error) return data;
	if (Query.isQuery(data) && !data.dataLoaded) return LADDAR;
	const all = Array.from(data);
	let rows = filter ? all.filter((row) => filter(row, all)) : all;
	if (sort) rows = [...rows].sort(sort);
	if (map) rows = rows.map(map);
	const types = kolumner
		? kolumner.map(([name, evidenceType]) => ({ name, evidenceType, typeFidelity: 'precise' }))
		: data._evidenceColumnTypes;
	if (types) Object.defineProperty(rows, '_evidenceColumnTypes', { value: types });
	return rows;
}

/** Compares rows by the given columns in turn (ascending; dates and numbers by value). */
export const ordning =
	(...kolumner) =>
	(a, b) => {
		for (const k of kolumner) {
			const x = a[k] instanceof Date ? a[k].getTime() : a[k];
			const y = b[k] instanceof Date ? b[k].getTime() : b[k];
			if (x < y) return -1;
			if (x > y) return 1;
		}
		return 0;
	};

/**
 * How many of `data`'s rows meet each condition: { name: count } (0 while it is loading).
 * @param {unknown} data
 * @param {Record<string, (row: Record<string, any>) => boolean>} villkor
 */
export function antal(data, villkor) {
	const rows = rader(data);
	const alla = Array.isArray(rows) ? rows : [];
	return Object.fromEntries(Object.entries(villkor).map(([k, f]) => [k, alla.filter(f).length]));
}
