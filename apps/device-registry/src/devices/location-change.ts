import { DeviceLocation } from '@signoff/contracts';

/**
 * The history detail for a device seen somewhere else than before ("Lisbon, PT → Porto, PT"),
 * or null when there is no change to tell: the places are equal, or either one is unknown (an
 * address no database places is not a move, and a first known place is not a change).
 */
export function locationChange(previous: DeviceLocation, next: DeviceLocation): string | null {
  if (!isKnown(previous) || !isKnown(next)) return null;
  if (previous.country === next.country && previous.region === next.region && previous.city === next.city) return null;
  return `${describe(previous)} → ${describe(next)}`;
}

function isKnown(location: DeviceLocation): boolean {
  return location.country !== null || location.region !== null || location.city !== null;
}

/** City, region, country; a region named like its city is said once ("Lisbon, PT"). */
function describe(location: DeviceLocation): string {
  const parts = [location.city, location.region, location.country].filter((part): part is string => part !== null);
  return parts.filter((part, i) => i === 0 || part !== parts[i - 1]).join(', ');
}
