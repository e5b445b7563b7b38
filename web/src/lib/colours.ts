// Themes (dark/light), colour schemes (classic, colour-blind safe, monochrome) and the colour of a footprint
// cell by display mode, volume and imbalance. Intensities are quantized so the canvas batches fills by colour.

export type ThemeName = 'dark' | 'light';
export type SchemeName = 'classic' | 'colorblind' | 'mono';
export type DisplayMode = 'bid_ask' | 'delta' | 'volume' | 'profile';
export type Rgb = readonly [number, number, number];

export interface Theme {
  readonly name: ThemeName;
  readonly background: Rgb;
  readonly panel: string;
  readonly grid: string;
  readonly text: string;
  readonly mutedText: string;
  readonly poc: string;
  readonly nakedPoc: string;
  readonly valueArea: string;
  readonly selection: string;
}

export interface Scheme {
  readonly name: SchemeName;
  readonly label: string;
  readonly buy: Rgb;
  readonly sell: Rgb;
  readonly neutral: Rgb;
}

export const THEMES: Readonly<Record<ThemeName, Theme>> = {
  dark: {
    name: 'dark',
    background: [17, 20, 26],
    panel: '#181c24',
    grid: 'rgba(255,255,255,0.06)',
    text: '#d8dee9',
    mutedText: '#8a93a3',
    poc: '#ffd400',
    nakedPoc: '#ffd400',
    valueArea: 'rgba(120,160,255,0.14)',
    selection: '#ffffff',
  },
  light: {
    name: 'light',
    background: [250, 251, 252],
    panel: '#ffffff',
    grid: 'rgba(0,0,0,0.07)',
    text: '#1d2330',
    mutedText: '#5d6675',
    poc: '#b8860b',
    nakedPoc: '#b8860b',
    valueArea: 'rgba(40,90,220,0.10)',
    selection: '#000000',
  },
};

/** Okabe–Ito blue/orange for the colour-blind safe scheme: distinct under protan, deutan and tritan vision. */
export const SCHEMES: Readonly<Record<SchemeName, Scheme>> = {
  classic: {
    name: 'classic',
    label: 'Green / red',
    buy: [38, 166, 154],
    sell: [239, 83, 80],
    neutral: [120, 130, 150],
  },
  colorblind: {
    name: 'colorblind',
    label: 'Blue / orange (colour-blind safe)',
    buy: [0, 114, 178],
    sell: [230, 159, 0],
    neutral: [128, 128, 128],
  },
  mono: {
    name: 'mono',
    label: 'Monochrome',
    buy: [90, 140, 255],
    sell: [90, 140, 255],
    neutral: [150, 150, 150],
  },
};

export const INTENSITY_LEVELS = 8;

/**
 * Intensity level 0..INTENSITY_LEVELS of `value` on a scale topping at `max`: 0 for nothing (value ≤ 0 or an
 * empty scale), otherwise at least 1 so any traded cell is visible, ceil so the top value gets the top level.
 */
export function intensityLevel(value: number, max: number): number {
  if (!(value > 0) || !(max > 0)) return 0;
  return Math.min(INTENSITY_LEVELS, Math.max(1, Math.ceil((value / max) * INTENSITY_LEVELS)));
}

/** `t` of the way from `bg` to `fg`, as a CSS colour. */
export function mix(bg: Rgb, fg: Rgb, t: number): string {
  const c = (i: 0 | 1 | 2): number => Math.round(bg[i] + (fg[i] - bg[i]) * t);
  return `rgb(${c(0)},${c(1)},${c(2)})`;
}

export const rgb = (c: Rgb): string => `rgb(${c[0]},${c[1]},${c[2]})`;

/** Relative luminance (sRGB, WCAG), to pick readable text on a fill. */
export function luminance(c: Rgb): number {
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

export interface CellInput {
  readonly buy: number;
  readonly sell: number;
  readonly imbalance: 'buy' | 'sell' | 'both' | null;
}

export interface CellStyle {
  /** Fill colour of the cell background. */
  readonly fill: string;
  /** Colour of the cell's text. */
  readonly text: string;
  /** Outline colour for an imbalanced cell, else null. */
  readonly outline: string | null;
  /** Level used (for tests and legends). */
  readonly level: number;
  /** Which hue the fill took. */
  readonly hue: 'buy' | 'sell' | 'neutral' | 'none';
}

const FILL_FLOOR = 0.12;
const mixRgb = (bg: Rgb, fg: Rgb, t: number): Rgb => [
  Math.round(bg[0] + (fg[0] - bg[0]) * t),
  Math.round(bg[1] + (fg[1] - bg[1]) * t),
  Math.round(bg[2] + (fg[2] - bg[2]) * t),
];

/**
 * Colour of a cell. `scaleMax` is the largest cell volume in view. volume/profile modes: neutral hue by total
 * volume. delta and bid×ask modes: the hue of the delta's sign (neutral at zero), intensity |delta|/scaleMax.
 * An imbalanced cell (any mode) takes its side's hue at full intensity and an outline; "both" sides take the
 * neutral hue at full intensity.
 */
export function cellStyle(
  cell: CellInput,
  mode: DisplayMode,
  scheme: Scheme,
  theme: Theme,
  scaleMax: number,
): CellStyle {
  let hue: CellStyle['hue'];
  let level: number;
  if (cell.imbalance !== null) {
    hue = cell.imbalance === 'both' ? 'neutral' : cell.imbalance;
    level = INTENSITY_LEVELS;
  } else if (mode === 'volume' || mode === 'profile') {
    level = intensityLevel(cell.buy + cell.sell, scaleMax);
    hue = level === 0 ? 'none' : 'neutral';
  } else {
    const d = cell.buy - cell.sell;
    level = intensityLevel(Math.abs(d), scaleMax);
    hue = d > 0 ? 'buy' : d < 0 ? 'sell' : 'neutral';
    if (d === 0) level = intensityLevel(cell.buy + cell.sell, scaleMax) === 0 ? 0 : 1;
    if (level === 0) hue = 'none';
  }
  // Few distinct styles exist (hue × level × outline): build each once, so a frame of thousands of cells
  // allocates no colour strings.
  const key = `${scheme.name}|${theme.name}|${hue}|${level}|${cell.imbalance ?? ''}`;
  let st = STYLE_CACHE.get(key);
  if (st === undefined) {
    const fg = hue === 'buy' ? scheme.buy : hue === 'sell' ? scheme.sell : scheme.neutral;
    const t = level === 0 ? 0 : FILL_FLOOR + ((1 - FILL_FLOOR) * level) / INTENSITY_LEVELS;
    const fillRgb = mixRgb(theme.background, fg, t);
    const text = luminance(fillRgb) > 0.4 ? '#000000' : '#ffffff';
    const outline =
      cell.imbalance === null
        ? null
        : rgb(
            cell.imbalance === 'sell' ? scheme.sell : cell.imbalance === 'buy' ? scheme.buy : scheme.neutral,
          );
    st = { fill: rgb(fillRgb), text, outline, level, hue };
    STYLE_CACHE.set(key, st);
  }
  return st;
}

const STYLE_CACHE = new Map<string, CellStyle>();
