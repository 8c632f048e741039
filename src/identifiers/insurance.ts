const BHXH = /^\d{10}$/
const BHYT = /^[A-Z]{2}[1-5]\d{2}\d{10}$/

/** Social insurance code (mã số BHXH): 10 digits, opaque (no published check digit; domain.md §2.3). */
export const isSocialInsuranceCode = (value: string): boolean => BHXH.test(value)

/**
 * Health insurance card number (thẻ BHYT): 2-letter beneficiary group, benefit level 1–5, 2-digit province
 * code, then the 10-digit social insurance code.
 */
export const isHealthInsuranceCardNo = (value: string): boolean => BHYT.test(value)

/** The social insurance code carried inside a BHYT card number. */
export const socialInsuranceCodeOfCard = (cardNo: string): string => cardNo.slice(5)
