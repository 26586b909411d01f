/**
 * An LNURL service's own words (LUD-01 `reason`), fit to be shown inside Satnav's: on one line,
 * without control, format or direction characters (they could break the lines around it or
 * reorder it to read as Satnav's own text), at most `max` characters (an emoji kept whole,
 * an ellipsis when cut). May come back empty.
 */
export function serviceText(text: string, max: number): string {
  const line = text
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\p{Cf}/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(line);
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}
