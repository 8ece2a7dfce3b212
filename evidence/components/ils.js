// The ILS table as data: one row per indicator with its cells formatted as the page shows
// them, and the two downloads built from the same rows (CSV for Swedish Excel and .xlsx).
// Nothing here fetches anything: the files are made in the browser, offline.
import { formatera, somExceltal, ENHET_TEXT, STATUS } from './format.js';
import { xlsxFil } from './xlsx.js';

export const DOLD_NOT = 'färre än 5';
export const STRECK = '–';
// A value hidden although it rests on 5 or more: hidden as a complement, so that a hidden value
// of its sum (alla = kvinnor + män, the city = its districts …) cannot be computed (Metod, rule 10).
export const KOMPLEMENT_NOT = 'dold';
export const KOMPLEMENT_TEXT =
	'dold för att en annan uppgift, som bygger på färre än 5, inte ska kunna räknas fram ur de visade';

export const KOLUMNER = [
	{ id: 'utfall', titel: 'Periodens utfall' },
	{ id: 'man', titel: 'Män' },
	{ id: 'kvinnor', titel: 'Kvinnor' },
	{ id: 'fg_ar', titel: 'Utfall VB föregående år' },
	{ id: 'arsmal', titel: 'Årsmål' },
	{ id: 'kf_arsmal', titel: 'KF:s årsmål' }
];

/**
 * A cell: `typ` is 'varde' (a number), 'dold' (suppressed: `komplement` false when it rests on
 * fewer than 5, true when it is hidden as a complement), 'saknas' (no value: nothing to count, or
 * no target) or 'ej_kon' (the indicator is not split by gender).
 */
function cell(value, dold, fmt, ejKon = false, orsak = null) {
	if (ejKon) return { typ: 'ej_kon', value: null, text: '' };
	if (dold) {
		const komplement = orsak === 'komplementar';
		return { typ: 'dold', komplement, value: null, text: STRECK };
	}
	if (value === null || value === undefined) return { typ: 'saknas', value: null, text: '' };
	return { typ: 'varde', value: Number(value), text: formatera(value, fmt) };
}

/** Rows of the `ils` page query to ILS rows with formatted cells. */
export function ilsRader(rows) {
	return Array.from(rows ?? []).map((r) => {
		const ejKon = !r.kon_uppdelad;
		const celler = {
			utfall: cell(r.utfall, r.utfall_dold, r.fmt, false, r.utfall_orsak),
			man: cell(r.man, r.man_dold, r.fmt, ejKon, r.man_orsak),
			kvinnor: cell(r.kvinnor, r.kvinnor_dold, r.fmt, ejKon, r.kvinnor_orsak),
			fg_ar: cell(r.fg_ar, r.fg_ar_dold, r.fmt, false, r.fg_ar_orsak),
			arsmal: cell(r.arsmal, false, r.fmt),
			kf_arsmal: cell(r.kf_arsmal, false, r.fmt)
		};
		const status = r.utfall_dold ? null : (STATUS[r.status] ?? null);
		let statusText = status?.text ?? '';
		if (r.utfall_dold) statusText = STRECK;
		else if (!status && r.utfall === null) statusText = 'Inget utfall';
		else if (!status && r.arsmal === null) statusText = 'Inget årsmål';
		else if (!status) statusText = 'Bedöms inte';
		const noter = [];
		const dolda = Object.values(celler).filter((c) => c.typ === 'dold');
		if (dolda.some((c) => !c.komplement)) {
			noter.push(`${STRECK} = ${DOLD_NOT} personer, redovisas inte`);
		}
		if (dolda.some((c) => c.komplement)) {
			noter.push(`${STRECK} ${KOMPLEMENT_NOT} = ${KOMPLEMENT_TEXT}`);
		}
		if (ejKon) noter.push('Redovisas inte per kön');
		if (r.utfall === null && !r.utfall_dold) noter.push('Inget att räkna på i perioden');
		return {
			kod: r.kod,
			indikator: r.indikator,
			enhet: r.enhet,
			fmt: r.fmt,
			celler,
			status,
			statusText,
			anmarkning: noter.join('; ')
		};
	});
}

/** File name without extension, e.g. ILS_2025_T2_Bromma. */
export function filnamn(meta) {
	const omrade = String(meta.omrade ?? '')
		.trim()
		.replace(/[\\/:*?"<>|]+/g, '')
		.replace(/\s+/g, '_');
	return `ILS_${meta.ar}_${meta.period}_${omrade}`;
}

export const EXPORT_RUBRIKER = [
	'Indikator',
	'Periodens utfall',
	'Män',
	'Kvinnor',
	'Utfall VB föregående år',
	'Årsmål',
	'KF:s årsmål',
	'Status',
	'Enhet',
	'Period',
	'Område',
	'Kod',
	'Anmärkning'
];

function csvFalt(text) {
	const s = String(text ?? '');
	return /[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV for Swedish Excel: `;` between fields, decimal comma, UTF-8 with BOM, CRLF. Numbers are
 * the figures the page shows (shares in per cent, without the % sign; see the Enhet column);
 * a suppressed cell is "–".
 */
export function ilsCsv(rader, meta) {
	const lines = [EXPORT_RUBRIKER.map(csvFalt).join(';')];
	for (const r of rader) {
		const tal = KOLUMNER.map(({ id }) => {
			const c = r.celler[id];
			return c.typ === 'varde' ? somExceltal(c.text) : c.typ === 'dold' ? STRECK : '';
		});
		lines.push(
			[
				r.indikator,
				...tal,
				r.statusText,
				ENHET_TEXT[r.enhet] ?? r.enhet,
				meta.periodNamn ?? meta.period,
				meta.omrade,
				r.kod,
				r.anmarkning
			]
				.map(csvFalt)
				.join(';')
		);
	}
	return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

const XLSX_FORMAT = { andel2: 'andel', andel1: 'andel', kr: 'kr', tal0: 'tal0', tal1: 'tal1' };

/** The same table as a real Excel workbook: numbers are numbers with a number format. */
export function ilsXlsx(rader, meta) {
	const rubrik = `ILS-export: ${meta.omrade}, ${meta.periodNamn ?? meta.period} ${meta.ar}`;
	const rows = [
		[{ text: rubrik, stil: 'rubrik' }],
		[{ text: meta.kalla ?? '' }],
		[],
		EXPORT_RUBRIKER.map((text) => ({ text, stil: 'fet' }))
	];
	for (const r of rader) {
		const stil = XLSX_FORMAT[r.fmt] ?? 'tal1';
		rows.push([
			{ text: r.indikator },
			...KOLUMNER.map(({ id }) => {
				const c = r.celler[id];
				if (c.typ === 'varde') return { tal: c.value, stil };
				if (c.typ === 'dold') return { text: STRECK, stil: 'hoger' };
				return null;
			}),
			{ text: r.statusText },
			{ text: ENHET_TEXT[r.enhet] ?? r.enhet },
			{ text: meta.periodNamn ?? meta.period },
			{ text: meta.omrade },
			{ text: r.kod },
			{ text: r.anmarkning }
		]);
	}
	rows.push([]);
	rows.push([{ text: `${STRECK} = ${DOLD_NOT} personer: värdet redovisas inte.` }]);
	rows.push([{ text: `${STRECK} ${KOMPLEMENT_NOT} = ${KOMPLEMENT_TEXT}.` }]);
	return xlsxFil({
		blad: 'ILS',
		rows,
		kolumnbredder: [60, 16, 12, 12, 22, 12, 12, 16, 8, 22, 30, 24, 50]
	});
}

/** Offers bytes or text as a file download (works offline: a blob URL). */
export function laddaNer(innehall, namn, typ) {
	const blob = new Blob([innehall], { type: typ });
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = namn;
	document.body.appendChild(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10000);
}
