/**
 * The 63 GSO province codes in force before 1 July 2025. Personal identification numbers keep the
 * province of birth registration in their first three digits and did not change with the 2025 merger,
 * so every one of these stays a valid PIN prefix (domain.md §2.1).
 */
export const LEGACY_PROVINCE_CODES: ReadonlySet<string> = new Set([
  '01', '02', '04', '06', '08', '10', '11', '12', '14', '15', '17', '19', '20', '22', '24', '25', '26', '27',
  '30', '31', '33', '34', '35', '36', '37', '38', '40', '42', '44', '45', '46', '48', '49', '51', '52', '54',
  '56', '58', '60', '62', '64', '66', '67', '68', '70', '72', '74', '75', '77', '79', '80', '82', '83', '84',
  '86', '87', '89', '91', '92', '93', '94', '95', '96'
])
