import { DeviceLocation } from '@signoff/contracts';
import { locationChange } from './location-change';

const at = (city: string | null, region: string | null, country: string | null): DeviceLocation => ({ country, region, city });
const lisbon = at('Lisbon', 'Lisbon', 'PT');
const porto = at('Porto', 'Porto', 'PT');
const unknown = at(null, null, null);

describe('locationChange', () => {
  it('tells a move between two known places, a region named like its city said once', () => {
    expect(locationChange(lisbon, porto)).toBe('Lisbon, PT → Porto, PT');
    expect(locationChange(at('Mountain View', 'California', 'US'), at('Sydney', 'New South Wales', 'AU'))).toBe(
      'Mountain View, California, US → Sydney, New South Wales, AU',
    );
  });

  it('tells a move that only the region or the city shows, with what is known', () => {
    expect(locationChange(at(null, null, 'US'), at(null, 'Texas', 'US'))).toBe('US → Texas, US');
    expect(locationChange(at('Springfield', 'Illinois', 'US'), at('Springfield', 'Missouri', 'US'))).toBe(
      'Springfield, Illinois, US → Springfield, Missouri, US',
    );
  });

  it('says nothing for the same place, a first known place, or a place that became unknown', () => {
    expect(locationChange(lisbon, { ...lisbon })).toBeNull();
    expect(locationChange(unknown, lisbon)).toBeNull();
    expect(locationChange(lisbon, unknown)).toBeNull();
  });
});
