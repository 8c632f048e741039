/** Administrative units: dated code table, lineage, name search and resolution (issue 6). */
export { AdminUnits } from './admin-units.js'
export { COMMUNE_CODE_ALIASES } from './aliases.js'
export { DONG_NAI_CHANGE_DATE, PRE_REFORM_LAST_DAY, REFORM_DATE, isIsoDate, todayInVietnam } from './dates.js'
export { asciiKey, hasDiacritics, nameKey, queryKey, sameName, stripUnitPrefix, toNfc } from './normalize.js'
export { COMMUNE_CODE, LEGACY_DISTRICT_CODE, MAX_RESOLVE_ITEMS, PROVINCE_CODE } from './resolve-input.js'
export { DEFAULT_TABLE_PATH, readTableFile, type TableFile } from './table.js'
export type * from './types.js'
