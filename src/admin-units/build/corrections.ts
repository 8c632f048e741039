/**
 * Corrections to dvhcvn's lineage (its mapping was extracted with an LLM, domain.md §3.2).
 *
 * Found by comparing dvhcvn with the vietnamadminunits CSV: of the 7 old communes on which the two
 * disagree completely, 5 are name confusions in dvhcvn. In each, dvhcvn sends the old commune to a new
 * commune whose other predecessors all lie in another old district (or province), next to a same-named
 * unit, while the CSV keeps it with its neighbours; 23710 also breaks the code rule (a new commune keeps
 * the code of the old commune whose seat it keeps, so old 23710 must be in new 23710). The other two are
 * the Ia Mơ alias (23938) and 27739 Xã Vĩnh Thạnh, where dvhcvn (new Xã Vĩnh Thạnh, same district) is
 * as plausible as the CSV and is kept.
 *
 * The build fails if dvhcvn no longer says `dvhcvn`, so a fixed upstream release is noticed.
 */
export interface LineageCorrection {
  /** The target in dvhcvn splits.json, replaced. */
  dvhcvn: string
  /** The target used instead (the CSV's), as one `full` link. */
  to: string
  why: string
}

export const LINEAGE_CORRECTIONS: Readonly<Record<string, LineageCorrection>> = {
  13768: {
    dvhcvn: '13669',
    to: '13753',
    why: 'Xã Quang Trung (Vụ Bản, Nam Định) → Xã Hiển Khánh, not Phường Nam Định (whose Phường Quang Trung is another unit)'
  },
  23521: {
    dvhcvn: '23425',
    to: '23500',
    why: 'Xã Hà Mòn (Đăk Hà, Kon Tum) → Xã Đăk Hà (23500), not 23425 (old Xã Đắk Hà of Tu Mơ Rông, now Xã Tu Mơ Rông)'
  },
  23710: {
    dvhcvn: '23869',
    to: '23710',
    why: 'Xã A Dơk (Đak Đoa, Gia Lai) → Xã Ia Băng, which kept its code 23710; not Xã Ia Dơk (Đức Cơ)'
  },
  30622: {
    dvhcvn: '30259',
    to: '30604',
    why: 'Xã Tân Phú (Châu Thành, An Giang) → Xã Vĩnh An (An Giang), not Xã Tân Phú Trung in Đồng Tháp'
  },
  31771: {
    dvhcvn: '31232',
    to: '31777',
    why: 'Xã Vĩnh Thành (Thạnh Trị, Sóc Trăng) → Xã Vĩnh Lợi, not Xã Vĩnh Thạnh (old Vĩnh Thạnh district of Cần Thơ)'
  }
}
