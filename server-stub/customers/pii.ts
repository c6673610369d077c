/**
 * Personal identifiers that never enter the store (PIPL; DESIGN.md "Finance and regulation"): a
 * column holding one is refused whole, named, with the reason. A column declared hashed is the one
 * way to bring such an identifier in, and its values must then look like a hash.
 */

/** Mainland resident ID (GB 11643): 17 digits and an ISO 7064 MOD 11-2 check character. */
export function isResidentId(s: string): boolean {
  if (s.length !== 18 || !/^\d{17}[\dXx]$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (s.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK[sum % 11] === s[17]!.toUpperCase();
}
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** A mainland mobile number, with or without +86 and separators. */
export const isMobile = (s: string): boolean => /^(?:\+?86)?1[3-9]\d{9}$/.test(s.replace(/[\s-]/g, ''));

/** A payment card number: 13–19 digits (separators allowed) passing the Luhn check. */
export function isCardNumber(s: string): boolean {
  const d = s.replace(/[\s-]/g, '');
  if (d.length < 13 || d.length > 19 || !/^\d+$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let v = d.charCodeAt(d.length - 1 - i) - 48;
    if (i % 2 === 1 && (v *= 2) > 9) v -= 9;
    sum += v;
  }
  return sum % 10 === 0;
}

/** What a value looks like, if it looks like a personal identifier; undefined otherwise. Cheap on ordinary values. */
export function personalKind(value: string): 'resident ID number' | 'mobile number' | 'bank card number' | undefined {
  // every identifier has 11+ digits: anything shorter is settled by its length
  if (value.length < 11 || value.length > 24) return undefined;
  if (isResidentId(value)) return 'resident ID number';
  if (isMobile(value)) return 'mobile number';
  if (isCardNumber(value)) return 'bank card number';
  return undefined;
}

/** A declared-hashed column's value: hex of 128 to 512 bits (MD5 … SHA-512), as the bank's pipeline writes it. */
export const looksHashed = (value: string): boolean => /^[0-9a-fA-F]{32,128}$/.test(value);
