// Swedish number formats for the custom components, the same as the pages' format tags
// (.evidence/customization/custom-formatting.json): Evidence's formatValue with the ssf
// codes, and the SV-LOCALE-PATCH turns them into Swedish separators ("1 234,5", "0,62 %").
import { formatValue } from '@evidence-dev/component-utilities/formatting';

export const FORMAT_CODES = {
	andel1: '0.0%',
	andel2: '0.00%',
	tal0: '#,##0',
	tal1: '#,##0.0',
	kr: '#,##0" kr"'
};

/** Formats a number with a format tag; null/undefined gives null (the caller decides). */
export function formatera(value, tag) {
	if (value === null || value === undefined || Number.isNaN(value)) return null;
	const formatCode = FORMAT_CODES[tag] ?? FORMAT_CODES.tal1;
	return formatValue(Number(value), { formatTag: 'custom', formatCode, valueType: 'number' });
}

/** The displayed number as plain text for Swedish Excel: no unit, no thousands separator. */
export function somExceltal(formatted) {
	if (formatted === null) return '';
	return formatted
		.replace(/\s*(kr|%)$/u, '')
		.replace(/[\u00a0\u202f ]/gu, '');
}

export const ENHET_TEXT = { andel: '%', kr: 'kr', antal: 'antal', index: 'index' };

export const STATUS = {
	uppfylls: { text: 'Uppfylls', symbol: '●', klass: 'uppfylls' },
	uppfylls_delvis: { text: 'Uppfylls delvis', symbol: '◐', klass: 'delvis' },
	uppfylls_ej: { text: 'Uppfylls ej', symbol: '○', klass: 'ej' }
};

export const PERIOD_NAMN = {
	T1: 'T1 (januari–april)',
	T2: 'T2 (januari–augusti)',
	VB: 'VB (januari–december)'
};
