import type { DrillSummary } from '../core/summary.js';

export const renderJson = (s: DrillSummary): string => `${JSON.stringify({ reportVersion: 1, ...s }, null, 2)}\n`;
