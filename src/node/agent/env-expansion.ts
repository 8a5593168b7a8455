// `$(VAR)` references in env values, command and args, expanded as upstream's
// third_party/forked/golang/expansion does: `$(NAME)` becomes NAME's value when NAME is defined
// and stays as written when it is not, `$$` is an escaped `$`, an unterminated `$(` and a `$`
// before any other character are kept literally.

/** Expands `input` with `lookup` (undefined: not defined, the reference stays). */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const { text, isVar, advance } = readVariable(input.slice(cursor + 1));
    out += isVar ? (lookup(text) ?? `$(${text})`) : text;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

function readVariable(rest: string): { text: string; isVar: boolean; advance: number } {
  if (rest[0] === '$') return { text: '$', isVar: false, advance: 1 };
  if (rest[0] === '(') {
    const close = rest.indexOf(')', 1);
    if (close >= 0) return { text: rest.slice(1, close), isVar: true, advance: close + 1 };
    return { text: '$(', isVar: false, advance: 1 };
  }
  return { text: `$${rest[0]}`, isVar: false, advance: 1 };
}

/** A lookup over env vars, the later entries winning. */
export function lookupIn(env: readonly { key: string; value: string }[]): (name: string) => string | undefined {
  const map = new Map(env.map((e) => [e.key, e.value]));
  return (name) => map.get(name);
}
