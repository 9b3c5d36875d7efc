/** A command line that cannot be split (an unterminated quote). */
export class CommandLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandLineError";
  }
}

/**
 * Splits a command line into words the way a POSIX shell would, without running one: blanks
 * separate words, single quotes keep text literally, double quotes keep blanks and honour `\"`,
 * `\\`, `\$` and `` \` ``, a backslash outside quotes escapes the next character. No variable
 * expansion, globbing or pipes (as ContextForge's `shlex.split`).
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line.charAt(i);
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === "\\" && i + 1 < line.length && '"\\$`'.includes(line.charAt(i + 1)))
        word += line.charAt(++i);
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === "\\") {
      if (i + 1 < line.length) word += line.charAt(++i);
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new CommandLineError(`unterminated ${quote} quote in the command line`);
  if (inWord) words.push(word);
  return words;
}
