import type { Command } from 'commander';

/** Every command, in the order `--help` lists them. Each file defines options and help, and loads its code lazily. */
export function registerCommands(program: Command): void {
  void program;
}
