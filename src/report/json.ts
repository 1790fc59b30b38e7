import type { DrillSummary } from '../drill/summary.js';

export const renderJson = (s: DrillSummary): string => `${JSON.stringify({ reportVersion: 1, ...s }, null, 2)}\n`;
