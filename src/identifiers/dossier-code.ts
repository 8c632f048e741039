/**
 * Dossier code (mã hồ sơ, Circular 01/2018/TT-VPCP Art. 19): the receiving agency's electronic identifier,
 * the receipt date YYMMDD and a 4-digit sequence, e.g. `000.00.01.H22-250715-0001` (domain.md §1.5).
 */
export const DOSSIER_CODE = /^(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})-(\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])-(\d{4})$/

/** Agency electronic identifier (QCVN 102:2016), e.g. `000.00.00.H29`. */
export const AGENCY_ID = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/

/** National procedure code `d.dddddd`, optionally localised with an agency id and a 2-digit online-service suffix. */
export const PROCEDURE_CODE = /^\d\.\d{6}(?:\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}(?:\.\d{2})?)?$/

export const isDossierCode = (value: string): boolean => DOSSIER_CODE.test(value)
