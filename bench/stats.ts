/** Small helpers shared by the bench's figures. */
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
export const ms = (n: number): string => `${n.toFixed(1)} ms`;
