/**
 * Settings declarations (server.md §4): the typed declaration helper, the kinds of values, the server's own
 * table and the reference-table renderer. First-party layers (apps/api) declare their settings with the same
 * helper; exported under `@offcode/server/internal`.
 */
export {
  type ConfigInput,
  defineSettings,
  echoValue,
  type ParsedSettings,
  parseSettings,
  rawSetting,
  type SettingDeclaration,
  type SettingInit,
  type SettingKind,
  type SettingParse,
  type SettingProblem,
  type SettingsTable,
  type SettingsValues,
  setting,
  settingDefaults,
  settingError,
  settingNames,
} from './settings/declare.js';
export { base64Key, boolean, decimal, integer, listOf, oneOf, subsetOf, text } from './settings/kinds.js';
export { type DocumentedSetting, renderSettingsTable, settingsOf } from './settings/reference.js';
export { SERVER_SETTINGS } from './settings/server-settings.js';
