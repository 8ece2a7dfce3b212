// A selection (year, period, area) carried in the address after '#', so that a link from the
// ILS table opens the indicator page on the same year, period and area, and a view can be
// shared: #ar=2025&period=T2&omrade=BRO&omradenamn=Bromma. Only the browser reads it (the
// prerendered page shows the default view); the hash never reaches a server.
import { browser } from '$app/environment';
import { page } from '$app/stores';
import { get } from 'svelte/store';
import { getInputContext } from '@evidence-dev/sdk/utils/svelte';
import { duckdbSerialize } from '@evidence-dev/sdk/usql';
import { PERIOD_NAMN } from './format.js';

/** The link's hash for a selection. */
export function urvalHash({ ar, period, omrade, omradenamn }) {
	const p = new URLSearchParams();
	if (ar) p.set('ar', String(ar));
	if (period) p.set('period', String(period));
	if (omrade) p.set('omrade', String(omrade));
	if (omradenamn) p.set('omradenamn', String(omradenamn));
	const s = p.toString();
	return s ? `#${s}` : '';
}

function forval(inputs, name, value, label) {
	inputs[name] = {
		label,
		value: duckdbSerialize(value, { serializeStrings: false }),
		rawValues: [{ value, label, selected: true, idx: -1, __auto: true }]
	};
}

/** The selection in an address's hash, or null when it is not complete. */
export function urvalIAdress(hash) {
	const p = new URLSearchParams(String(hash ?? '').replace(/^#/, ''));
	const ar = Number(p.get('ar'));
	const period = p.get('period');
	const omrade = p.get('omrade');
	const omradenamn = p.get('omradenamn');
	if (!Number.isInteger(ar) || !PERIOD_NAMN[period] || !omrade || !omradenamn) return null;
	return { ar, period, omrade, omradenamn };
}

/**
 * Forgets the prerendered query results of a page opened with a selection in its address (call
 * it in the layout, before the page is created). Evidence hands a page the results its queries
 * had at build time (the default view) and gives them to the first query text that has every
 * input set, whatever the inputs are: with a preset view that would show the default view's
 * numbers under the preset's headings. Without them every query runs in the browser.
 */
export function glomForrenderat(pageData) {
	const prerendered = pageData?.data;
	if (!prerendered || typeof prerendered !== 'object') return;
	for (const key of Object.keys(prerendered)) delete prerendered[key];
}

/**
 * Presets the page's Dropdowns `ar`, `period` and `omrade` from the address, before they are
 * created (call it in the page's script). Does nothing without a complete selection.
 */
export function forvaljFranAdress() {
	if (!browser) return;
	// The page store, not window.location: on a client-side navigation the new page is created
	// before the browser's address changes.
	const urval = urvalIAdress(get(page).url.hash);
	if (!urval) return;
	const { ar, period, omrade, omradenamn } = urval;
	const store = getInputContext();
	store.update(($inputs) => {
		forval($inputs, 'ar', ar, String(ar));
		forval($inputs, 'period', period, PERIOD_NAMN[period]);
		forval($inputs, 'omrade', omrade, omradenamn);
		return $inputs;
	});
}
