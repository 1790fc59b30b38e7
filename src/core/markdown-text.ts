/**
 * Markdown as terminal text (pure): what `gameday runbook` prints. Headings bold (the first one
 * also underlined with ═/─), fenced code indented and coloured as commands, `inline code`
 * coloured, **bold** bold, list bullets as •, links as "text (url)". Colour comes from the
 * caller's styles, so NO_COLOR and pipes get plain text with the same layout.
 */
export interface TextStyles {
  bold(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  yellow(s: string): string;
}

const inline = (line: string, st: TextStyles): string =>
  line
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, (_m, text: string, url: string) => `${text} ${st.dim(`(${url})`)}`)
    .replace(/`([^`]+)`/g, (_m, code: string) => st.cyan(code))
    .replace(/\*\*([^*]+)\*\*/g, (_m, b: string) => st.bold(b));

export function markdownToText(lines: readonly string[], st: TextStyles, width = 80): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const raw of lines) {
    if (/^\s*(```|~~~)/.test(raw)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) {
      out.push(`    ${st.cyan(raw)}`);
      continue;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(raw);
    if (h) {
      const level = h[1]!.length;
      const text = h[2]!;
      if (out.length && out[out.length - 1] !== '') out.push('');
      out.push(level <= 2 ? st.bold(st.yellow(text)) : st.bold(text));
      if (level <= 2) out.push(st.dim((level === 1 ? '═' : '─').repeat(Math.min(width, Math.max(3, text.length)))));
      continue;
    }
    const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(raw);
    if (bullet) {
      out.push(`${bullet[1]}  • ${inline(bullet[2]!, st)}`);
      continue;
    }
    out.push(inline(raw, st));
  }
  while (out.length && out[out.length - 1]!.trim() === '') out.pop();
  return out;
}
