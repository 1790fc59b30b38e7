/**
 * A problem found in a file, reported as file:line:col. Its own module, free of the YAML parser
 * and the schemas, so that a warm `list`, `show` or `validate` (answered from the scenario cache)
 * can print problems without loading either.
 */
export interface Problem {
  file: string;
  line: number;
  col: number;
  /** dotted path of the field, e.g. faults[0].params.count; empty for the whole file */
  field: string;
  message: string;
}

export const formatProblem = (p: Problem): string => `${p.file}:${p.line}:${p.col}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
