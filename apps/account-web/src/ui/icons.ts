import type { DeviceType } from '@signoff/contracts';

const SVG = 'http://www.w3.org/2000/svg';

/** Outline paths (24×24, stroke) drawn for this page: one per device type. */
const PATHS: Record<DeviceType, string[]> = {
  tv: ['M3 5h18v11H3z', 'M8 20h8', 'M12 16v4'],
  phone: ['M7 2h10v20H7z', 'M11 18h2'],
  tablet: ['M4 3h16v18H4z', 'M11 17h2'],
  computer: ['M4 4h16v11H4z', 'M2 19h20', 'M9 15l-1 4', 'M15 15l1 4'],
  browser: ['M3 4h18v16H3z', 'M3 8h18', 'M6 6h.01', 'M9 6h.01'],
  console: ['M6 8h12a4 4 0 0 1 4 4v2a3 3 0 0 1-5 2l-2-2H9l-2 2a3 3 0 0 1-5-2v-2a4 4 0 0 1 4-4z', 'M7 11v3', 'M5.5 12.5h3', 'M16 12h.01', 'M18 13.5h.01'],
  streaming_stick: ['M9 3h6v13H9z', 'M10 16v5h4v-5', 'M12 6h.01'],
  other: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.7v.5', 'M12 17h.01'],
};

/** The device type's icon; decorative (the row says the type in words too). */
export function deviceIcon(type: DeviceType): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', `device-icon device-icon-${type}`);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of PATHS[type] ?? PATHS.other) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}
