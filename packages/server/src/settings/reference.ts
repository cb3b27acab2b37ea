/**
 * The settings reference (docs/settings.md): one Markdown table per owner, generated from the declarations so
 * the documented names, types, ranges and defaults are the parsed ones.
 */
import type { SettingDeclaration, SettingsTable } from './declare.js';

/** A setting that is documented but parsed by its owner itself (command line and development switches). */
export interface DocumentedSetting {
  name: string;
  owner: string;
  describe: string;
  defaultText: string;
  meaning: string;
  secret?: boolean;
}

type Row = Pick<DocumentedSetting, 'name' | 'describe' | 'defaultText' | 'meaning'> & {
  secret: boolean;
  aliases: readonly string[];
};

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
// Kinds already escape their own pipes (`off` \| `record`).
const typeCell = (text: string): string => text.replace(/\n/g, ' ');

function fromDeclaration(d: SettingDeclaration<unknown>): Row {
  return {
    name: d.name,
    describe: d.kind.describe,
    defaultText: d.defaultText,
    meaning: d.meaning,
    secret: d.secret,
    aliases: d.aliases,
  };
}

/** The Markdown table of some settings (name, type and range, default, secret, meaning). */
export function renderSettingsTable(
  rows: readonly (SettingDeclaration<unknown> | DocumentedSetting)[],
): string {
  const lines = ['| setting | type and range | default | secret | meaning |', '|---|---|---|---|---|'];
  for (const r of rows) {
    const row: Row =
      'kind' in r ? fromDeclaration(r) : { ...r, secret: r.secret ?? false, aliases: [] as string[] };
    const name = `\`${row.name}\`${row.aliases.map((a) => ` (fallback \`${a}\`)`).join('')}`;
    lines.push(
      `| ${name} | ${typeCell(row.describe)} | ${cell(row.defaultText)} | ${row.secret ? 'yes' : ''} | ${cell(row.meaning)} |`,
    );
  }
  return lines.join('\n');
}

/** The declarations of a table, in declaration order. */
export const settingsOf = (table: SettingsTable): SettingDeclaration<unknown>[] => Object.values(table);
