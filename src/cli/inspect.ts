// Placeholder until this command lands; replaced by its owner.
export async function runInspect(_args: string[]): Promise<number> {
  process.stderr.write('not implemented yet\n');
  return 2;
}
