import type { EngineConfig } from '../engine-config.ts';
import type { Driver } from './driver.ts';
import { createLocalDriver } from './local.ts';
import { createOpenAiDriver } from './openai.ts';

const cache = new Map<string, Driver>();

/** The driver a run was created with (a run keeps its driver even if the configuration changes). */
export function getDriver(config: EngineConfig, name: 'local' | 'openai'): Driver {
  const key = name === 'openai' ? `openai:${config.llm.url}:${config.llm.model}` : 'local';
  let d = cache.get(key);
  if (!d) {
    d = name === 'openai' ? createOpenAiDriver(config.llm) : createLocalDriver();
    cache.set(key, d);
  }
  return d;
}
