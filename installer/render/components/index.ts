// Every component of the platform. Each builder lives in its own module and returns a Component
// (or null when the inventory does not ask for it).
import type { ComponentBuilder } from '../model.ts';

export const BUILDERS: ComponentBuilder[] = [
];
