// The CLI's option parser. node:util parseArgs refuses `--mean -6.8` as ambiguous (a value that looks like an
// option), yet AudioSet-style means are negative and `--help` shows `--mean X`: here an option that takes a
// value always takes the next argument, whatever it starts with. Both `--opt V` and `--opt=V` work.

/** An option of one command: `value` is the placeholder `--help` shows (`--out DIR`); without it, a flag. */
export interface OptionSpec {
  readonly value?: string;
  readonly short?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface ParsedArgs {
  /** The option's value, `true` for a given flag; absent when not given (the last occurrence wins). */
  readonly values: Readonly<Record<string, string | true | undefined>>;
  readonly positionals: readonly string[];
}

/** A usage mistake, its message naming the option and the forms that would have been accepted. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseCommandArgs(args: readonly string[], specs: OptionSpecs): ParsedArgs {
  const values: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const written = eq > 0 ? arg.slice(0, eq) : arg;
    const name = optionName(written, specs);
    if (name === undefined) throw new UsageError(`unknown option ${written}; accepted: ${acceptedForms(specs)}`);
    const spec = specs[name]!;
    if (spec.value === undefined) {
      if (eq > 0) throw new UsageError(`${written} takes no value, got "${arg}"; write ${written} alone`);
      values[name] = true;
    } else if (eq > 0) {
      values[name] = arg.slice(eq + 1);
    } else if (i + 1 < args.length) {
      values[name] = args[++i]!;
    } else {
      throw new UsageError(`${written} needs a value: ${written} ${spec.value} or ${written}=${spec.value}`);
    }
  }
  return { values, positionals };
}

function optionName(written: string, specs: OptionSpecs): string | undefined {
  if (written.startsWith('--')) {
    const name = written.slice(2);
    return Object.hasOwn(specs, name) ? name : undefined;
  }
  const short = written.slice(1);
  return Object.keys(specs).find((name) => specs[name]!.short === short);
}

/** `--out DIR, --json, -h/--help`: what the user could have typed. */
export function acceptedForms(specs: OptionSpecs): string {
  return Object.entries(specs)
    .map(([name, spec]) => `${spec.short ? `-${spec.short}/` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`)
    .join(', ');
}
