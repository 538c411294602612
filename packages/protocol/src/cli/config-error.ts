/**
 * The content of an input is wrong (a config key, a tokens file, an environment variable): the
 * program prints `message`, which names what is wrong, and exits 78 (EX_CONFIG).
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
