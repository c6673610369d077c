/** The part of lunar-javascript (6tail, MIT; no types of its own) the calendar uses. */
declare module 'lunar-javascript' {
  interface Solar {
    toYmd(): string;
  }
  interface Lunar {
    getSolar(): Solar;
    getJieQiTable(): Record<string, Solar>;
  }
  export const Lunar: { fromYmd(year: number, month: number, day: number): Lunar };
}
