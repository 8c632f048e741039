/**
 * Commune codes on which the sources disagree (domain.md §3.3), kept as aliases until checked against the
 * annex of Decision 19/2025/QĐ-TTg or danhmuchanhchinh.nso.gov.vn.
 *
 * The table's canonical codes are those of the NSO web service (thanglequoc, both the 2025-07 and the
 * 2026-07 releases), because the NSO service is the authoritative online list and the rest of the table is
 * built from it. The codes of Công văn 1027/CTK-CSCL (also used by dvhcvn) are aliases: on or after
 * 2025-07-01 (or without a date) they resolve to the canonical commune. Before 2025-07-01 both codes keep
 * their own pre-reform meaning and are translated through the lineage like any other old code.
 */
import type { CodeAlias } from './types.js'

export const COMMUNE_CODE_ALIASES: readonly CodeAlias[] = [
  {
    code: '06970',
    canonical: '06978',
    note: 'Xã Ba Chẽ (Quảng Ninh): 06970 in Công văn 1027/CTK-CSCL, dvhcvn and cas.so; 06978 in the NSO web ' +
      'service (thanglequoc). Before 2025-07-01, 06970 was Thị trấn Ba Chẽ.'
  },
  {
    code: '23737',
    canonical: '23938',
    note: 'Xã Ia Mơ (Gia Lai): 23737 in Công văn 1027/CTK-CSCL and dvhcvn; 23938 in the NSO web service ' +
      '(thanglequoc) and cas.so. Before 2025-07-01, 23737 was Xã Ia Mơ Nông (now in Xã Ia Ly) and 23938 was Xã Ia Mơ.'
  }
]
