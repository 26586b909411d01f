import { expect, it } from 'vitest';
import { DEV_BUILD } from './dev-build.ts';

it('a build that defines nothing is a release build', () => expect(DEV_BUILD).toBe(false));
