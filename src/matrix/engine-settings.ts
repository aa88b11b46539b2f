import type { EngineSettings } from './types.js';
import type { Field, YamlReader } from './yaml-reader.js';

export const ENGINE_KEYS = ['rootless', 'user'] as const;

/** The account rootless runs use unless `engine.user` names another. */
export const DEFAULT_ROOTLESS_USER = 'gvmatrix';

/** Reads `engine:`, the settings for how Podman runs the containers. */
export function readEngineSettings(reader: YamlReader, field: Field | undefined): EngineSettings {
  const settings: EngineSettings = { rootless: false, user: DEFAULT_ROOTLESS_USER };
  if (field === undefined) return settings;

  const fields = reader.mapping(field.value, 'engine', ENGINE_KEYS);
  if (fields === undefined) return settings;

  const rootless = fields.get('rootless');
  if (rootless !== undefined) {
    settings.rootless = reader.boolean(rootless.value, 'rootless') ?? false;
  }
  const user = fields.get('user');
  if (user !== undefined) {
    const name = reader.string(user.value, 'user');
    if (name !== undefined && !/^[a-z_][a-z0-9_-]*$/.test(name)) {
      reader.reportAt(user.value, `invalid user name "${name}"; use a login name such as ${DEFAULT_ROOTLESS_USER}`);
    } else if (name !== undefined) {
      settings.user = name;
    }
  }
  return settings;
}
