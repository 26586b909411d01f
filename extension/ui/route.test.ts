import { beforeEach, describe, expect, it } from 'vitest';
import { go, goBack, useRoute, visit } from './route.ts';

describe('route: the way back', () => {
  beforeEach(() => useRoute.setState({ screen: 'home', landing: 'home', trail: [] }));

  it('visited screens go back the way they came: home → limits → paid access → limits → home', () => {
    visit('limits');
    visit('paidAccess');
    expect(useRoute.getState().screen).toBe('paidAccess');
    goBack();
    expect(useRoute.getState().screen).toBe('limits');
    goBack();
    expect(useRoute.getState().screen).toBe('home');
  });
  it('opened from settings, limits goes back to settings', () => {
    go('settings');
    visit('limits');
    goBack();
    expect(useRoute.getState().screen).toBe('settings');
  });
  it('go starts the way back over; with nowhere to go back, the landing', () => {
    visit('limits');
    go('unlock');
    expect(useRoute.getState().trail).toEqual([]);
    useRoute.setState({ screen: 'activity', landing: 'settings' });
    goBack();
    expect(useRoute.getState().screen).toBe('settings');
  });
});
